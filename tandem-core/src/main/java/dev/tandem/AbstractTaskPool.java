package dev.tandem;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Future;

/**
 * What both engines share: the options, the serializable {@code submit}, and {@code map}, which is
 * built on {@code submit} alone. Subclasses provide the executor itself.
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
    public <T> Future<T> submit(Task<T> task) {
        return super.submit(task);
    }

    @Override
    public <T, R> List<R> map(TaskFunction<T, R> fn, Iterable<T> inputs) {
        return new MapRun<>(this, fn, inputs).run();
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
