package dev.tandem;

/**
 * Makes {@link java.util.concurrent.ExecutorCompletionService} work on a process pool.
 *
 * <p>{@code ExecutorCompletionService.submit(task)} asks the pool for a future of the task
 * ({@code newTaskFor}), then executes a {@code QueueingFuture} around it, a wrapper that puts the
 * future on the service's queue when it is done and that cannot be copied to a worker. This
 * adapter remembers, per thread, the future the pool made last; when the next {@code execute} of
 * that thread receives a {@code QueueingFuture} around that very future (its {@code toString}
 * names it), the pool runs the inner future instead and runs the wrapper in the caller once the
 * future is done, which only queues the future (its own {@code run} does nothing on a done
 * future). Anything else is left to the caller.
 *
 * <p>Thread-safe: the memory is a {@link ThreadLocal}, cleared by every {@code execute}.
 */
final class CompletionServiceAdapter {
    static final String QUEUEING_FUTURE = "java.util.concurrent.ExecutorCompletionService$QueueingFuture";

    /** The future made last by {@code newTaskFor} in this thread and not executed since. */
    private final ThreadLocal<NotifyingFutureTask<?>> lastMade = new ThreadLocal<>();

    /**
     * Remembers a future that {@code newTaskFor} made.
     *
     * @param future the new future
     * @return {@code future}
     */
    <F extends NotifyingFutureTask<?>> F made(F future) {
        lastMade.set(future);
        return future;
    }

    /**
     * Called by {@code execute}: forgets the remembered future and, if {@code command} is a
     * {@code QueueingFuture} around it, arranges for {@code command} to run once it is done.
     *
     * @param command what {@code execute} received
     * @return the future to run instead of {@code command}, or null
     */
    NotifyingFutureTask<?> adopt(Runnable command) {
        NotifyingFutureTask<?> f = lastMade.get();
        if (f == null) {
            return null;
        }
        lastMade.remove();
        if (f == command
                || !command.getClass().getName().equals(QUEUEING_FUTURE)
                || !command.toString().contains("[Wrapped task = " + f + "]")) {
            return null;
        }
        f.whenDone(command);
        return f;
    }
}
