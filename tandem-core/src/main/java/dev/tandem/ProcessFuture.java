package dev.tandem;

import dev.tandem.protocol.BulkWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of one task in a process or hybrid pool.
 *
 * <p>It completes exactly once, by whichever comes first: the worker's reply, the deadline, a
 * cancel, the loss of its worker, or the pool's failure. Later outcomes are ignored, so a late reply
 * can never overwrite a timeout, and since every frame carries the task id, never completes another
 * task. {@link #run()} runs the task in the calling thread, for tasks handed back by
 * {@code shutdownNow()}.
 *
 * <p>Fields other than the final ones are guarded by the pool's lock.
 */
final class ProcessFuture<T> extends NotifyingFutureTask<T> {
    final ProcessTaskPool pool;
    final long id;
    final Callable<T> callable;
    /** Resolves the classes of the result: the loader of the user's code (for map, of its function). */
    final ClassLoader loader;
    /** Whether the task's class has no state (see {@link StatelessTasks}). */
    final boolean stateless;
    /** The serialized task; kept until done so the task can be sent again after a worker loss. */
    private final byte[] bytes;
    /**
     * The worker it was sent to, or null while queued in the caller. Written under the pool's lock;
     * volatile so that a thread in {@link #get()} can find whose replies to read.
     */
    private volatile WorkerWindow worker;
    /** When it became one of its worker's running tasks, or 0. */
    private long startedNanos;
    /** Its deadline while it runs ({@link #armDeadline}), or null; cancelled when it completes. */
    private volatile ScheduledFuture<?> deadline;
    /**
     * The size of its result as it travelled (its frame and the shared memory beside it), or 0 until
     * then; read by {@code map} to size batches.
     */
    private volatile long replyBytes;
    /** How many times it was sent to a worker and not sent back untouched. Guarded by the pool's lock. */
    private int attempts;
    /**
     * The shared memory holding the task's large arrays and buffers ({@link BulkLane}); kept until
     * done for the same reason, then given back.
     */
    private final List<BulkWriter.Lease> leases;
    /** See {@link #fingerprint()}; 0 until computed. Guarded by the pool's lock. */
    private long fingerprint;
    /** See {@link #description()}; null until computed (racy but idempotent: strings are immutable). */
    private String description;

    /** The id of the worker it last started on, or 0; for {@link PoolEvents}. */
    private int startedOn;
    /** When the pool accepted it ({@link System#nanoTime()}), or 0 if it never did; see {@link PoolEvents}. */
    private volatile long queuedNanos;

    /** Whether a failure goes to an uncaught-exception handler: a Runnable given to {@code execute}. */
    private volatile boolean reportsUncaught;

    ProcessFuture(
            ProcessTaskPool pool,
            long id,
            Callable<T> callable,
            byte[] bytes,
            boolean stateless,
            List<BulkWriter.Lease> leases) {
        super(callable);
        this.leases = leases;
        this.stateless = stateless;
        Object userCode = callable instanceof MapBatch.Batch<?, ?> batch ? batch.fn() : TaskEncoder.userTask(callable);
        this.loader = userCode.getClass().getClassLoader();
        this.pool = pool;
        this.id = id;
        this.callable = callable;
        this.bytes = bytes;
    }

    /**
     * {@return a hash of the serialized task, which identifies a task that kills workers across
     * submissions} Computed when first needed (pool lock held), since most tasks never need it.
     */
    long fingerprint() {
        long h = fingerprint;
        if (h == 0) {
            // Arrays.hashCode is vectorized (about 10x a plain loop): this runs for every task submitted.
            h = (1125899906842597L * Arrays.hashCode(bytes)) ^ ((long) bytes.length << 40);
            fingerprint = h == 0 ? 1 : h;
        }
        return h;
    }

    /** {@return the size of the task as it travels: its frame and the shared memory beside it} */
    long sentBytes() {
        long n = bytes.length;
        for (BulkWriter.Lease l : leases) {
            n += l.entry().bytes();
        }
        return n;
    }

    /**
     * {@return "task #id (class)", for messages; for a map batch "task #id (map of class, inputs #a to
     * #b)", so that a batch's failure names the user's function and the inputs it held}
     */
    String description() {
        String d = description;
        if (d == null) {
            d = callable instanceof EncodedPoolAdapter.Task t
                    ? "task #" + t.callerTaskId()
                    : callable instanceof MapBatch.Batch<?, ?> b
                            ? "task #" + id + " (map of " + PoolEvents.nameOf(b) + ", inputs #" + b.start() + " to #"
                                    + (b.start() + b.inputs().size() - 1) + ")"
                            : "task #" + id + " ("
                                    + TaskEncoder.userTask(callable).getClass().getName() + ")";
            description = d;
        }
        return d;
    }

    /**
     * Reads the reply itself when it can (see {@link ReplyReading}), else spins briefly (see
     * {@link SpinWait}; not for a cluster's task, whose round trip is ten times the spin, so that
     * spinning would only take a CPU from the node and its workers), then blocks.
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone() && !lead(ReplyReading.LEAD_NANOS)) {
            if (pool.options.mode() != Mode.CLUSTER) {
                SpinWait.briefly(this);
            }
            needReader();
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        long start = System.nanoTime();
        if (!isDone() && nanos > 0 && !lead(Math.min(nanos, ReplyReading.LEAD_NANOS))) {
            needReader();
        }
        return super.get(nanos - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
    }

    /** Before blocking without reading: makes sure someone reads its worker's replies now. */
    private void needReader() {
        if (sharedMemory() instanceof SharedMemoryLink link && !isDone()) {
            link.needReader();
        }
    }

    /**
     * Leads the reading of its worker's replies for at most {@code nanos}, when its replies come over
     * shared memory (see {@link SharedMemoryLink#lead}).
     *
     * @return whether it read
     */
    private boolean lead(long nanos) throws InterruptedException {
        return sharedMemory() instanceof SharedMemoryLink link && link.lead(this, nanos);
    }

    /** {@return the shared-memory link of the worker it was sent to, or null} */
    private SharedMemoryLink sharedMemory() {
        WorkerWindow w = worker;
        return w != null && w.worker() instanceof WorkerProcess p && p.link() instanceof SharedMemoryLink link
                ? link
                : null;
    }

    // ---------------------------------------------------------------- transitions (pool lock held)

    /** Sent to {@code w}: one more attempt. */
    void sentTo(WorkerWindow w) {
        worker = w;
        attempts++;
    }

    /** Back to the front of the queue untouched, from a worker that never ran it: the attempt does not count. */
    void requeued() {
        worker = null;
        attempts--;
    }

    /** Its worker ended, or was stopped: it is no worker's any more. */
    void leftWorker() {
        worker = null;
    }

    /** Starts (or restarts) its deadline, cancelling the one it had. */
    void armDeadline(ScheduledFuture<?> d) {
        ScheduledFuture<?> old = deadline;
        if (old != null) {
            old.cancel(false);
        }
        deadline = d;
    }

    /** Records the size of its result as it travelled (its frame and the shared memory beside it). */
    void replied(long bytes) {
        replyBytes = bytes;
    }

    // ---------------------------------------------------------------- reads

    /** {@return the worker it was sent to, or null while queued in the caller} */
    WorkerWindow worker() {
        return worker;
    }

    /** {@return how many times it was sent to a worker (pool lock held)} */
    int attempts() {
        return attempts;
    }

    /** {@return when it became one of its worker's running tasks, or 0 (pool lock held)} */
    long startedNanos() {
        return startedNanos;
    }

    /** {@return the serialized task} */
    byte[] bytes() {
        return bytes;
    }

    /** {@return the size of its result as it travelled, or 0 until then; read by {@code map} to size batches} */
    long replyBytes() {
        return replyBytes;
    }

    /** The pool accepted it (pool lock held). */
    void queued() {
        queuedNanos = System.nanoTime();
        pool.events.taskQueued(id, callable);
    }

    /** It became one of {@code w}'s running tasks: its clock starts (pool lock held). */
    void started(WorkerWindow w) {
        startedNanos = System.nanoTime();
        startedOn = w.id();
        pool.events.taskStarted(id, callable, startedOn, attempts, queuedNanos, startedNanos);
    }

    void succeed(T value) {
        releaseData();
        set(value);
    }

    void fail(Throwable t) {
        releaseData();
        setException(t);
    }

    /**
     * Gives back the shared memory of the task's data, before the future completes, so that a thread
     * that sees it done also sees its segments free. Also run by {@link #done()} (for cancels),
     * idempotently. A completion that loses a race with another was for a future done already.
     */
    private void releaseData() {
        if (!leases.isEmpty()) {
            pool.decoder().lane().release(leases);
        }
    }

    /** Ends it cancelled, without asking the pool to stop it: the pool killed its worker. */
    void cancelledByPool() {
        super.cancel(false);
    }

    /** Makes a failure of this future go to an uncaught-exception handler, as {@code execute} does. */
    void reportUncaught() {
        reportsUncaught = true;
        if (isDone()) {
            report();
        }
    }

    private void report() {
        if (state() != State.FAILED) {
            return;
        }
        Throwable t = exceptionNow();
        // On a thread of its own: the handler is the user's code, and a future may complete under
        // the pool's lock.
        Thread.ofPlatform().name("tandem-uncaught").daemon().start(() -> {
            Thread self = Thread.currentThread();
            self.getUncaughtExceptionHandler().uncaughtException(self, t);
        });
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(false)) {
            return false;
        }
        pool.onCancel(this, mayInterruptIfRunning);
        return true;
    }

    @Override
    protected void done() {
        // Counted before the actions run, so that what they trigger sees it. startedNanos and
        // startedOn are written under the pool's lock; a canceller may read them stale, which only
        // shifts the wait and run times of its JFR event.
        pool.events.taskFinished(id, callable, this, startedOn, queuedNanos != 0, queuedNanos, startedNanos);
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        releaseData();
        super.done(); // the actions of whenDone: a map, supplyAsync, invokeAny, a node's answer
        if (reportsUncaught) {
            report();
        }
    }

    @Override
    public String toString() {
        return description();
    }
}
