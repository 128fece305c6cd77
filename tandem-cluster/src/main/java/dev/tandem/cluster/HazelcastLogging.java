package dev.tandem.cluster;

import java.util.logging.Level;
import java.util.logging.LogManager;
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

    private HazelcastLogging() {}

    /** Applies the levels above, unless the logging configuration sets Hazelcast's own. Idempotent. */
    static synchronized void quiet() {
        if (LogManager.getLogManager().getProperty("com.hazelcast.level") != null) {
            return;
        }
        HAZELCAST.setLevel(Level.WARNING);
        CONNECTIONS.setLevel(Level.SEVERE);
        MEMBER.setFilter(r -> r.getMessage() == null || !r.getMessage().contains("Terminating forcefully"));
    }
}
