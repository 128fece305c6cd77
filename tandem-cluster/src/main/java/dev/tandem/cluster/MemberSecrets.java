package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Which members of its cluster a caller uses: those that announce its secret's fingerprint
 * ({@link Secret#fingerprint()}, the member attribute {@link HazelcastSettings#FINGERPRINT}). A node
 * started without the cluster's secret, or with another, refuses to serve and stops itself as it
 * joins ({@code Node.checkFingerprint}); until it is gone, callers send it nothing, and say so once.
 *
 * <p>Thread-safe.
 */
final class MemberSecrets {
    private static final Logger LOG = Logger.getLogger("dev.tandem.cluster");

    private final Secret secret;
    private final String clusterName;
    /** Members whose fingerprint is not this caller's, told of once. */
    private final Set<UUID> mismatched = ConcurrentHashMap.newKeySet();

    MemberSecrets(Secret secret, String clusterName) {
        this.secret = secret;
        this.clusterName = clusterName;
    }

    /** {@return whether a member announces this caller's secret fingerprint} */
    boolean matches(Member m) {
        return secret.fingerprint().equals(HazelcastSettings.fingerprint(m));
    }

    /** {@return whether a member may be used} The first time one may not, one line says so. */
    boolean usable(Member m) {
        if (matches(m)) {
            return true;
        }
        if (mismatched.add(m.getUuid())) {
            LOG.warning(mismatch(m) + "; this pool sends it nothing");
        }
        return false;
    }

    /** {@return what is wrong with a member whose fingerprint is not this caller's, in one line} */
    String mismatch(Member m) {
        String theirs = HazelcastSettings.fingerprint(m);
        String why;
        if (theirs == null) {
            why = "it announces no Tandem secret fingerprint (it is not a node of this Tandem build)";
        } else if (secret.isNone()) {
            why = "the node was started with a --secret-file; give this caller the same file (secretFile(path))";
        } else if (Secret.NO_SECRET.equals(theirs)) {
            why = "the node was started without a --secret-file; every node and caller of a cluster needs the same"
                    + " file";
        } else {
            why = "the node was started with another --secret-file; every node and caller of a cluster needs the"
                    + " same file";
        }
        return "node " + m.getAddress().getHost() + ":" + m.getAddress().getPort() + " of cluster '" + clusterName
                + "' refused this caller's secret (" + secret.origin() + "): " + why;
    }

    /**
     * {@return why a node answered a message with {@code Wire.BAD_SEAL}, in one line} Its answer cannot say which
     * key the node holds (a member that announces this caller's fingerprint would not refuse it); the caller
     * knows its own.
     */
    String badSeal(String node) {
        return "node " + node + " refused this caller's secret (" + secret.origin() + "): "
                + (secret.isNone()
                        ? "the node was started with a --secret-file; give this caller the same file (secretFile(path))"
                        : "the node was started with another --secret-file, or without one; every node and caller of"
                                + " a cluster needs the same file");
    }
}
