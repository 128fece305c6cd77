package dev.tandem;

import dev.tandem.spi.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Fencing on a cluster node: the caller's lease, which the node's pool obeys and passes on to its
 * workers, so that no task starts once the caller may have given up on the node.
 *
 * <p>The lease ends at {@link #until}'s value, a {@link System#nanoTime()} (one clock for every
 * process of a Linux host): the node's last contact with its caller plus the caller's
 * {@code nodeFailureTimeout}, which ends before the caller declares the node lost (the caller waits
 * a poll's wait more). Two gates obey it. The conductor sends no task once it ended
 * ({@link #holds()}, checked before each dispatch). Each worker gets it as a {@code LEASE} frame
 * when it starts and then every {@link #RENEW_NANOS} while it is renewed, and starts no task past
 * the latest it got, holding the rest: a worker runs on while its node is frozen, its inbox full of
 * prefetched tasks, and must not start them once the caller may have run them elsewhere, nor in the
 * moment after the node resumes and before the node kills it.
 *
 * <p>A pool of a caller's own has {@link #none()}: no gate, no frame. Thread-safety: {@link #holds()}
 * from any thread; the {@code Locked} methods under the pool's lock.
 */
final class WorkerLease {
    /** How often a renewed lease is passed on to the workers: well inside the shortest lease, 1 s. */
    static final long RENEW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final WorkerLease NONE = new WorkerLease(null);

    /** The lease's end; null for no lease. */
    private final LongSupplier until;
    /** The end last passed on to every worker; guarded by the pool's lock. */
    private long passedOn;

    private WorkerLease(LongSupplier until) {
        this.until = until;
    }

    /** {@return no lease: tasks always start} */
    static WorkerLease none() {
        return NONE;
    }

    /** {@return a lease that ends at {@code until}'s value, a {@link System#nanoTime()}} */
    static WorkerLease of(LongSupplier until) {
        return new WorkerLease(until);
    }

    /** {@return whether tasks may start now} */
    boolean holds() {
        return until == null || System.nanoTime() - until.getAsLong() < 0;
    }

    /** Gives a worker that just started the lease, before its first task. */
    void grantLocked(Worker w) {
        if (until != null) {
            w.lease(until.getAsLong());
        }
    }

    /**
     * Passes a renewed lease on to every started worker of {@code windows}.
     *
     * @return the windows whose workers got it, to be flushed off the lock
     */
    List<WorkerWindow> renewLocked(List<WorkerWindow> windows) {
        long end = until.getAsLong();
        if (end == passedOn) {
            return List.of(); // not renewed: the workers' copies end with it
        }
        passedOn = end;
        List<WorkerWindow> touched = new ArrayList<>(windows.size());
        for (WorkerWindow w : windows) {
            if (w.worker() != null && w.stateLocked() != WorkerWindow.State.DEAD) {
                w.worker().lease(end);
                touched.add(w);
            }
        }
        return touched;
    }

    /**
     * Passes the lease on every {@link #RENEW_NANOS}, on {@code background}, until that executor
     * refuses (the pool terminated). Nothing for {@link #none()}.
     */
    void keepRenewing(ReentrantLock lock, List<WorkerWindow> windows, Executor background) {
        if (until == null) {
            return;
        }
        Deadlines.schedule(
                () -> {
                    try {
                        background.execute(() -> {
                            List<WorkerWindow> touched;
                            lock.lock();
                            try {
                                touched = renewLocked(windows);
                            } finally {
                                lock.unlock();
                            }
                            WorkerWindow.flushAll(touched);
                            keepRenewing(lock, windows, background);
                        });
                    } catch (RejectedExecutionException e) {
                        // the pool terminated: nothing to renew
                    }
                },
                RENEW_NANOS);
    }
}
