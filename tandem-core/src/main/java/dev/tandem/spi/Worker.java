package dev.tandem.spi;

/**
 * One worker as the conductor sees it: a window of {@link #slots()} task slots fed in FIFO order.
 * A worker JVM on this machine is one ({@code WorkerProcess}); a node of a cluster can be another.
 *
 * <p>Frames are buffered by {@link #send}, {@link #cancel} and {@link #exit}, which never block and
 * may be called under the conductor's lock (which fixes their order); {@link #flush()} writes them
 * out, is called without that lock, and may block on a slow peer. Every method is thread-safe and
 * none throws: a worker whose link broke reports its end through
 * {@link WorkerListener#ended(WorkerEnd)}.
 */
public interface Worker {
    /** {@return the id the conductor gave this worker, unique within its pool} */
    int id();

    /** {@return the operating-system process id of the worker, for messages and {@code workerPids()}} */
    long pid();

    /** {@return how many tasks the worker runs at once; at least 1} */
    int slots();

    /**
     * Buffers a task.
     *
     * @param taskId the task's id, echoed in its reply
     * @param task the serialized task
     * @param stateless whether the task's class has no state, so the worker may reuse a decoded copy
     */
    void send(long taskId, byte[] task, boolean stateless);

    /**
     * Buffers a cancel: the worker drops the task if it is queued, interrupts it if it is running.
     *
     * @param taskId the task's id
     */
    void cancel(long taskId);

    /** Buffers an exit request: the worker ends cleanly once it read it. */
    void exit();

    /**
     * Buffers the lease of a cluster node's caller: the worker starts no task after
     * {@code untilNanos} (a {@link System#nanoTime()} of this host) and holds those that are due
     * until a later lease comes. Sent by a node's pool only (fencing); a worker that never got one
     * has no such limit. The default ignores it: a worker that is not a process of this host (a node
     * session) is fenced by its node.
     *
     * @param untilNanos when the lease ends
     */
    default void lease(long untilNanos) {}

    /** Writes every buffered frame, in order. Never throws; a broken link ends the worker. */
    void flush();

    /**
     * Ends the worker now, with whatever it was running (a process: SIGKILL to it and its
     * descendants). Its end is then reported to the listener as usual.
     */
    void kill();

    /**
     * {@return the number of tasks after which this worker should be retired, or 0 for no limit of
     * its own} The conductor also applies the pool's {@code maxTasksPerWorker}.
     */
    long retireAfter();

    /** {@return why a worker retired after {@code tasks} tasks, for the messages of its end} */
    String retireReason(long tasks);

    /**
     * {@return how many times the conductor's prefetch for short tasks this worker may hold beyond
     * the tasks it runs: 1 for a worker JVM on this machine; more for a worker whose refill costs a
     * network round trip (a cluster node session)} Only short tasks are prefetched (see the
     * conductor's prefetch window), and tasks held beyond {@link #slots()} are not running: when the
     * worker ends they go back to the front of the queue untouched, neither failed nor retried.
     */
    default int prefetchFactor() {
        return 1;
    }

    /**
     * {@return 0 if the conductor stops this worker's tasks itself (a timed-out or cancelled task of a
     * one-slot worker is stopped by killing the worker), or, for a worker that stops its own tasks
     * (a cluster node enforces the pool's timeout and kills its own worker JVMs), how much later than
     * the task timeout the conductor's backstop deadline fires, and how long after a
     * {@link #cancel} of a running task the conductor waits for its answer before it kills the
     * whole worker}
     */
    default long selfStopGraceNanos() {
        return 0;
    }
}
