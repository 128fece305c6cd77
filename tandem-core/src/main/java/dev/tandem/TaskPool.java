package dev.tandem;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

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
 * Wrappers that the JDK or a library puts around a task on its way to an executor
 * ({@code CompletableFuture.supplyAsync(supplier, pool)}, Micrometer's
 * {@code ExecutorServiceMetrics.monitor}, Spring's {@code TaskDecorator}, MDC or OpenTelemetry
 * context wrappers) cannot cross either: {@code submit} rejects them with a message that names the
 * wrapper and the Tandem way to get the same thing. {@link java.util.concurrent.ExecutorCompletionService}
 * works in every mode. Thread modes accept every wrapper.
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
 * <p><b>Bounded exits.</b> An idle worker leaves by {@link System#exit}, so that its shutdown hooks
 * run; that exit is bounded by a grace of 5 s ({@code WorkerLaunch.EXIT_GRACE_MILLIS}): a worker
 * whose hooks block, or that is frozen (SIGSTOP), is halted by its own watchdog, and its process tree
 * is killed by the pool 7 s after it was asked to exit (for the one worker writing an AOT cache as it
 * exits, 28 s and 30 s: the JDK assembles the cache then). So
 * {@link #close()}, {@link #shutdown()} followed by {@link #awaitTermination}, and the recycling of
 * {@code maxTasksPerWorker} end in bounded time, whatever user code registered; a worker whose
 * caller dies halts at once, even inside its shutdown hooks.
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
     * fails, the pool stops submitting new batches and this method throws that failure, naming the
     * index of the input that failed.
     *
     * <p><b>Batches that outgrow their estimate.</b> A running batch stops early and returns the
     * outputs it has once they reach 32 MiB (in isolated modes; less on a small worker heap: an
     * eighth of it per worker thread), once its worker's heap is more than half full of live
     * objects, or once it ran half the {@code taskTimeout}; the rest of its inputs is sent again.
     * So outputs that grow inside a batch do not exhaust the worker, and inputs that each take well
     * under the timeout never time out together. Outputs stay in input order; no input whose
     * output came back runs again.
     *
     * <p><b>Failed batches are split.</b> A batch that fails for a reason that names no input (its
     * worker died, for instance of {@link OutOfMemoryError}; it timed out; it was poison; its inputs
     * or outputs could not be serialized) is first retried by the pool as
     * {@code retriesOnWorkerLoss} and {@code poisonThreshold} say, then split in halves, each sent
     * again, down to single inputs; the failure of a single input is thrown, naming it (in hybrid
     * and cluster mode, where a worker runs several batches at once, a single input lost with its
     * worker is first run once more with nothing else of the map beside it, since it may have been
     * a bystander of another input's death). An input
     * is thus in at most {@code 1 + ceil(log2(b))} failed batches, for a batch of {@code b}
     * inputs (at most 65,536). <b>Inputs of a batch lost with its worker may run again</b>, even
     * those that had completed in it: a function with effects that must not repeat should not be
     * mapped in isolated modes, or should be idempotent.
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
     * @throws TaskExecutionException if an application of {@code fn} failed, wrapping the cause:
     *         the function's exception, or for the input that failed alone a
     *         {@link WorkerLostException}, {@link PoisonTaskException}, {@link TaskTimeoutException}
     *         or {@link TaskSerializationException}
     * @throws TaskSerializationException if {@code fn} itself cannot be serialized (isolated modes)
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down or has failed,
     *         or fails ({@link PoolFailedException}), is stopped by {@code shutdownNow} or is shut down
     *         ({@code shutdown}, {@code close}) from another thread while the map runs: the message names the first input that did not complete, and no input is blamed
     * @throws java.util.concurrent.CancellationException if this thread is interrupted; the
     *         interrupt status is restored. The map's own tasks still running are then cancelled
     *         as by {@code cancel(true)}: in processes mode their workers are killed and replaced,
     *         in hybrid mode they are interrupted first. Other tasks are never touched.
     */
    <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs);

    /**
     * {@link #map(TaskFunction, Iterable)}, reporting progress as applications complete: enough to
     * drive a progress bar.
     *
     * <p>{@code progress} is called with the number of inputs whose application has completed so
     * far (their batch returned), each time a batch completes, in the thread that called
     * {@code map}, never concurrently, with strictly increasing values; the last call, when every
     * application succeeded, passes the number of inputs. It is not called for an empty input. The
     * total is the size of {@code inputs} if the caller knows it. An exception thrown by
     * {@code progress} stops the map as a failed application does and is thrown from this method.
     *
     * @param fn the function, copied to workers in isolated modes
     * @param inputs the inputs, read once
     * @param progress called with the count of completed inputs, or null
     * @param <T> the input type
     * @param <R> the output type
     * @return the outputs, in input order
     * @throws TaskExecutionException if an application of {@code fn} failed, wrapping the cause
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down or has failed,
     *         or fails ({@link PoolFailedException}), is stopped by {@code shutdownNow} or is shut down
     *         ({@code shutdown}, {@code close}) from another thread while the map runs: the message names the first input that did not complete, and no input is blamed
     * @throws java.util.concurrent.CancellationException if this thread is interrupted; the
     *         interrupt status is restored
     */
    <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs, LongConsumer progress);

    /**
     * Applies {@code fn} to every input and streams the outputs in input order, as they become
     * available (Python's {@code Pool.imap}, joblib's {@code return_as="generator"}).
     *
     * <p>Nothing is submitted until the stream is consumed. Inputs are then read lazily and sent in
     * batches as {@link #map(TaskFunction, Iterable) map} does, with at most {@code 2 x parallelism}
     * batches in flight; an output waits in a bounded buffer until the outputs before it are
     * consumed, so an endless {@code inputs} works, and a slow consumer holds back submission
     * instead of filling the heap. The stream is sequential and ordered; it does not split.
     *
     * <p><b>Close it</b> (try-with-resources), in particular after a short-circuiting operation
     * such as {@code limit} or {@code findFirst}: closing stops reading inputs and cancels every
     * batch still in flight, interrupting or killing what runs, as {@code cancel(true)} does.
     * A failed application ends the stream the same way and is thrown from the terminal operation
     * as a {@link TaskExecutionException}.
     *
     * <p>Not thread-safe: consume the stream from one thread at a time (it may be closed from any).
     *
     * @param fn the function, copied to workers in isolated modes
     * @param inputs the inputs, read once, lazily, in the consuming thread
     * @param <T> the input type
     * @param <R> the output type
     * @return the outputs in input order; to be closed
     * @throws TaskExecutionException from the terminal operation, if an application failed
     * @throws java.util.concurrent.RejectedExecutionException from the terminal operation, if the
     *         pool is shut down or has failed, or fails or is stopped by {@code shutdownNow} meanwhile
     * @throws java.util.concurrent.CancellationException from the terminal operation, if the
     *         consuming thread is interrupted; the interrupt status is restored
     */
    <T, R> Stream<R> mapStream(TaskFunction<T, R> fn, Iterable<T> inputs);

    /**
     * As {@link #mapStream(TaskFunction, Iterable)}, but streams the outputs in the order their
     * batches complete (Python's {@code imap_unordered} and {@code as_completed}): a slow input
     * does not hold back the outputs of faster ones. Outputs of one batch come in input order; to
     * know which input an output belongs to, return both from {@code fn}. Same batching, bound,
     * laziness, closing and exceptions as {@code mapStream}; the stream is unordered.
     *
     * @param fn the function, copied to workers in isolated modes
     * @param inputs the inputs, read once, lazily, in the consuming thread
     * @param <T> the input type
     * @param <R> the output type
     * @return the outputs in completion order; to be closed
     * @throws TaskExecutionException from the terminal operation, if an application failed
     * @throws java.util.concurrent.RejectedExecutionException from the terminal operation, if the
     *         pool is shut down or has failed, or fails or is stopped by {@code shutdownNow} meanwhile
     * @throws java.util.concurrent.CancellationException from the terminal operation, if the
     *         consuming thread is interrupted; the interrupt status is restored
     */
    <T, R> Stream<R> mapAsCompleted(TaskFunction<T, R> fn, Iterable<T> inputs);

    /**
     * Submits a task and returns a {@link CompletableFuture} of its result, for composition with
     * {@link java.util.concurrent.CompletionStage} ({@code thenApply}, {@code thenCombine},
     * {@code allOf}, ...). Use it instead of {@code CompletableFuture.supplyAsync(supplier, pool)},
     * which cannot send its supplier to a worker JVM.
     *
     * <p>The future completes with the task's result, or exceptionally with what
     * {@link Future#get()} of {@link #submit(Task)} would have thrown as cause (the task's own
     * exception, {@link TaskTimeoutException}, {@link WorkerLostException}, ...). Dependent actions
     * that are not {@code *Async} run in a virtual thread started for the completion, never in a
     * thread of the pool, so they may block. Completing the future from outside, by
     * {@code cancel}, {@code complete}, {@code completeExceptionally} or {@code orTimeout}, reaches
     * the task: it is cancelled as by {@code cancel(true)}, interrupting a running thread or
     * stopping (killing) its worker in isolated modes.
     *
     * <p>Memory effects: actions of the task happen-before the future completes (in isolated modes,
     * the caller sees a copy of the result).
     *
     * @param task the task
     * @param <T> the result type
     * @return a future of the task's result
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down or has failed
     * @throws TaskSerializationException in isolated modes, if the task cannot be serialized
     */
    <T> CompletableFuture<T> supplyAsync(Task<T> task);

    /** {@return the execution model of this pool} */
    Mode mode();

    /** {@return the options this pool was built with} */
    PoolOptions options();

    /**
     * {@return the process ids of the live worker JVMs, empty in thread modes}
     * Useful to observe isolation, for example to watch memory per worker.
     */
    List<Long> workerPids();

    /**
     * {@return what this pool has done since it started and what it holds now: pool size, queue
     * depth, tasks by outcome, latency, worker starts, deaths, restarts and recycling} The same in
     * every mode; see {@link PoolStats} for each value and its unit. Cheap enough to call every few
     * seconds, as a metrics registry does (the {@code tandem-micrometer} module binds it to
     * Micrometer); works after shutdown and termination too.
     */
    PoolStats stats();
}
