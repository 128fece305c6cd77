package dev.tandem;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

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
final class ProcessFuture<T> extends FutureTask<T> {
    final ProcessTaskPool pool;
    final long id;
    final Callable<T> callable;
    final long fingerprint;
    final String description;
    /** Resolves the classes of the result: the loader of the user's code (for map, of its function). */
    final ClassLoader loader;
    /** Whether the task's class has no state (see {@link StatelessTasks}). */
    final boolean stateless;
    /** The serialized task; kept until done so the task can be sent again after a worker loss. */
    byte[] bytes;
    /** The worker it was sent to, or null while queued in the caller. */
    WorkerProcess worker;
    /** When it became one of its worker's running tasks, or 0. */
    long startedNanos;
    ScheduledFuture<?> deadline;
    int attempts;
    private volatile Consumer<ProcessFuture<?>> onDone;

    ProcessFuture(ProcessTaskPool pool, long id, Callable<T> callable, byte[] bytes, boolean stateless) {
        super(callable);
        this.stateless = stateless;
        Object userCode = callable instanceof MapRun.Batch<?, ?> batch ? batch.fn() : callable;
        this.loader = userCode.getClass().getClassLoader();
        this.pool = pool;
        this.id = id;
        this.callable = callable;
        this.bytes = bytes;
        this.fingerprint = fingerprint(bytes);
        this.description = "task #" + id + " (" + callable.getClass().getName() + ")";
    }

    private static long fingerprint(byte[] bytes) {
        long h = 1125899906842597L;
        for (byte b : bytes) {
            h = 31 * h + b;
        }
        return h ^ ((long) bytes.length << 40);
    }

    /** Spins briefly before blocking, see {@link SpinWait}. */
    @Override
    public T get() throws InterruptedException, java.util.concurrent.ExecutionException {
        SpinWait.briefly(this);
        return super.get();
    }

    void succeed(T value) {
        set(value);
    }

    void fail(Throwable t) {
        setException(t);
    }

    void onDone(Consumer<ProcessFuture<?>> listener) {
        this.onDone = listener;
        if (isDone()) {
            listener.accept(this);
        }
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
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        Consumer<ProcessFuture<?>> listener = onDone;
        if (listener != null) {
            listener.accept(this);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
