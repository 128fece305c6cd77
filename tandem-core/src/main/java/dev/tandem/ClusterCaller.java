package dev.tandem;

import dev.tandem.spi.ClusterEngine;
import dev.tandem.spi.ClusterSpec;
import dev.tandem.spi.ClusterStarter;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts a {@link Mode#CLUSTER} pool: the process engine's conductor ({@link ProcessTaskPool})
 * whose workers are node sessions, started by the cluster engine that {@link ServiceLoader} finds
 * (the {@code tandem-cluster} artifact). Dispatch, deadlines, retries, cancels and the lifecycle are
 * the conductor's, unchanged; the engine only carries bytes to nodes and reports their loss.
 */
final class ClusterCaller {
    /** The Maven coordinates named when the engine is missing. */
    static final String ARTIFACT = "dev.tandem:tandem-cluster";

    /** The JVM flag whose absence makes Hazelcast start a thread per completed call on small machines. */
    static final String PARALLELISM_FLAG = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ClusterCaller() {}

    static TaskPool start(PoolOptions options) {
        ClusterEngine engine = ServiceLoader.load(ClusterEngine.class, ClusterCaller.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the cluster mode needs the " + ARTIFACT
                        + " artifact on the class path (or module path): add it next to tandem-core"));
        warnIfCommonPoolIsSerial();
        byte[] initializer = TaskEncoder.initializer(options.initializer());
        List<String> properties = options.inheritSystemProperties() ? InheritedProperties.arguments() : List.of();
        ClusterSpec spec = new ClusterSpec(
                options, initializer, WorkerClassPath.shippable(options), properties, WorkerStartException::new);
        ClusterStarter starter = engine.connect(spec);
        return ProcessTaskPool.start(
                options, ReplyDecoder.of(options, BulkLane.off()), starter, starter.nodes(), null, WorkerLease.none());
    }

    /**
     * Warns once per JVM when the common fork-join pool runs one thread or none (a machine of one or
     * two CPUs): Hazelcast then completes each call on a new thread of its own, about 1 ms of CPU per
     * task (docs/cluster design, the 2-CPU pitfall). A library cannot change the pool once it exists.
     */
    static void warnIfCommonPoolIsSerial() {
        if (ForkJoinPool.getCommonPoolParallelism() <= 1 && WARNED.compareAndSet(false, true)) {
            System.getLogger("dev.tandem.cluster")
                    .log(
                            Level.WARNING,
                            "this JVM's common ForkJoinPool has parallelism "
                                    + ForkJoinPool.getCommonPoolParallelism()
                                    + ", so Hazelcast will start a thread for every completed cluster call (about"
                                    + " 700 tasks/s at most): start the JVM with " + PARALLELISM_FLAG);
        }
    }
}
