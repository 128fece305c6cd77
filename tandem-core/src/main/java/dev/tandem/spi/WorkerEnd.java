package dev.tandem.spi;

/**
 * How a worker ended, in the words the caller's exceptions use.
 *
 * @param pid the worker's process id
 * @param exitCode the exit code, or null when it could not be had
 * @param signal the signal that ended it (e.g. "SIGKILL"), or null
 * @param hint a likely cause, for an end the conductor did not plan
 * @param outputTail the last lines the worker wrote to stderr, maybe empty
 * @param crashLog the path of a JVM crash log, or null
 * @param notItsFault why the worker was lost through no fault of its own or its task's (its link
 *     broke on the caller's side), or null
 * @param nodeLoss for a cluster node that was lost (killed, frozen, partitioned), how; null for a
 *     worker JVM of this machine, and for a node session the conductor ended itself
 */
public record WorkerEnd(
        long pid,
        Integer exitCode,
        String signal,
        String hint,
        String outputTail,
        String crashLog,
        String notItsFault,
        NodeLoss nodeLoss) {

    /**
     * How a cluster node was lost. Every task the node was sent may have started there, not only the
     * first {@code slots} of its window: the node runs several tasks at once, out of the caller's
     * order, holds more in its worker JVMs' inboxes (which run on while the node is frozen), and the
     * replies of tasks it finished may be lost with it. So all of them fail with
     * {@code NodeLostException} or are retried elsewhere ({@code retriesOnWorkerLoss}), but the last
     * {@code unstarted} of the window, which never left the caller: they go back to the queue
     * untouched. The loss blames no task (a node runs no user code), so it never counts towards poison.
     *
     * @param node the node, as "address (member uuid)"
     * @param detection how the loss was seen, e.g. "connection closed", "heartbeat timed out"
     * @param mayStillRun whether the node's process may still be alive and running the tasks (a
     *     frozen or unreachable node), as opposed to known dead
     * @param unstarted how many tasks at the end of the window the node was never sent
     * @param endedByNode whether the node itself ended this caller's session (its lease ran out, the
     *     node is stopping, it no longer knows the session): the node may well run on, and it stopped
     *     the session's tasks; false when the caller lost the node (killed, frozen, cut off)
     */
    public record NodeLoss(String node, String detection, boolean mayStillRun, int unstarted, boolean endedByNode) {
        /** A loss after which every task of the window may have started. */
        public NodeLoss(String node, String detection, boolean mayStillRun) {
            this(node, detection, mayStillRun, 0, false);
        }

        /** {@return a session the node ended itself, for {@code detection}: it stopped the session's tasks} */
        public static NodeLoss endedByNode(String node, String detection) {
            return new NodeLoss(node, detection, false, 0, true);
        }

        /** {@return this loss, knowing that the last {@code n} tasks of the window were never sent} */
        public NodeLoss unstarted(int n) {
            return new NodeLoss(node, detection, mayStillRun, n, endedByNode);
        }
    }

    /** {@return the end of a local worker JVM: no node loss} */
    public static WorkerEnd local(
            long pid,
            Integer exitCode,
            String signal,
            String hint,
            String outputTail,
            String crashLog,
            String notItsFault) {
        return new WorkerEnd(pid, exitCode, signal, hint, outputTail, crashLog, notItsFault, null);
    }
}
