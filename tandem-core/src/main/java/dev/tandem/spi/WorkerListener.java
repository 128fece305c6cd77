package dev.tandem.spi;

/**
 * What a {@link Worker} reports to its conductor. Called by the thread that read the event; the
 * conductor handles it quickly and never blocks for I/O in it. Every task sent gets at most one of
 * {@link #result}, {@link #failed} and {@link #copyFailed}; {@link #ended} comes once, last.
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
     * The worker ended; no event follows.
     *
     * @param end how it ended
     */
    void ended(WorkerEnd end);
}
