package dev.tandem.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.client.config.ConnectionRetryConfig;
import com.hazelcast.cluster.Member;
import dev.tandem.ClusterOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hazelcast settings shared by nodes and callers. */
final class HazelcastSettings {
    /** The executor of Tandem's short requests (HELLO, UPLOAD, OPEN, SUBMIT). */
    static final String EXECUTOR = "tandem";

    /** The executor of polls, which wait on the node for replies. */
    static final String POLL_EXECUTOR = "tandem-poll";

    /**
     * The member attribute in which a node announces its secret's fingerprint
     * ({@link Secret#fingerprint()}): nodes and callers use no member whose fingerprint differs from
     * theirs.
     */
    static final String FINGERPRINT = "tandem.secret.fingerprint";

    private HazelcastSettings() {}

    /** {@return the secret fingerprint a member announces, or null if it announces none} */
    static String fingerprint(Member m) {
        return m.getAttribute(FINGERPRINT);
    }

    /** {@return the configuration of a caller's client: the seeds, a heartbeat timeout of {@code nodeFailureTimeout}} */
    static ClientConfig clientConfig(ClusterOptions c, List<String> seeds) {
        ClientConfig cc = new ClientConfig().setClusterName(c.clusterName());
        HazelcastSettings.common().forEach(cc::setProperty);
        long ft = c.nodeFailureTimeout().toMillis();
        cc.setProperty("hazelcast.client.heartbeat.timeout", String.valueOf(ft));
        cc.setProperty("hazelcast.client.heartbeat.interval", String.valueOf(Math.clamp(ft / 4, 100, 5000)));
        // Answers are handled on the IO thread that read them, not handed to a response thread (one
        // thread wake-up less per answer; Hazelcast does so itself whenever it sees no concurrency,
        // which a caller with a poll outstanding on each node never shows). Tandem's handling of an
        // answer never waits (see NodeWorker).
        cc.setProperty("hazelcast.client.response.thread.count", "0");
        cc.getMetricsConfig().setEnabled(false);
        cc.getNetworkConfig().setAddresses(new ArrayList<>(seeds)).setRedoOperation(false);
        cc.getNetworkConfig().getAutoDetectionConfig().setEnabled(false);
        // Connects in the background and never gives up while the pool lives: the caller's start
        // waits (bounded by workerStartTimeout) for the nodes, and a pool left without nodes for a
        // while must find them again when they return (a client past its connect timeout shuts
        // down for good). The pool's own rules bound both waits; close() stops the client.
        cc.getConnectionStrategyConfig()
                .setAsyncStart(true)
                .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ON)
                .getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(ConnectionRetryConfig.DEFAULT_CLUSTER_CONNECT_TIMEOUT_MILLIS)
                .setInitialBackoffMillis(100)
                .setMaxBackoffMillis(1000);
        cc.getSerializationConfig().addDataSerializableFactory(Wire.FACTORY_ID, new Wire());
        return cc;
    }

    /** {@return properties for every member and client: no phone-home, logging through java.util.logging} */
    static Map<String, String> common() {
        return Map.of(
                "hazelcast.phone.home.enabled", "false",
                "hazelcast.logging.type", "jdk");
    }
}
