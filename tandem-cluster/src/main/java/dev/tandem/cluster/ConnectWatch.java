package dev.tandem.cluster;

import com.hazelcast.client.impl.management.ClientConnectionProcessListener;
import com.hazelcast.cluster.Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches a caller's Hazelcast client connect, so that a start that cannot succeed fails at once
 * instead of at the end of {@code workerStartTimeout}: every address the client tries either refuses
 * the connection (nothing listens there) or rejects the caller's cluster name (its node runs another
 * {@code --cluster-name}). An address that does not answer (a firewall, a machine down), a name that
 * does not resolve (yet), or a port where something else listens is not definite: the start waits for
 * it as before.
 *
 * <p>Hazelcast tells of each attempt through {@link ClientConnectionProcessListener}, the listener
 * its own Management Center uses (in an {@code impl} package, so tied to the Hazelcast version Tandem
 * ships with), registered through the client configuration before the client starts. Whether a
 * failed connection was refused is asked again with a plain socket ({@link #definiteFailure}), since
 * Hazelcast does not say.
 *
 * <p>Thread-safe: Hazelcast calls it on its own threads, the connector reads it.
 */
final class ConnectWatch implements ClientConnectionProcessListener {
    /** How long a refused connection may take to become an accepted one before it counts: a node starting. */
    static final long GRACE_NANOS = 2_000_000_000L;

    private static final String TRYING = "trying";
    private static final String FAILED = "failed";
    private static final String CLUSTER_NAME = "cluster name";
    private static final String NOT_ALLOWED = "not allowed";

    private final long startNanos = System.nanoTime();
    // Guarded by this.
    private final Map<String, String> outcomes = new LinkedHashMap<>();
    private List<String> tried = List.of();
    private boolean authenticated;

    @Override
    public synchronized void possibleAddressesCollected(List<Address> addresses) {
        tried = addresses.stream().map(ConnectWatch::name).toList();
    }

    @Override
    public synchronized void attemptingToConnectToAddress(Address address) {
        outcomes.put(name(address), TRYING);
    }

    @Override
    public synchronized void connectionAttemptFailed(Address address) {
        outcomes.computeIfPresent(name(address), (k, v) -> v.equals(TRYING) ? FAILED : v);
        outcomes.putIfAbsent(name(address), FAILED);
    }

    @Override
    public synchronized void credentialsFailed(Address address) {
        outcomes.put(name(address), CLUSTER_NAME);
    }

    @Override
    public synchronized void clientNotAllowedInCluster(Address address) {
        outcomes.put(name(address), NOT_ALLOWED);
    }

    @Override
    public synchronized void authenticationSuccess(Address address) {
        authenticated = true;
        outcomes.put(name(address), "connected");
    }

    private static String name(Address a) {
        return a.getHost() + ":" + a.getPort();
    }

    /**
     * {@return why no node can ever be reached, one reason per address; or null while that is not
     * definite} Definite once, {@link #GRACE_NANOS} after the client started, every address of its
     * last round failed and each failure was a rejection of the cluster name or a refused
     * connection (checked again here with a plain socket: connection refused, within a second).
     */
    String definiteFailure(String clusterName) {
        List<String> addresses;
        Map<String, String> seen;
        synchronized (this) {
            if (authenticated || tried.isEmpty() || System.nanoTime() - startNanos < GRACE_NANOS) {
                return null;
            }
            addresses = tried;
            seen = Map.copyOf(outcomes);
        }
        List<String> reasons = new ArrayList<>();
        boolean name = false;
        for (String a : addresses) {
            String outcome = seen.get(a);
            if (CLUSTER_NAME.equals(outcome)) {
                name = true;
                reasons.add(
                        a + " rejected the cluster name '" + clusterName + "' (that node runs another --cluster-name)");
            } else if (NOT_ALLOWED.equals(outcome)) {
                reasons.add(a + " does not allow this client in its cluster");
            } else if (FAILED.equals(outcome) && refused(a)) {
                reasons.add("nothing listens at " + a + " (connection refused)");
            } else {
                return null;
            }
        }
        return String.join("; ", reasons)
                + (name
                        ? ". Give clusterName(...) the nodes' --cluster-name ('tandem' unless they were given one)"
                        : ". Start nodes there (`tandem node --port P`), or give Tandem.cluster(...) the host:port of a"
                                + " running node");
    }

    /** {@return whether a connection to {@code hostPort} is refused now} */
    private static boolean refused(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1))), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // no answer, or a name that does not resolve: not definite
        }
    }
}
