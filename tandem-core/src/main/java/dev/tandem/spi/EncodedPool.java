package dev.tandem.spi;

import dev.tandem.PoolOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A local process pool that takes tasks already serialized and answers with replies still encoded:
 * what a cluster node runs for each caller session, so that the node JVM never deserializes a user
 * class. The conductor is the process engine's own, so isolation, hard timeouts, recycling, restart
 * limits, retries and poison detection hold on every node as in {@code Tandem.processes(n)}.
 *
 * <p>Every task submitted gets exactly one reply through the {@link WorkerListener} given at start:
 * {@code result} (the worker's encoded value), {@code copyFailed}, or {@code failed} with an encoded
 * exception: the task's own, or one of Tandem's ({@code WorkerLostException},
 * {@code TaskTimeoutException}, {@code PoisonTaskException}, {@code PoolFailedException}, a
 * {@code CancellationException} for a task {@link #cancel cancelled}); or, once the pool was
 * {@link #kill() killed}, {@code abandoned} for a task the kill stopped: the kill is the node's
 * choice, not the task's fate, and the end of the session that killed the pool decides it (a task
 * that answered all the same, its result or its own exception, is replied as usual). {@code ended}
 * is never called. Thread-safe.
 */
public interface EncodedPool extends AutoCloseable {
    /**
     * Where a node's workers come from.
     *
     * @param classPath the worker JVMs' whole class path (the caller's, shipped), not the node's own
     * @param systemProperties {@code -Dkey=value} arguments the workers get first (the caller's)
     * @param initializer the serialized initializer, or an empty array
     * @param node how failures name this node, e.g. "127.0.0.1:5701"
     * @param leaseEnd when the caller's lease ends, a {@link System#nanoTime()} of this host (asked
     *     under the pool's lock: it must be quick; {@link Long#MAX_VALUE} for never): no task starts
     *     after it, neither in the pool nor in its workers, which get it as it is renewed and hold their
     *     tasks once it ended; so that no task of a caller that may have given up on this node starts,
     *     not even in a worker that ran on while the node was frozen (the node then kills the pool)
     */
    record Launch(
            List<String> classPath,
            List<String> systemProperties,
            byte[] initializer,
            String node,
            LongSupplier leaseEnd) {}

    /**
     * Starts a pool; returns once its workers are ready.
     *
     * @param options the pool's options (process or hybrid mode)
     * @param launch the workers' class path, properties, initializer and node name
     * @param replies where every task's reply goes
     * @return the running pool
     * @throws RuntimeException a {@code WorkerStartException} if a worker cannot start
     */
    static EncodedPool start(PoolOptions options, Launch launch, WorkerListener replies) {
        return EncodedPools.factory().start(options, launch, replies);
    }

    /**
     * Queues a task.
     *
     * @param taskId the caller's id of the task, echoed in its reply
     * @param task the serialized task
     * @param stateless whether the task's class has no state
     */
    void submit(long taskId, byte[] task, boolean stateless);

    /**
     * Cancels a task: dropped if queued, stopped (its worker killed) if running. Its reply is a
     * {@code CancellationException}. No effect on a task already answered.
     *
     * @param taskId the caller's id
     */
    void cancel(long taskId);

    /** {@return the tasks submitted and not yet answered} */
    int outstanding();

    /** {@return whether the pool stopped taking tasks: shut down, or failed} */
    boolean isShutdown();

    /** {@return the process ids of its live worker JVMs} */
    List<Long> workerPids();

    /**
     * Kills every worker now. Unanswered tasks get no reply ({@code abandoned} instead), unless
     * their result or their own exception was already on its way: their session's end accounts for
     * them, as a loss of the node for its caller.
     */
    void kill();

    /**
     * Waits for termination.
     *
     * @param timeout the longest wait
     * @param unit its unit
     * @return whether it terminated
     * @throws InterruptedException if interrupted
     */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;

    /** Drains the queued tasks, then stops the workers. */
    @Override
    void close();
}
