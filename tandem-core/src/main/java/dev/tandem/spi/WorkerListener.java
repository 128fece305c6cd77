package dev.tandem.spi;

/**
 * What a {@link Worker} reports to its conductor. Called by the thread that read the event; the
 * conductor handles it quickly and never blocks for I/O in it. Every task sent gets at most one of
 * {@link #result}, {@link #failed}, {@link #copyFailed} and {@link #abandoned}; {@link #ended} comes
 * once, last.
 *
 * <h2>Bursts</h2>
 * A worker that reads its replies in bursts (several arrive in one read, or one message) may say so
 * with the forms that take {@code more}: {@code more} is true when another reply of this worker is
 * already in hand and is delivered next, by the same thread, before it waits for anything. The
 * conductor may then put off work the burst's replies share (writing the tasks they made room for)
 * until the burst's last reply ({@code more} false) or {@link #ended}. A worker must end every burst
 * that way; the forms without {@code more} end one.
 */
public interface WorkerListener {
    /**
     * The task returned.
     *
     * @param taskId the task's id
     * @param value the result, encoded by the protocol's value codec
     */
    void result(long taskId, byte[] value);

    /**
     * The task threw.
     *
     * @param taskId the task's id
     * @param throwable the exception, encoded by the protocol's throwable codec
     */
    void failed(long taskId, byte[] throwable);

    /**
     * The worker could not decode the task, or encode its result.
     *
     * @param taskId the task's id
     * @param boundary where: the protocol's {@code BOUNDARY_DECODE_TASK} or {@code BOUNDARY_ENCODE_RESULT}
     * @param throwable the exception, encoded by the protocol's throwable codec
     */
    void copyFailed(long taskId, byte boundary, byte[] throwable);

    /**
     * {@link #result(long, byte[])}, in a burst (see the class comment).
     *
     * @param taskId the task's id
     * @param value the result, encoded by the protocol's value codec
     * @param more whether another reply of this worker follows at once
     */
    default void result(long taskId, byte[] value, boolean more) {
        result(taskId, value);
    }

    /**
     * {@link #failed(long, byte[])}, in a burst (see the class comment).
     *
     * @param taskId the task's id
     * @param throwable the exception, encoded by the protocol's throwable codec
     * @param more whether another reply of this worker follows at once
     */
    default void failed(long taskId, byte[] throwable, boolean more) {
        failed(taskId, throwable);
    }

    /**
     * {@link #copyFailed(long, byte, byte[])}, in a burst (see the class comment).
     *
     * @param taskId the task's id
     * @param boundary where: the protocol's {@code BOUNDARY_DECODE_TASK} or {@code BOUNDARY_ENCODE_RESULT}
     * @param throwable the exception, encoded by the protocol's throwable codec
     * @param more whether another reply of this worker follows at once
     */
    default void copyFailed(long taskId, byte boundary, byte[] throwable, boolean more) {
        copyFailed(taskId, boundary, throwable);
    }

    /**
     * The task gets no reply: an {@link EncodedPool}'s {@link EncodedPool#kill() kill} stopped it
     * (cancelled, or its worker killed) before it answered, so that the end of the session that
     * killed the pool accounts for it instead (on a cluster node: its caller counts the task lost
     * with the node, and may run it elsewhere). A {@link Worker} never calls it.
     *
     * @param taskId the task's id
     */
    default void abandoned(long taskId) {}

    /**
     * The worker ended; no event follows.
     *
     * @param end how it ended
     */
    void ended(WorkerEnd end);
}
