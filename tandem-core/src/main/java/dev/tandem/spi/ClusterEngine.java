package dev.tandem.spi;

/**
 * The cluster mode's engine, found with {@link java.util.ServiceLoader} when a pool of
 * {@code Mode.CLUSTER} starts: the {@code tandem-cluster} module provides it. The conductor stays
 * in {@code tandem-core}; the engine only connects to nodes and returns a {@link ClusterStarter},
 * whose workers are node sessions.
 */
public interface ClusterEngine {
    /**
     * Connects to the cluster the spec names (or starts its local nodes), waits for its
     * {@code minNodes}, checks versions and secret, and ships the class path.
     *
     * @param spec what the caller asks for
     * @return the starter of node sessions, one per node to use
     * @throws RuntimeException a {@code WorkerStartException} (through {@link ClusterSpec#startFailure})
     *     naming what failed: unreachable seeds, a refused secret, a version or class-path mismatch
     */
    ClusterStarter connect(ClusterSpec spec);
}
