package dev.tandem.advisor;

import dev.tandem.TaskExecutionException;
import dev.tandem.TaskFunction;
import dev.tandem.TaskPool;
import dev.tandem.measure.Pace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The caller threads of a trial's phase: joined by a deadline, past which their pool is stopped. Stateless.
 *
 * <p>The two waits are ordered. A caller waits for its result until the phase's deadline plus its grace and then
 * gives up on its own ({@code Future.get} with a timeout); the pool is stopped only at {@link #stopAt}, a margin
 * later, for a caller that did not return after its own timeout. Was: both waits ended at the same instant, so
 * which came first was the scheduler's choice, and a warm-up whose caller won the race left the pool running
 * (StoppedPoolTest failed once at load 2).
 */
final class Callers {
    /** The least a caller gets past its own timeout to return before its pool is stopped. */
    static final long RETURN_MARGIN_NANOS = 200_000_000L;

    private Callers() {}

    /**
     * {@return the wait for a phase's last results, at most the quiet grace (2 s) stretched by the pace: in the
     * caller's JVM a quarter of the slice, or four of the probe's longest calls if longer (measured under the run's
     * load, so not stretched again), at least 100 ms; in worker JVMs ({@code isolated}) at least the quiet grace, or
     * the slice if longer, since a worker JVM's end is noticed and its calls failed only after it exits} The grace
     * comes after the warm-up and after the measured phase, so in the caller's JVM twice the grace of a short task
     * stays within its slice. Was: at least 2 s whatever the slice: virtual(208) of a 23 ms task took 5.51 s of a
     * 660 ms share, and the models that may run the task were skipped for budget.
     */
    static long graceNanos(long sliceNanos, long longestCallNanos, Pace pace, boolean isolated) {
        long quiet = Pace.Limit.TRIAL_GRACE.quiet().toNanos();
        long wanted = isolated
                ? Math.max(quiet, sliceNanos)
                : Math.max(
                        TimeUnit.MILLISECONDS.toNanos(100),
                        Math.max(sliceNanos / 4, 4 * Math.max(0, longestCallNanos)));
        return Math.min(pace.limit(Pace.Limit.TRIAL_GRACE).toNanos(), wanted);
    }

    /**
     * {@return when to stop the pool of callers that give up waiting at {@code callersGiveUp}: a margin later (a
     * quarter of {@code graceNanos}, at least {@link #RETURN_MARGIN_NANOS}), so a caller's own timeout comes first}
     */
    static long stopAt(long callersGiveUp, long graceNanos) {
        return callersGiveUp + Math.max(RETURN_MARGIN_NANOS, graceNanos / 4);
    }

    /**
     * Joins the threads by {@code until}; past it stops the pool so they return. Returns when the last ended. Give
     * it {@link #stopAt} of the callers' own timeout, so that the pool is stopped only for a caller that did not
     * return after it.
     */
    static long joinAll(List<Thread> threads, long until, TaskPool pool, Duration termination) {
        try {
            for (Thread t : threads) {
                long left = until - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    pool.shutdownNow();
                    for (Thread u : threads) {
                        u.interrupt();
                    }
                    for (Thread u : threads) {
                        u.join(termination);
                    }
                    break;
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("advisor interrupted during a trial");
            ce.initCause(e);
            throw ce;
        }
        return System.nanoTime();
    }

    /**
     * {@return the worker JVMs of {@code pool} that ended unplanned so far (a crash, {@code System.exit}, a kill
     * from outside; not those the pool stopped), 0 in thread modes or if the pool cannot say}
     */
    static long workersDied(TaskPool pool) {
        try {
            return pool.stats().workersDied();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * One {@code map} call over {@code n} inputs read until {@code deadline}, joined by {@code until}, past which
     * the pool is stopped; results go to {@code out} if not null.
     */
    static void map(
            TaskPool pool,
            boolean isolated,
            Subject.Instance inst,
            int n,
            long deadline,
            long until,
            Duration termination,
            TrialOutcome out) {
        List<Object> inputs = inst.inputs();
        Iterable<Object> lazy = () -> new TimedInputs(inputs, n, deadline, System::nanoTime);
        TaskFunction<Object, Object> fn = isolated ? new Calls.Encoded(inst.fn()) : inst.fn();
        TrialOutcome.Recorder r = new TrialOutcome.Recorder();
        long[] done = new long[1];
        long died = workersDied(pool);
        long start = System.nanoTime();
        Thread runner = Thread.ofVirtual().name("tandem-advise-map").start(() -> {
            try {
                List<Object> results = pool.map(fn, lazy);
                r.okCount(results.size());
            } catch (TaskExecutionException e) {
                r.okCount(e.inputIndex());
                r.fail(e.getCause());
            } catch (RejectedExecutionException | CancellationException e) {
                // refused or cancelled because the advisor stopped the pool at the phase's deadline: the map had
                // no result by then, which is no failure of the task's own
                if (pool.isShutdown()) {
                    r.unanswered();
                } else {
                    r.fail(e);
                }
            } catch (RuntimeException e) {
                r.fail(e);
            }
            done[0] = System.nanoTime();
        });
        joinAll(List.of(runner), until, pool, termination);
        if (out != null) {
            out.merge(r, workersDied(pool) - died);
            out.seconds = Math.max(1, (done[0] == 0 ? System.nanoTime() : done[0]) - start) / 1e9;
            if (out.failed > 0) {
                out.notes.add("map stops at the first failure");
            }
        }
    }
}
