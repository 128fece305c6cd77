package dev.tandem.micrometer;

import dev.tandem.PoolStats;
import dev.tandem.TaskPool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds the statistics of one {@link TaskPool} ({@link TaskPool#stats()}) to a Micrometer
 * {@link MeterRegistry}, in every mode:
 *
 * <pre>{@code
 * TaskPool pool = Tandem.processes(4).start();
 * new TaskPoolMetrics(pool, "images", Tags.empty()).bindTo(registry);
 * // or: TaskPoolMetrics.monitor(registry, pool, "images");
 * }</pre>
 *
 * <table class="striped">
 * <caption>The meters, each tagged {@code name} (the name given here) and {@code mode}
 * ({@code threads}, {@code virtual_threads}, {@code processes}, {@code hybrid})</caption>
 * <tr><th>Meter</th><th>Type</th><th>Base unit</th><th>What</th></tr>
 * <tr><td>{@code tandem.pool.workers}</td><td>gauge</td><td>workers</td><td>the pool's size now: worker
 *     JVMs serving, pool threads, or virtual threads running a task</td></tr>
 * <tr><td>{@code tandem.pool.queued}</td><td>gauge</td><td>tasks</td><td>queue depth: accepted, not yet
 *     running</td></tr>
 * <tr><td>{@code tandem.pool.running}</td><td>gauge</td><td>tasks</td><td>tasks running now</td></tr>
 * <tr><td>{@code tandem.tasks.submitted}</td><td>function counter</td><td>tasks</td><td>tasks
 *     accepted</td></tr>
 * <tr><td>{@code tandem.tasks.completed}</td><td>function counter, tag {@code outcome}</td><td>tasks</td>
 *     <td>tasks completed, by outcome: {@code succeeded}, {@code failed}, {@code timed_out},
 *     {@code cancelled}, {@code lost} (their worker died)</td></tr>
 * <tr><td>{@code tandem.tasks.latency}</td><td>function timer</td><td>seconds (as the registry
 *     says)</td><td>count and total time of the completed tasks timed (in a thread pool, those
 *     submitted after this binder was bound), from submission to completion</td></tr>
 * <tr><td>{@code tandem.workers.started}</td><td>function counter</td><td>workers</td><td>worker JVMs
 *     started, replacements included</td></tr>
 * <tr><td>{@code tandem.workers.deaths}</td><td>function counter</td><td>workers</td><td>worker JVMs that
 *     ended unplanned (crash, {@code System.exit}, a kill from outside)</td></tr>
 * <tr><td>{@code tandem.workers.restarts}</td><td>function counter</td><td>workers</td><td>replacements
 *     started for those deaths and for failed starts</td></tr>
 * <tr><td>{@code tandem.workers.recycled}</td><td>function counter</td><td>workers</td><td>workers retired
 *     after their task budget ({@code maxTasksPerWorker})</td></tr>
 * </table>
 *
 * <p>The latency is a {@link FunctionTimer} over the pool's running totals: registries show its count,
 * total and mean, not percentiles (record {@code dev.tandem.TaskFinished} with JFR for each task's
 * wait and run times). Thread modes have no workers: their worker counters stay at 0.
 *
 * <p>Each meter reads {@link TaskPool#stats()} when the registry polls it, so the values are as
 * fresh as the poll; a snapshot costs a few counter reads (in isolated modes, a short hold of the
 * pool's lock). Like Micrometer's own binders, the meters hold the pool weakly: they read
 * {@code NaN} once it is garbage. Thread-safe; {@link #bindTo} may be called for several
 * registries.
 */
public final class TaskPoolMetrics implements MeterBinder {
    /** The {@code outcome} tags of {@code tandem.tasks.completed}, named as in Tandem's JFR events. */
    private static final List<Map.Entry<String, ToDoubleFunction<PoolStats>>> OUTCOMES = List.of(
            Map.entry("succeeded", PoolStats::tasksSucceeded),
            Map.entry("failed", PoolStats::tasksFailed),
            Map.entry("timed_out", PoolStats::tasksTimedOut),
            Map.entry("cancelled", PoolStats::tasksCancelled),
            Map.entry("lost", PoolStats::tasksLost));

    private final TaskPool pool;
    private final Tags tags;

    /**
     * Prepares the meters of {@code pool}; {@link #bindTo} registers them.
     *
     * @param pool the pool to observe
     * @param name the value of the {@code name} tag, to tell pools apart
     * @param tags further tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public TaskPoolMetrics(TaskPool pool, String name, Iterable<Tag> tags) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", Objects.requireNonNull(name, "name"))
                .and("mode", pool.mode().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Binds the meters of {@code pool} to {@code registry}, as Micrometer's
     * {@code ExecutorServiceMetrics.monitor} does for the JDK's executors, but without wrapping the
     * pool: a process pool's tasks cannot carry a wrapper into their worker.
     *
     * @param registry where the meters go
     * @param pool the pool to observe
     * @param name the value of the {@code name} tag
     * @param tags further tags
     * @return {@code pool} itself
     */
    public static TaskPool monitor(MeterRegistry registry, TaskPool pool, String name, Tag... tags) {
        new TaskPoolMetrics(pool, name, Tags.of(tags)).bindTo(registry);
        return pool;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        pool.stats(); // a thread pool times its tasks from its first stats() on: from now, then
        String workers = "workers";
        gauge(
                registry,
                "tandem.pool.workers",
                "The pool's size: worker JVMs serving, or threads",
                workers,
                PoolStats::workers);
        gauge(registry, "tandem.pool.queued", "Tasks accepted and not yet running", BaseUnits.TASKS, PoolStats::queued);
        gauge(registry, "tandem.pool.running", "Tasks running now", BaseUnits.TASKS, PoolStats::running);
        counter(
                registry,
                "tandem.tasks.submitted",
                "Tasks accepted",
                BaseUnits.TASKS,
                Tags.empty(),
                PoolStats::tasksSubmitted);
        for (Map.Entry<String, ToDoubleFunction<PoolStats>> outcome : OUTCOMES) {
            Tags tag = Tags.of("outcome", outcome.getKey());
            counter(
                    registry,
                    "tandem.tasks.completed",
                    "Tasks completed, by outcome",
                    BaseUnits.TASKS,
                    tag,
                    outcome.getValue());
        }
        FunctionTimer.builder(
                        "tandem.tasks.latency",
                        pool,
                        p -> p.stats().tasksTimed(),
                        p -> p.stats().taskLatencyNanos(),
                        TimeUnit.NANOSECONDS)
                .description("Time from a task's submission to its completion, queueing included")
                .tags(tags)
                .register(registry);
        counter(
                registry,
                "tandem.workers.started",
                "Worker JVMs started",
                workers,
                Tags.empty(),
                PoolStats::workersStarted);
        counter(
                registry,
                "tandem.workers.deaths",
                "Worker JVMs that ended unplanned",
                workers,
                Tags.empty(),
                PoolStats::workersDied);
        counter(
                registry,
                "tandem.workers.restarts",
                "Replacements of workers that died unplanned or failed to start",
                workers,
                Tags.empty(),
                PoolStats::workersRestarted);
        counter(
                registry,
                "tandem.workers.recycled",
                "Workers retired after their task budget",
                workers,
                Tags.empty(),
                PoolStats::workersRecycled);
    }

    private void gauge(
            MeterRegistry registry, String name, String description, String unit, ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, pool, p -> value.applyAsDouble(p.stats()))
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry,
            String name,
            String description,
            String unit,
            Tags more,
            ToDoubleFunction<PoolStats> value) {
        FunctionCounter.builder(name, pool, p -> value.applyAsDouble(p.stats()))
                .description(description)
                .baseUnit(unit)
                .tags(tags.and(more))
                .register(registry);
    }
}
