package dev.tandem.advisor;

import dev.tandem.TaskExecutionException;
import dev.tandem.TaskFunction;
import dev.tandem.TaskPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/** The caller threads of a trial's phase: joined by a deadline, past which their pool is stopped. Stateless. */
final class Callers {
    private Callers() {}

    /** Joins the threads by {@code until}; past it stops the pool so they return. Returns when the last ended. */
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
                r.fail(pool.isShutdown() ? new TimeoutException("no result by the end of the trial") : e);
            } catch (RuntimeException e) {
                r.fail(e);
            }
            done[0] = System.nanoTime();
        });
        joinAll(List.of(runner), until, pool, termination);
        if (out != null) {
            out.merge(r);
            out.seconds = Math.max(1, (done[0] == 0 ? System.nanoTime() : done[0]) - start) / 1e9;
            if (out.failed > 0) {
                out.notes.add("map stops at the first failure");
            }
        }
    }
}
