package dev.tandem;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code invokeAny} of a process pool: submits every task, returns the first result, and cancels
 * the others (with interrupt: their workers are stopped). Every task is serialized before any is
 * submitted, so an unserializable one is rejected before anything runs.
 */
final class InvokeAny {
    private InvokeAny() {}

    /** {@code invokeAny} without a timeout. */
    static <T> T untimed(ProcessTaskPool pool, Collection<? extends Callable<T>> tasks)
            throws InterruptedException, ExecutionException {
        try {
            return run(pool, tasks, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot happen without a timeout", e);
        }
    }

    /**
     * @param nanos the time to wait, or {@link Long#MAX_VALUE} for no limit
     */
    static <T> T run(ProcessTaskPool pool, Collection<? extends Callable<T>> tasks, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        LinkedBlockingQueue<ProcessFuture<?>> done = new LinkedBlockingQueue<>();
        List<ProcessFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> c : tasks) {
                futures.add(pool.newFuture(c));
            }
            for (ProcessFuture<T> f : futures) {
                f.whenDone(() -> done.add(f));
                pool.execute(f);
            }
            ExecutionException last = null;
            for (int remaining = futures.size(); remaining > 0; remaining--) {
                ProcessFuture<?> f = deadline == Long.MAX_VALUE
                        ? done.take()
                        : done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny completed in time");
                }
                try {
                    @SuppressWarnings("unchecked")
                    T value = (T) f.get();
                    return value;
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            for (ProcessFuture<T> f : futures) {
                f.cancel(true);
            }
        }
    }
}
