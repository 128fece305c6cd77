package dev.tandem.cluster;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Hazelcast logs (java.util.logging, {@code com.hazelcast}) while a node's member starts, held back
 * until the start ends, so that the node, not Hazelcast, tells its user what went wrong, in one line.
 *
 * <ul>
 * <li>A start that fails ({@code Hazelcast CANNOT start on this node}, a port it cannot bind) logged
 *     SEVERE lines and threw an exception whose stack trace the command printed: 61 lines for
 *     {@code --bind 127.0.0.2}. {@link #drop()} forgets them; the node throws one line of its own.
 * <li>A {@code --join} seed that runs another cluster name answers the join with a mismatch, which
 *     Hazelcast logs as a warning before it carries on alone. {@link #release()} returns those seeds
 *     (the node refuses to run on alone, naming {@code --cluster-name}) and passes every other record
 *     on, in order, as if it had not been held.
 * <li>On the node that was there, such a seed's join request is a Hazelcast warning too ("Received an
 *     invalid join request ... members part of different cluster"): {@link #nameJoinsOfOtherClusters} makes
 *     it a line of the node's own log, naming {@code --cluster-name}.
 * </ul>
 *
 * <p>One start at a time per JVM ({@link #hold()} waits for the previous {@link #release()} or
 * {@link #drop()}): the records of {@code com.hazelcast} are held as a whole while it runs.
 */
final class StartRecords extends Handler {
    private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

    /** Hazelcast's warning, on the member that joins, when a seed's cluster name is not its own. */
    private static final Pattern MISMATCH = Pattern.compile(
            "Node could not join cluster at node: \\[([^\\]]+)]:(\\d+) Cause: the target cluster has a different"
                    + " cluster-name");

    /** Hazelcast's warning, on a member, when a node of another cluster name asks to join it. */
    private static final Pattern OTHER_CLUSTER = Pattern.compile(
            "Received an invalid join request from \\[([^\\]]+)]:(\\d+), cause: members part of different"
                    + " cluster");

    /** The logger of {@link #OTHER_CLUSTER}, held: java.util.logging forgets the filter of a logger nobody holds. */
    private static final Logger JOINS = Logger.getLogger("com.hazelcast.internal.cluster.impl.ClusterJoinManager");

    private static final Object STARTING = new Object();
    private static boolean busy;

    /** Accessed only under {@code this}. */
    private final List<LogRecord> held = new ArrayList<>();

    /** Whether {@link #end()} ran; accessed only under {@link #STARTING}. */
    private boolean ended;

    private StartRecords() {
        setLevel(Level.ALL);
    }

    /** {@return a holder of Hazelcast's records from now on, until {@link #release()} or {@link #drop()}} */
    static StartRecords hold() throws InterruptedException {
        synchronized (STARTING) {
            while (busy) {
                STARTING.wait();
            }
            busy = true;
        }
        StartRecords r = new StartRecords();
        HAZELCAST.addHandler(r);
        HAZELCAST.setUseParentHandlers(false);
        return r;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        held.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    /** Stops holding; the records held are forgotten (the start failed, and says so itself). */
    void drop() {
        end();
    }

    /**
     * Stops holding and passes the records held on, but for the seeds' cluster-name mismatches.
     *
     * @return the {@code host:port} of each seed that answered with another cluster name, in order
     */
    List<String> release() {
        List<LogRecord> records = end();
        Set<String> mismatched = new LinkedHashSet<>();
        for (LogRecord r : records) {
            Matcher m = r.getMessage() == null ? null : MISMATCH.matcher(r.getMessage());
            if (m != null && m.find()) {
                mismatched.add(m.group(1) + ":" + m.group(2));
            } else {
                HAZELCAST.log(r);
            }
        }
        return List.copyOf(mismatched);
    }

    /**
     * Has a join request of a node of another cluster name logged as one line of the node's own, not as
     * Hazelcast's warning. Idempotent.
     *
     * @param log the node's log
     * @param prefix how each of its lines begins
     */
    static synchronized void nameJoinsOfOtherClusters(PrintStream log, String prefix) {
        JOINS.setFilter(r -> {
            Matcher m = r.getMessage() == null ? null : OTHER_CLUSTER.matcher(r.getMessage());
            if (m == null || !m.find()) {
                return true;
            }
            log.println(prefix + "node " + m.group(1) + ":" + m.group(2) + " asked to join with another cluster name"
                    + " (--cluster-name): not let in");
            return false;
        });
    }

    /**
     * {@return the first line of a failure's message, without Hazelcast's advice about its configuration
     * files, which a Tandem node has none of}
     */
    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String line = m.strip().lines().findFirst().orElse(m).strip();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // the root cause by its class too: a local cluster starts its nodes again on other ports when it reads
        // java.net.BindException (LocalNodes.portTaken), which the stack trace used to show
        return root == e ? line : line + " (" + root.getClass().getName() + ": " + root.getMessage() + ")";
    }

    private List<LogRecord> end() {
        HAZELCAST.removeHandler(this);
        HAZELCAST.setUseParentHandlers(true);
        List<LogRecord> records;
        synchronized (this) {
            records = List.copyOf(held);
            held.clear();
        }
        synchronized (STARTING) {
            if (!ended) {
                ended = true;
                busy = false;
                STARTING.notifyAll();
            }
        }
        return records;
    }
}
