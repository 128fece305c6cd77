package dev.tandem.cluster;

import dev.tandem.spi.ClusterEngine;
import dev.tandem.spi.ClusterSpec;
import dev.tandem.spi.ClusterStarter;

/**
 * The cluster engine that {@code Tandem.cluster(...)} and {@code Tandem.localCluster(n)} find with
 * {@link java.util.ServiceLoader}: callers are Hazelcast clients of {@link Node}s. Public only
 * because a service provider must be; not for direct use.
 */
public final class HazelcastEngine implements ClusterEngine {
    /** Creates the provider; {@link java.util.ServiceLoader} does. */
    public HazelcastEngine() {}

    @Override
    public ClusterStarter connect(ClusterSpec spec) {
        return ClusterConnector.connect(spec);
    }
}
