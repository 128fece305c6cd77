package dev.tandem;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The {@link CompletableFuture} of {@link TaskPool#supplyAsync(Task)}: completed from the pool's
 * own future of the task, and cancelling that future when it is completed from outside first.
 *
 * <p><b>Concurrency.</b> The pool's future tells when it is done ({@link NotifyingFutureTask}) in
 * whichever thread completed it, which may be a worker's reader thread or the deadline timer; the
 * completion is handed to a new virtual thread so that dependent actions never run there (a
 * dependent that blocks, or waits for another task of the same worker, would stall the replies of
 * that worker). Completing this future from outside ({@code cancel}, {@code complete},
 * {@code orTimeout}, ...) cancels the task with {@code cancel(true)}; a task that is already done
 * is left alone. Dependent stages are plain {@link CompletableFuture}s.
 *
 * <p>Thread-safe, as {@link CompletableFuture}.
 */
final class TaskCompletion<T> extends CompletableFuture<T> {
    /** The pool's future of the task; set once, before this is published. */
    private NotifyingFutureTask<T> task;

    private TaskCompletion() {}

    static <T> CompletableFuture<T> of(AbstractTaskPool pool, Task<T> task) {
        TaskCompletion<T> c = new TaskCompletion<>();
        NotifyingFutureTask<T> f = pool.submitNotifying(task);
        c.task = f;
        f.whenDone(() -> Thread.ofVirtual().name("tandem-completion").start(c::completeFromTask));
        c.whenComplete((value, failure) -> {
            if (!f.isDone()) {
                f.cancel(true);
            }
        });
        return c;
    }

    private void completeFromTask() {
        try {
            complete(task.get());
        } catch (ExecutionException e) {
            completeExceptionally(e.getCause() == null ? e : e.getCause());
        } catch (CancellationException e) {
            completeExceptionally(e);
        } catch (InterruptedException e) {
            // cannot happen: the task is done; keep the status for the thread's owner all the same
            Thread.currentThread().interrupt();
            completeExceptionally(e);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return super.toString() + "[" + task + "]";
    }
}
