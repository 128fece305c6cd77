package dev.tandem.cluster;

import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What Hazelcast may print in a caller's or a node's output (it logs through java.util.logging):
 * warnings and errors, without its INFO chatter, and without what Tandem reports itself in one line
 * of its own or a typed exception.
 *
 * <ul>
 * <li>{@code com.hazelcast}: WARNING and above.
 * <li>{@code com.hazelcast.client.impl.connection} (a caller's connection attempts, reconnections
 *     and heartbeats): SEVERE only. A caller that cannot connect fails its start naming the seeds
 *     and why; a node lost fails its tasks with {@code NodeLostException} naming how it was lost.
 *     Before, a seed with nothing listening printed two warnings per attempt, a few hundred while
 *     the start waited.
 * <li>{@code com.hazelcast.instance.impl.Node}: without its "Terminating forcefully..." warning. A
 *     node leaves its cluster that way on purpose, at once rather than by migrating partitions that
 *     hold no data of Tandem's, and each local cluster's close printed it once per node.
 * <li>{@code com.hazelcast.client.impl.spi.ClientInvocationService}: without the warning "Future.complete(Object)
 *     on completed future" (and its 27-line stack) when the second completion is the client's own
 *     shutdown ({@code HazelcastClientNotActiveException}). A client shut down while it authenticates
 *     to a node that does not answer (frozen, say) interrupts its own connecting thread, which fails
 *     the authentication with {@code InterruptedException}; the shutdown then fails it again, and
 *     Hazelcast warns of the double completion. Tandem shuts its client down when a start fails (it
 *     reports why) and at {@code close()} (the tasks of a lost node already failed, naming it). Any
 *     other double completion is still printed.
 * <li>{@code com.hazelcast.client.impl.connection.ClientConnectionManager}: without the error
 *     "... LifecycleServiceImpl... rejected from ...[Terminated...]" (a 17-line stack): a node that
 *     closes its connection while the client shuts down makes the client fire a lifecycle event
 *     on an executor its shutdown already terminated. Any other error is still printed.
 * </ul>
 *
 * A {@code com.hazelcast.level} in the logging configuration ({@code java.util.logging.config.file})
 * leaves all of this to the user. The loggers are held here: java.util.logging forgets the level of a
 * logger nobody references.
 */
final class HazelcastLogging {
    private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");
    private static final Logger CONNECTIONS = Logger.getLogger("com.hazelcast.client.impl.connection");
    private static final Logger MEMBER = Logger.getLogger("com.hazelcast.instance.impl.Node");
    private static final Logger INVOCATIONS = Logger.getLogger("com.hazelcast.client.impl.spi.ClientInvocationService");
    private static final Logger CONNECTION_MANAGER =
            Logger.getLogger("com.hazelcast.client.impl.connection.ClientConnectionManager");

    private HazelcastLogging() {}

    /** Applies the levels above, unless the logging configuration sets Hazelcast's own. Idempotent. */
    static synchronized void quiet() {
        if (LogManager.getLogManager().getProperty("com.hazelcast.level") != null) {
            return;
        }
        HAZELCAST.setLevel(Level.WARNING);
        CONNECTIONS.setLevel(Level.SEVERE);
        MEMBER.setFilter(r -> r.getMessage() == null || !r.getMessage().contains("Terminating forcefully"));
        INVOCATIONS.setFilter(r -> !completedAgainByShutdown(r));
        CONNECTION_MANAGER.setFilter(r -> !lifecycleEventAfterShutdown(r));
    }

    /** {@return whether {@code r} is a double completion whose second value is the client's shutdown} */
    static boolean completedAgainByShutdown(LogRecord r) {
        String m = r.getMessage();
        if (m == null || !m.contains("on completed future")) {
            return false;
        }
        int offered = m.lastIndexOf("offered value:");
        return offered >= 0 && m.indexOf("HazelcastClientNotActiveException", offered) >= 0;
    }

    /** {@return whether {@code r} is a lifecycle event rejected by the client's terminated executor} */
    static boolean lifecycleEventAfterShutdown(LogRecord r) {
        return r.getThrown() instanceof RejectedExecutionException e
                && e.getMessage() != null
                && e.getMessage().contains("LifecycleServiceImpl")
                && e.getMessage().contains("Terminated");
    }
}
