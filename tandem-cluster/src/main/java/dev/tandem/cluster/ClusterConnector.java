package dev.tandem.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.tandem.ClusterOptions;
import dev.tandem.PoolOptions;
import dev.tandem.spi.ClusterSpec;
import dev.tandem.spi.DurationWords;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Connects a caller to its cluster: starts a local cluster's nodes if asked, starts the Hazelcast
 * client (in the background, never giving up while the pool lives, so a pool left without nodes
 * finds them when they return), waits at most {@code workerStartTimeout} for {@code minNodes}, and
 * hands over to a {@link NodeStarter}, which greets them. Every failure stops what was started and
 * names what to do. Stateless; called once per pool start.
 */
final class ClusterConnector {
    private ClusterConnector() {}

    static NodeStarter connect(ClusterSpec spec) {
        HazelcastLogging.quiet();
        PoolOptions options = spec.options();
        ClusterOptions c = options.cluster();
        long startNanos = options.workerStartTimeout().toNanos();
        Secret secret;
        LocalNodes local = null;
        List<String> seeds;
        if (c.local()) {
            byte[] random = new byte[32];
            NodeStarter.RANDOM.nextBytes(random);
            String key = HexFormat.of().formatHex(random);
            secret = Secret.of(key.getBytes(StandardCharsets.US_ASCII), "the local cluster's random secret");
            try {
                local = LocalNodes.start(
                        c.localNodes(),
                        c.clusterName(),
                        key,
                        Math.max(startNanos, TimeUnit.SECONDS.toNanos(60)),
                        Node.Settings.defaultCacheDir(),
                        options.aotCache());
            } catch (IOException e) {
                throw spec.startFailure().apply("the local cluster's nodes did not start: " + e.getMessage(), e);
            }
            seeds = local.addresses();
        } else {
            secret = c.secretFile() != null ? Secret.fromFile(c.secretFile()) : Secret.none();
            seeds = c.seeds();
        }
        HazelcastInstance client;
        ConnectWatch watch = new ConnectWatch();
        try {
            ClientConfig config = HazelcastSettings.clientConfig(c, seeds);
            config.addListenerConfig(new ListenerConfig(watch));
            client = HazelcastClient.newHazelcastClient(config);
        } catch (RuntimeException e) {
            if (local != null) {
                local.close();
            }
            throw spec.startFailure()
                    .apply(
                            "cannot connect to cluster '" + c.clusterName() + "' at " + seeds + " within "
                                    + DurationWords.of(options.workerStartTimeout()) + ": " + e.getMessage()
                                    + ". Are nodes running there (`tandem node`), with this cluster name (their --cluster-name; clusterName(...) here)?",
                            e);
        }
        try {
            awaitNodes(spec, client, local, seeds, watch, secret);
        } catch (RuntimeException e) {
            client.shutdown();
            if (local != null) {
                local.close();
            }
            throw e;
        }
        NodeStarter s = new NodeStarter(spec, secret, client, local);
        try {
            s.greetAll(seeds);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * Waits, at most the worker start timeout, until the client (started in the background) sees
     * {@code minNodes} members with this caller's secret. Returns early when the members it sees all
     * have another secret (the greeting then fails naming it), and fails early when no node can ever
     * be reached ({@link ConnectWatch}: nothing listens at any seed, or the nodes there run another
     * cluster name).
     */
    private static void awaitNodes(
            ClusterSpec spec,
            HazelcastInstance client,
            LocalNodes local,
            List<String> seeds,
            ConnectWatch watch,
            Secret secret) {
        int min = spec.options().cluster().minNodes();
        String clusterName = spec.options().cluster().clusterName();
        long deadline = System.nanoTime() + spec.options().workerStartTimeout().toNanos();
        MemberSecrets secrets = new MemberSecrets(secret, clusterName);
        while (true) {
            Set<Member> members = client.getCluster().getMembers();
            long usable = members.stream().filter(secrets::matches).count();
            if ((usable >= min || (usable == 0 && !members.isEmpty())) && connected(client)) {
                return;
            }
            String never = members.isEmpty() ? watch.definiteFailure(clusterName) : null;
            if (never != null) {
                throw startFailure(
                        spec,
                        local,
                        "cannot connect to cluster '" + clusterName + "' at " + seeds + ": " + never,
                        null);
            }
            if (System.nanoTime() > deadline) {
                int found = members.size();
                throw startFailure(
                        spec,
                        local,
                        (found == 0
                                ? "cannot connect to cluster '" + clusterName + "' at " + seeds
                                        + " within "
                                        + DurationWords.of(spec.options().workerStartTimeout())
                                        + ". Are nodes running there (`tandem node`), with this cluster name (their --cluster-name; clusterName(...) here)?"
                                : "only " + usable + " of the " + min + " nodes asked for (minNodes) joined"
                                        + " cluster '"
                                        + clusterName + "' at " + seeds
                                        + " within "
                                        + DurationWords.of(spec.options().workerStartTimeout())),
                        null);
            }
            pause(50);
        }
    }

    /**
     * {@return whether the client, started in the background, is connected: it can create the
     * executors' proxies (which it then keeps)}
     */
    private static boolean connected(HazelcastInstance client) {
        try {
            client.getExecutorService(HazelcastSettings.EXECUTOR);
            client.getExecutorService(HazelcastSettings.POLL_EXECUTOR);
            return true;
        } catch (HazelcastClientOfflineException e) {
            return false;
        }
    }

    static RuntimeException startFailure(ClusterSpec spec, LocalNodes local, String message, Throwable cause) {
        return spec.startFailure().apply(local == null ? message : message + "\n" + local.tails(), cause);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
