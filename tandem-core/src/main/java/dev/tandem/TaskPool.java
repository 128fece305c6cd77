package dev.tandem;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * An {@link ExecutorService} whose tasks run on platform threads, virtual threads, worker JVMs or a
 * hybrid of both, chosen when the pool is built with {@link Tandem}.
 *
 * <p>It adds to the JDK's contract what process pools need: a hard per-task timeout
 * ({@link TaskTimeoutException}), crash recovery ({@link WorkerLostException}), worker recycling
 * and per-worker heap caps, plus an ordered, batched {@link #map(TaskFunction, Iterable) map}.
 *
 * <p><b>Isolated modes.</b> In {@link Mode#PROCESSES} and {@link Mode#HYBRID} every task, its
 * captured state, its inputs and its result are copied between JVMs by Java serialization; no heap
 * is shared. A task that cannot be serialized is rejected when it is submitted with a
 * {@link TaskSerializationException}. A {@code Runnable} or {@code Callable} that is not
 * {@link java.io.Serializable} is rejected the same way; declare lambdas as {@link Task} instead.
 *
 * <p><b>Large data.</b> Primitive arrays and {@link java.nio.ByteBuffer}s of 128 KiB or more,
 * wherever they are in a task's captured state or its result, travel through shared memory beside
 * the task's frame, on either {@link Transport}, instead of through Java serialization: the sender
 * copies them into a shared segment, the receiver copies them out. They are still <em>copies</em>:
 * the copy of a task's data is made when {@code submit} returns, so the caller may change its
 * arrays and buffers right away, and the worker's changes never reach the caller. A
 * {@code ByteBuffer} (which Java serialization cannot send at all) arrives as a new buffer of the
 * same kind (direct or heap), byte order and read-only flag, holding the sender's remaining bytes
 * at position 0; the sender's buffer is not moved. The segments are reused by later tasks and
 * deleted when idle, when the pool terminates, or when their writer dies; this needs no native
 * access. A task whose data cannot fit in a worker's heap is rejected at {@code submit} (or fails
 * when the worker finds no room) with a {@link TaskSerializationException} naming the sizes and
 * the option that raises the heap; a worker's default heap is sized from the machine's memory and
 * the number of workers (at least 1 GiB).
 *
 * <p><b>{@code execute}.</b> A {@code Runnable} given to {@link #execute} that throws is never
 * silent: as with the JDK's executors, its exception goes to the uncaught-exception handler (of a
 * pool thread in thread modes, of a Tandem thread of the caller in isolated modes, where the task
 * ran in another JVM: there it is the exception the caller received, for instance a
 * {@link RemoteTaskException} or a {@link WorkerLostException}). Tasks given to {@code submit},
 * {@code invokeAll} and {@code invokeAny} report through their futures only.
 *
 * <p><b>Stopping running tasks.</b> In thread modes, {@link #shutdownNow()} and a {@link #close()}
 * whose thread is interrupted interrupt running tasks, as the JDK's executors do; a task that
 * ignores the interrupt runs on. In isolated modes a worker cannot be trusted to stop when asked, so
 * they <em>kill the workers</em>: every task that was running ends <em>cancelled</em>
 * ({@link Future#isCancelled()} is true, {@link Future#get()} throws
 * {@link java.util.concurrent.CancellationException}, {@link Future#state()} is {@code CANCELLED}),
 * and the tasks that never started are returned by {@code shutdownNow()}, as the JDK's contract says.
 *
 * <p><b>Termination.</b> In isolated modes {@link #isTerminated()} turns true only once every
 * worker JVM has exited, so even an idle pool reaches it a few milliseconds after
 * {@link #shutdown()}, not at once; {@link #awaitTermination} waits for that.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread.
 *
 * <p><b>Memory consistency effects:</b> as for {@link ExecutorService}, actions in a thread before
 * submitting a task happen-before the task runs (in isolated modes, the task sees the state the
 * caller had when it was serialized), and the task's result and effects as observed through its
 * {@link Future} happen-before the return of {@link Future#get()}.
 */
public interface TaskPool extends ExecutorService {

    /**
     * Submits a serializable value-returning task. Preferred over {@link #submit(java.util.concurrent.Callable)}
     * for lambdas, which then become serializable.
     *
     * @param task the task
     * @param <T> the result type
     * @return a future that completes with the task's result or failure
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down or has failed
     * @throws TaskSerializationException in isolated modes, if the task cannot be serialized
     */
    <T> Future<T> submit(Task<T> task);

    /**
     * Applies {@code fn} to every input and returns the outputs in input order.
     *
     * <p>Inputs are consumed lazily with a bounded number in flight, and small tasks are batched
     * automatically: the batch size grows until one batch takes about 20 ms of worker time, as
     * joblib's auto batching does, or carries about 8 MiB of inputs and outputs. In isolated modes
     * numbers and strings travel in columns, without an object per element. If any application
     * fails, the pool stops submitting new batches and this method throws that failure.
     *
     * <p>The returned list is unmodifiable. Numeric outputs ({@link Integer}, {@link Long},
     * {@link Double}) stay in primitive arrays and are boxed when read, so reading an element twice
     * may give two equal but distinct objects.
     *
     * @param fn the function, copied to workers in isolated modes
     * @param inputs the inputs, read once
     * @param <T> the input type
     * @param <R> the output type
     * @return the outputs, in input order; unmodifiable
     * @throws TaskExecutionException if an application of {@code fn} failed, wrapping the cause
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down or has failed
     * @throws java.util.concurrent.CancellationException if this thread is interrupted; the
     *         interrupt status is restored
     */
    <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs);

    /** {@return the execution model of this pool} */
    Mode mode();

    /** {@return the options this pool was built with} */
    PoolOptions options();

    /**
     * {@return the process ids of the live worker JVMs, empty in thread modes}
     * Useful to observe isolation, for example to watch memory per worker.
     */
    List<Long> workerPids();
}
