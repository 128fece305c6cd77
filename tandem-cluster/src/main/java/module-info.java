/**
 * Tandem's cluster mode: callers are Hazelcast clients and nodes are Hazelcast members that run
 * each caller's tasks in a local Tandem process pool. Hazelcast carries bytes and membership; the
 * semantics (dispatch, deadlines, retries, fencing, the lifecycle) are Tandem's conductor's.
 *
 * <p>Exports only {@link dev.tandem.cluster.Node}, the node's entry point ({@code tandem node}); a
 * caller reaches the engine through {@code Tandem.cluster(...)} and {@code Tandem.localCluster(n)}.
 */
module dev.tandem.cluster {
    requires dev.tandem;
    requires com.hazelcast.core;
    requires java.logging;

    exports dev.tandem.cluster;

    provides dev.tandem.spi.ClusterEngine with
            dev.tandem.cluster.HazelcastEngine;
}
