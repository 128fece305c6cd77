/**
 * Tandem: one {@link java.util.concurrent.ExecutorService} over platform threads, virtual threads,
 * worker JVM processes, and hybrids of P processes by T threads.
 *
 * <p>Only {@code dev.tandem} is exported; the engines behind it are package-private. The seam
 * between the process engine's conductor and its workers, {@code dev.tandem.spi}, is exported only
 * to the cluster engine's module.
 */
module dev.tandem {
    requires dev.tandem.protocol;
    requires dev.tandem.ipc;
    requires jdk.management;
    requires jdk.jfr;
    requires jdk.net;

    exports dev.tandem;
    // The conductor's seam, for the cluster engine's module only (see dev.tandem.spi).
    exports dev.tandem.spi to
            dev.tandem.cluster;

    // The cluster engine, in the tandem-cluster artifact when it is there.
    uses dev.tandem.spi.ClusterEngine;
}
