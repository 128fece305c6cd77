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
     * How a cluster node was lost. Its running tasks fail with {@code NodeLostException} or are
     * retried elsewhere ({@code retriesOnWorkerLoss}); the loss blames no task (a node runs no user
     * code), so it never counts towards poison.
     *
     * @param node the node, as "address (member uuid)"
     * @param detection how the loss was seen, e.g. "connection closed", "heartbeat timed out"
     * @param mayStillRun whether the node's process may still be alive and running the tasks (a
     *     frozen or unreachable node), as opposed to known dead
     */
    public record NodeLoss(String node, String detection, boolean mayStillRun) {}

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
