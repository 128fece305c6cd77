package dev.tandem;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * What both engines share: the options, the serializable {@code submit}, and what is built on
 * {@code submit} alone: {@code map} and its streaming forms ({@link MapRun}) and
 * {@code supplyAsync} ({@link TaskCompletion}). Subclasses provide the executor itself, and make
 * every future a {@link NotifyingFutureTask} so that these can wait for many futures at once.
 */
abstract sealed class AbstractTaskPool extends AbstractExecutorService implements TaskPool
        permits ThreadTaskPool, ProcessTaskPool {
    /** The validated options; immutable. */
    final PoolOptions options;
    /** Where the engine reports what happens: statistics, JFR events, log lines. */
    final PoolEvents events;

    AbstractTaskPool(PoolOptions options) {
        this.options = options;
        this.events = new PoolEvents(options);
    }

    @Override
    protected abstract <T> NotifyingFutureTask<T> newTaskFor(Callable<T> callable);

    /**
     * {@return the exception a submission gets now if the pool was stopped by {@code shutdownNow} (or an
     * interrupted {@code close}) or has failed, else null: it runs, or was shut down gracefully and still
     * runs what it was given} A {@link MapRun} asks it to tell a batch cut short by its pool from an
     * input's failure. Thread-safe.
     */
    abstract RejectedExecutionException cutShort();

    /**
     * {@return {@code never}, the tasks {@code shutdownNow} found not started, without the batches of a
     * {@code map}, which are cancelled instead} A map waiting for such a batch would wait for ever, and the
     * caller, given back a batch it never submitted, could do nothing with it.
     */
    static List<Runnable> cancelMapBatches(List<Runnable> never) {
        List<Runnable> users = new ArrayList<>(never.size());
        for (Runnable r : never) {
            if (r instanceof NotifyingFutureTask<?> f && f.mapBatch()) {
                f.cancel(false);
            } else {
                users.add(r);
            }
        }
        return users;
    }

    @Override
    public <T> Future<T> submit(Task<T> task) {
        return submitNotifying(task);
    }

    /** {@link #submit(Task)}, returning the future as the engine made it. */
    final <T> NotifyingFutureTask<T> submitNotifying(Task<T> task) {
        NotifyingFutureTask<T> f = newTaskFor(Objects.requireNonNull(task, "task"));
        execute(f);
        return f;
    }

    @Override
    public <T> CompletableFuture<T> supplyAsync(Task<T> task) {
        return TaskCompletion.of(this, task);
    }

    @Override
    public <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs) {
        return map(fn, inputs, null);
    }

    @Override
    public <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs, LongConsumer progress) {
        try (MapRun<T, R> run = new MapRun<>(this, fn, inputs, true, progress)) {
            return run.toList();
        }
    }

    @Override
    public <T, R> Stream<R> mapStream(TaskFunction<T, R> fn, Iterable<T> inputs) {
        return stream(new MapRun<>(this, fn, inputs, true, null), Spliterator.ORDERED);
    }

    @Override
    public <T, R> Stream<R> mapAsCompleted(TaskFunction<T, R> fn, Iterable<T> inputs) {
        return stream(new MapRun<>(this, fn, inputs, false, null), 0);
    }

    private static <R> Stream<R> stream(MapRun<?, R> run, int characteristics) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(run, characteristics), false)
                .onClose(run::close);
    }

    @Override
    public Mode mode() {
        return options.mode();
    }

    @Override
    public PoolOptions options() {
        return options;
    }
}
