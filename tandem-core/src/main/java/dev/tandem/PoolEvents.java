package dev.tandem;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one event sink of a pool: its engines call it at each change of a task's or a worker's state,
 * and it turns each call into the pool's counters ({@link PoolStats}), a JDK Flight Recorder event
 * ({@link FlightEvents}) when a recording wants it, and, for what is rare, a line on the
 * {@link System.Logger} named {@code dev.tandem}. Engines only report; they never read it back.
 *
 * <h2>Who calls what</h2>
 * <table class="striped">
 * <caption>The hooks</caption>
 * <tr><th>Hook</th><th>Process engine</th><th>Thread engine</th></tr>
 * <tr><td>{@link #taskQueued}</td><td>{@code ProcessTaskPool.execute}, lock held</td>
 *     <td>{@code ThreadTaskPool.execute}, before the executor takes it</td></tr>
 * <tr><td>{@link #taskStarted}</td><td>{@link ProcessFuture#started}, from {@link TaskStops}: the task
 *     became one of its worker's running tasks; lock held</td><td>the pool thread, as the task begins</td></tr>
 * <tr><td>{@link #taskFinished}</td><td colspan="2">the future's {@code done()}, in whichever thread
 *     completed it (a reader, the deadline timer, a canceller, a pool thread)</td></tr>
 * <tr><td>{@link #workerStarted}, {@link #workerRecycled}, {@link #workerDied}</td><td>the transitions of
 *     {@link WorkerWindow}: started, retiring, dead; lock held</td><td>—</td></tr>
 * <tr><td>{@link #replacing}, {@link #startFailed}, {@link #poolFailed}</td><td>the conductor, lock
 *     held</td><td>—</td></tr>
 * </table>
 *
 * <h2>Cost</h2>
 * Per task: two counter updates, plus, while tasks are timed ({@link #timesTasks()}), a third and
 * two {@link System#nanoTime()} reads, plus, only while a recording has the event enabled, building
 * and committing its JFR event. Isolated modes time every task (a task costs them tens of
 * microseconds); thread modes only once {@link #stats} was first asked for, or while a recording
 * wants task times: on this project's 2-vCPU VM the two clock reads (about 30 ns each) were two thirds
 * of what the statistics added to an empty task, which the JDK's pool runs in about 93 ns
 * (docs/performance.md). Strings (class names,
 * messages) are built only after {@link jdk.jfr.Event#isEnabled()} or
 * {@link Logger#isLoggable(Level)} said yes. Nothing per task is logged.
 *
 * <h2>Log levels</h2>
 * WARNING for what the pool did not plan (a worker's crash, a cluster node lost, a failed start, a
 * restart after a crash loop's backoff), INFO for the immediate replacement of a worker that crashed
 * after useful work, ERROR (one line, its stack at DEBUG only) when the pool fails, DEBUG for what
 * it planned (starts, recycling, kills of timed-out or cancelled tasks, exits at shutdown, a start
 * abandoned as the pool stops) and for a cluster pool's new session after a loss.
 *
 * <h2>Concurrency</h2>
 * Thread-safe; no hook blocks or takes a lock: counters are {@link LongAdder}s and atomics, JFR
 * commits are lock-free. The worker and pool hooks run under the pool's lock, so a log handler that
 * blocks would hold the pool while a worker dies; those lines are a handful per death.
 */
final class PoolEvents {
    private static final Logger LOG = System.getLogger("dev.tandem");

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    /** How a task ended, as PoolStats counts it; {@link #tag} names it in JFR and metrics. */
    enum Outcome {
        SUCCEEDED("succeeded"),
        FAILED("failed"),
        TIMED_OUT("timed_out"),
        CANCELLED("cancelled"),
        LOST("lost");

        final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        static Outcome of(Future<?> done) {
            return switch (done.state()) {
                case SUCCESS -> SUCCEEDED;
                case CANCELLED -> CANCELLED;
                default ->
                    switch (done.exceptionNow()) {
                        case TaskTimeoutException _ -> TIMED_OUT;
                        case WorkerLostException _, PoisonTaskException _ -> LOST;
                        default -> FAILED;
                    };
            };
        }
    }

    /** Identifies the pool in events and log lines; unique in this JVM, from 1. */
    final int poolId;

    private final Mode mode;
    /** Ids for tasks of thread modes (isolated modes number their tasks for the wire). */
    private final AtomicLong taskIds = new AtomicLong();

    private final LongAdder submitted = new LongAdder();
    /** Indexed by {@link Outcome#ordinal()}. */
    private final LongAdder[] completed = new LongAdder[Outcome.values().length];

    private final LongAdder latencyNanos = new LongAdder();
    /** Completed tasks whose latency is in {@link #latencyNanos}. */
    private final LongAdder timed = new LongAdder();

    /**
     * Whether every task is timed: from the start in isolated modes, from the first {@link #stats}
     * in thread modes. Only ever changes from false to true.
     */
    private volatile boolean timing;
    /** Tasks inside a pool thread now (thread modes only). */
    private final AtomicLong workersStarted = new AtomicLong();

    private final AtomicLong workersDied = new AtomicLong();
    private final AtomicLong workersRestarted = new AtomicLong();
    private final AtomicLong workersRecycled = new AtomicLong();

    PoolEvents(PoolOptions options) {
        this.poolId = POOL_IDS.incrementAndGet();
        this.mode = options.mode();
        this.timing = mode != Mode.THREADS && mode != Mode.VIRTUAL_THREADS;
        for (int i = 0; i < completed.length; i++) {
            completed[i] = new LongAdder();
        }
    }

    /**
     * {@return whether a recording wants any task event now} The thread modes give a task its id only
     * then. Costs three flag reads.
     */
    boolean tracesTasks() {
        return new FlightEvents.TaskQueued().isEnabled() || recordsStarts();
    }

    /**
     * {@return whether a task queued now must read the clock} For the pool's latency statistics (see
     * {@link #timing}) or a recording that wants task times. Costs a flag read, three while not timing.
     */
    boolean timesTasks() {
        return timing || recordsStarts();
    }

    /** {@return a new id for a task of a thread mode} */
    long newTaskId() {
        return taskIds.incrementAndGet();
    }

    // ---------------------------------------------------------------- tasks

    /** The pool accepted task {@code taskId}, whose user code is {@code task}. */
    void taskQueued(long taskId, Object task) {
        submitted.increment();
        FlightEvents.TaskQueued e = new FlightEvents.TaskQueued();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.taskId = taskId;
            e.task = nameOf(task);
            e.commit();
        }
    }

    /** A submission counted by {@link #taskQueued} was rejected after all (thread modes). */
    void taskRejected() {
        submitted.decrement();
    }

    /**
     * {@return whether a recording wants the time a task starts now: the events that carry it,
     * {@link FlightEvents.TaskStarted} and {@link FlightEvents.TaskFinished}'s wait and run times,
     * are enabled} Without one, the thread modes skip the clock read at a task's start (a task that
     * started before a recording began is recorded as waiting until it finished). Costs a flag read.
     */
    boolean recordsStarts() {
        return new FlightEvents.TaskStarted().isEnabled() || new FlightEvents.TaskFinished().isEnabled();
    }

    /**
     * Task {@code taskId} started at {@code startedNanos} (its {@code attempt}-th start), on worker
     * {@code workerId} (0: a pool thread).
     */
    void taskStarted(long taskId, Object task, int workerId, int attempt, long queuedNanos, long startedNanos) {
        FlightEvents.TaskStarted e = new FlightEvents.TaskStarted();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.taskId = taskId;
            e.task = nameOf(task);
            e.workerId = workerId;
            e.attempt = attempt;
            e.waitTime = startedNanos - queuedNanos;
            e.commit();
        }
    }

    /**
     * The future {@code done} of task {@code taskId} completed.
     *
     * @param counted whether it was accepted, and so counted by {@link #taskQueued}; if not, nothing is
     *     counted now either
     * @param queuedNanos when it was queued ({@link System#nanoTime()}), or 0 if it was not timed
     * @param startedNanos when it last started, or 0
     */
    void taskFinished(
            long taskId,
            Object task,
            Future<?> done,
            int workerId,
            boolean counted,
            long queuedNanos,
            long startedNanos) {
        if (!counted) {
            return;
        }
        Outcome outcome = Outcome.of(done);
        completed[outcome.ordinal()].increment();
        if (queuedNanos == 0) {
            return; // not timed: queued while neither the statistics nor a recording wanted times
        }
        long now = System.nanoTime();
        latencyNanos.add(now - queuedNanos);
        timed.increment();
        FlightEvents.TaskFinished e = new FlightEvents.TaskFinished();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.taskId = taskId;
            e.task = nameOf(task);
            e.outcome = outcome.tag;
            e.error = done.state() == Future.State.FAILED
                    ? done.exceptionNow().getClass().getName()
                    : null;
            e.workerId = workerId;
            e.waitTime = (startedNanos == 0 ? now : startedNanos) - queuedNanos;
            e.runTime = startedNanos == 0 ? 0 : now - startedNanos;
            e.commit();
        }
    }

    // ---------------------------------------------------------------- workers (pool lock held)

    /** Worker {@code id} completed its handshake {@code startNanos} after its launch began. */
    void workerStarted(int id, Worker worker, long startNanos) {
        workersStarted.incrementAndGet();
        FlightEvents.WorkerStarted e = new FlightEvents.WorkerStarted();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.workerId = id;
            e.pid = worker.pid();
            e.slots = worker.slots();
            e.startupTime = startNanos;
            e.commit();
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, prefix() + worker + " started in " + millis(startNanos));
        }
    }

    /** Worker {@code id} accepted its task budget of {@code tasks} and retires. */
    void workerRecycled(int id, Worker worker, long tasks) {
        workersRecycled.incrementAndGet();
        FlightEvents.WorkerRecycled e = new FlightEvents.WorkerRecycled();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.workerId = id;
            e.pid = worker.pid();
            e.tasks = tasks;
            e.reason = worker.retireReason(tasks);
            e.commit();
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, prefix() + worker + " retires: " + worker.retireReason(tasks));
        }
    }

    /**
     * Worker {@code id} ended as {@code end} says.
     *
     * @param planned why the pool ended it (or why it was lost through no fault of its own), or null
     *     for a crash
     * @param held the tasks it held, running or sent ahead
     * @param tasksCompleted the tasks it answered since it started
     */
    void workerDied(int id, Worker worker, WorkerEnd end, String planned, int held, long tasksCompleted) {
        if (planned == null) {
            workersDied.incrementAndGet();
        }
        String who = worker != null ? worker.toString() : "worker " + id + " (pid " + end.pid() + ")";
        FlightEvents.WorkerDied e = new FlightEvents.WorkerDied();
        if (e.isEnabled()) {
            e.poolId = poolId;
            e.workerId = id;
            e.pid = end.pid();
            e.exitCode = end.exitCode() != null ? end.exitCode() : -1;
            e.signal = end.signal();
            e.planned = planned != null;
            e.reason = planned != null ? planned : end.hint();
            e.tasksCompleted = tasksCompleted;
            e.tasksHeld = held;
            e.crashLog = end.crashLog();
            e.commit();
        }
        Level level = planned != null ? Level.DEBUG : Level.WARNING;
        if (planned == null && end.nodeLoss() != null) {
            // A node session: it has no exit code (the node's process is another machine's), and a
            // frozen node, or one that ended the session, did not die. How it was lost, once.
            if (LOG.isLoggable(level)) {
                LOG.log(
                        level,
                        prefix() + who + " was lost (" + end.nodeLoss().detection() + "); it held "
                                + plural(held, "task") + " and had completed " + plural(tasksCompleted, "task"));
            }
            return;
        }
        if (LOG.isLoggable(level)) {
            String how = end.signal() != null
                    ? "killed by " + end.signal()
                    : end.exitCode() != null ? "exit code " + end.exitCode() : "exit code unknown";
            String why = planned != null ? "ended by the pool (" + planned + ")" : "died unexpectedly";
            LOG.log(
                    level,
                    prefix() + who + " " + why + ": " + how
                            + (planned == null && end.hint() != null ? " (" + end.hint() + ")" : "")
                            + "; it held " + plural(held, "task") + " and had completed "
                            + plural(tasksCompleted, "task")
                            + (end.crashLog() != null ? "; crash log " + end.crashLog() : ""));
        }
    }

    /**
     * A replacement for {@code dead} starts in {@code delayNanos}: {@code dead} ended, retires, or
     * (null) a worker failed to start. Counted as a restart unless the pool planned that end.
     */
    void replacing(WorkerWindow dead, long delayNanos) {
        boolean crash =
                dead == null || (dead.stateLocked() == WorkerWindow.State.DEAD && dead.plannedDeathLocked() == null);
        String who = dead == null ? "a worker that failed to start" : "worker " + dead.id();
        if (!crash) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, prefix() + "starting a replacement for " + who);
            }
            return;
        }
        workersRestarted.incrementAndGet();
        if (delayNanos > 0) {
            FlightEvents.RestartBackoff e = new FlightEvents.RestartBackoff();
            if (e.isEnabled()) {
                e.poolId = poolId;
                e.workerId = dead == null ? 0 : dead.id();
                e.delay = delayNanos;
                e.commit();
            }
        }
        // A cluster pool asks the nodes for a new session at once after a loss, which its loss's line
        // told: nothing a user must act on.
        Level level = delayNanos > 0 ? Level.WARNING : mode == Mode.CLUSTER ? Level.DEBUG : Level.INFO;
        if (LOG.isLoggable(level)) {
            LOG.log(
                    level,
                    prefix()
                            + (delayNanos > 0
                                    ? "restarting " + who + " in " + millis(delayNanos)
                                            + ": workers die before completing a task (crash-loop backoff)"
                                    : "restarting " + who + " at once"));
        }
    }

    /** Worker {@code id}, a replacement, could not be started. */
    void startFailed(int id, RuntimeException error) {
        if (LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, prefix() + "worker " + id + " failed to start: " + error.getMessage());
        }
    }

    /** The pool failed; its tasks fail with {@code e}. */
    void poolFailed(PoolFailedException e) {
        FlightEvents.PoolFailed event = new FlightEvents.PoolFailed();
        if (event.isEnabled()) {
            event.poolId = poolId;
            event.reason = e.getMessage();
            event.commit();
        }
        // One line: every task's future, and each submit after, hands the user this exception with
        // its stack; DEBUG adds the stack here.
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.ERROR, prefix() + "failed: " + e.getMessage(), e);
        } else {
            LOG.log(Level.ERROR, prefix() + "failed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- statistics

    /**
     * {@return the statistics with the gauges of a thread mode}
     *
     * @param threads the pool's threads (ignored for virtual threads: one per task running)
     * @param queued the tasks waiting for a thread
     * @param running the tasks on a thread, or -1 for every task accepted and not yet completed
     *     (virtual threads: each task has a thread of its own from the start)
     */
    PoolStats threadStats(int threads, int queued, int running) {
        if (running < 0) {
            long done = 0;
            for (LongAdder c : completed) { // first, so that the difference is never negative
                done += c.sum();
            }
            running = (int) Math.max(0, Math.min(Integer.MAX_VALUE, submitted.sum() - done));
        }
        return stats(mode == Mode.VIRTUAL_THREADS ? running : threads, queued, running);
    }

    /** {@return the statistics with the gauges of an isolated mode, read from its workers' windows; lock held} */
    PoolStats stats(List<WorkerWindow> workers, int pending) {
        int serving = 0;
        int queued = pending;
        int running = 0;
        for (WorkerWindow w : workers) {
            int sent = w.sentLocked().size();
            int slots = w.slots();
            running += Math.min(sent, slots);
            queued += Math.max(0, sent - slots);
            serving += w.servingLocked() ? 1 : 0;
        }
        return stats(serving, queued, running);
    }

    private PoolStats stats(int workers, int queued, int running) {
        if (!timing) {
            timing = true; // someone looks: time the tasks from now on
        }
        // Completions first, so that no snapshot shows more tasks completed than submitted.
        long[] c = new long[completed.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = completed[i].sum();
        }
        long timedTasks = timed.sum();
        long latency = latencyNanos.sum();
        return new PoolStats(
                mode,
                workers,
                queued,
                running,
                submitted.sum(),
                c[Outcome.SUCCEEDED.ordinal()],
                c[Outcome.FAILED.ordinal()],
                c[Outcome.TIMED_OUT.ordinal()],
                c[Outcome.CANCELLED.ordinal()],
                c[Outcome.LOST.ordinal()],
                latency,
                timedTasks,
                workersStarted.get(),
                workersDied.get(),
                workersRestarted.get(),
                workersRecycled.get());
    }

    // ---------------------------------------------------------------- words

    /** {@return the class name of the user's code in {@code task}: a map batch's function, a runnable's own class} */
    static String nameOf(Object task) {
        Object user = task instanceof MapBatch.Batch<?, ?> b ? b.fn() : TaskEncoder.userTask(task);
        return user.getClass().getName();
    }

    private String prefix() {
        return "Tandem pool " + poolId + " (" + mode.name().toLowerCase(Locale.ROOT) + "): ";
    }

    private static String millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis() + " ms";
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
