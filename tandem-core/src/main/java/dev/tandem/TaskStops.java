package dev.tandem;

import dev.tandem.spi.DurationWords;
import dev.tandem.spi.Worker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stops running tasks: the {@code taskTimeout} deadline of each running task, and the stop of a
 * timed-out or cancelled one. A worker that runs one task at a time is condemned at once (its kill
 * aimed at that task, see {@link WorkerWindow#condemnLocked}); a hybrid worker is first asked to
 * interrupt the task, and condemned only if the task has not ended after {@link #KILL_GRACE_NANOS}.
 * Every kill is checked under the pool's lock against the task it is meant for: the task must still
 * be one of that worker's running tasks.
 *
 * <p>A worker that stops its own tasks ({@link Worker#selfStopGraceNanos()} above 0: a cluster node,
 * which enforces the timeout with its own process pool) is only asked, by a cancel; the
 * conductor's deadline is then a backstop, armed that grace later than the timeout, and the worker
 * is condemned only if the task is still running that grace after it was asked to stop.
 *
 * <p>Deadlines run on the shared timer thread ({@link Deadlines}), which never writes to a worker:
 * frames it buffers are flushed on the pool's background executor.
 */
final class TaskStops {
    static final long KILL_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ReentrantLock lock;
    /** The task timeout, or null for none. */
    private final Duration timeout;

    private final Executor background;

    TaskStops(ReentrantLock lock, Duration timeout, Executor background) {
        this.lock = lock;
        this.timeout = timeout;
        this.background = background;
    }

    /** {@code f} became one of {@code w}'s running tasks: starts its clock and its deadline. */
    void runningLocked(WorkerWindow w, ProcessFuture<?> f) {
        assert lock.isHeldByCurrentThread();
        f.started(w);
        if (timeout != null && !f.isDone()) {
            long grace = w.worker().selfStopGraceNanos();
            f.armDeadline(Deadlines.schedule(() -> onDeadline(w, f), saturatedAdd(timeout.toNanos(), grace)));
        }
    }

    private void onDeadline(WorkerWindow w, ProcessFuture<?> f) {
        lock.lock();
        try {
            if (f.isDone() || f.worker() != w || !w.isRunningLocked(f)) {
                return;
            }
            Worker worker = w.worker();
            long grace = worker.selfStopGraceNanos();
            String action = grace > 0
                    ? worker + " did not report the task's end within " + TimeUnit.NANOSECONDS.toMillis(grace)
                            + " ms after its deadline, and is being replaced"
                    : worker.slots() == 1
                            ? "its " + worker + " was killed and is being replaced"
                            : "its " + worker + " was asked to interrupt it, and is killed if it does not stop within "
                                    + TimeUnit.NANOSECONDS.toMillis(KILL_GRACE_NANOS) + " ms";
            f.fail(new TaskTimeoutException(f.description(), timeout, action));
            if (grace > 0) {
                w.condemnLocked(
                        f.description() + " timed out after " + DurationWords.of(timeout)
                                + " and its node did not stop it",
                        f);
            } else {
                stopLocked(w, f, f.description() + " timed out after " + DurationWords.of(timeout));
            }
            background.execute(worker::flush);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels {@code f}, sent to {@code w}: a queued task is dropped from the worker's inbox (the
     * worker answers it as cancelled); a running one is stopped if {@code mayInterrupt}.
     */
    void cancelLocked(WorkerWindow w, ProcessFuture<?> f, boolean mayInterrupt) {
        assert lock.isHeldByCurrentThread();
        if (w.stateLocked() == WorkerWindow.State.DEAD || !w.sentLocked().contains(f)) {
            return;
        }
        if (w.isRunningLocked(f)) {
            if (mayInterrupt) {
                stopLocked(w, f, f.description() + " was cancelled");
            }
        } else {
            w.worker().cancel(f.id);
        }
    }

    /** Stops {@code f}, one of {@code w}'s running tasks, for {@code reason}. */
    void stopLocked(WorkerWindow w, ProcessFuture<?> f, String reason) {
        assert lock.isHeldByCurrentThread();
        long grace = w.worker().selfStopGraceNanos();
        if (grace == 0 && w.worker().slots() == 1) {
            w.condemnLocked(reason, f);
            return;
        }
        w.worker().cancel(f.id);
        Deadlines.schedule(
                () -> {
                    lock.lock();
                    try {
                        if (w.sentLocked().contains(f) && w.isRunningLocked(f)) {
                            w.condemnLocked(reason + " and did not stop when interrupted", f);
                        }
                    } finally {
                        lock.unlock();
                    }
                },
                grace > 0 ? grace : KILL_GRACE_NANOS);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE / 2 : sum;
    }
}
