package dev.tandem;

import java.io.Serial;

/**
 * The cluster node that was running a task was lost: killed, crashed, frozen or cut off from the
 * caller. It extends {@link WorkerLostException}, so {@code catch (WorkerLostException e)} keeps
 * working in cluster mode.
 *
 * <p>The message names the node, how the loss was detected (the connection closed, the node left
 * the cluster, its heartbeat timed out) and whether the task may still be running there: a frozen
 * or unreachable node may resume; its abandoned tasks are then stopped, and their results dropped. A
 * node that ended the caller's session itself (its lease ran out, the node is stopping) stopped them.
 * Every task the caller had sent to the lost node fails so (or is retried), not only those it was
 * running: the node may have started any of them, and its worker JVMs are not frozen with it. So
 * without retries a task never runs twice (a {@code map} input may: a batch lost with its node is
 * split and sent again, as one lost with its worker is); a task retried elsewhere after such a loss
 * ({@code retriesOnWorkerLoss}) may have run, in part or whole, twice: retried tasks should be
 * idempotent.
 */
public final class NodeLostException extends WorkerLostException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String detection;
    private final boolean mayStillRun;

    NodeLostException(int workerId, long pid, String task, String node, String detection, boolean mayStillRun) {
        this(workerId, pid, task, node, detection, mayStillRun, false);
    }

    /**
     * @param endedByNode whether the node itself ended the session (and stopped its tasks): the node
     *     may well run on, so the message does not say its process is gone
     */
    NodeLostException(
            int workerId,
            long pid,
            String task,
            String node,
            String detection,
            boolean mayStillRun,
            boolean endedByNode) {
        super(
                task + " was sent to node " + node + ", which was lost (" + detection + ")"
                        + (mayStillRun
                                ? "; the task may still be running there: it is stopped, and its result dropped, if"
                                        + " the node comes back"
                                : endedByNode
                                        ? "; the node stopped the task as it ended the session"
                                        : "; the node's process is gone, and the task with it")
                        + " [the pool's session " + workerId + " with that node, whose pid was " + pid + "]",
                workerId,
                pid,
                null,
                null,
                task,
                "node " + node + " was lost (" + detection + ")",
                "",
                null,
                node);
        this.detection = detection;
        this.mayStillRun = mayStillRun;
    }

    /** {@return how the loss was detected, such as "connection closed" or "heartbeat timed out"} */
    public String detection() {
        return detection;
    }

    /** {@return whether the task may still be running on the node: it was frozen or unreachable, not known dead} */
    public boolean mayStillRun() {
        return mayStillRun;
    }
}
