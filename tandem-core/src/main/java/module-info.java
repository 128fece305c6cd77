/**
 * Tandem: one {@link java.util.concurrent.ExecutorService} over platform threads, virtual threads,
 * worker JVM processes, and hybrids of P processes by T threads.
 *
 * <p>Only {@code dev.tandem} is exported; the engines behind it are package-private.
 */
module dev.tandem {
    requires dev.tandem.protocol;
    requires dev.tandem.ipc;
    requires jdk.management;

    exports dev.tandem;
}
