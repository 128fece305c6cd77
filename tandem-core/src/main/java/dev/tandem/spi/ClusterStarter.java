package dev.tandem.spi;

/**
 * Starts node sessions: each {@link Worker} it returns is this caller's share of one node (a window
 * of {@code perNode} processes times threads). {@link #close()} disconnects from the cluster and
 * stops the nodes it owns (a local cluster's).
 */
public interface ClusterStarter extends WorkerStarter {
    /** {@return how many node sessions the pool should keep: the nodes found at start} */
    int nodes();
}
