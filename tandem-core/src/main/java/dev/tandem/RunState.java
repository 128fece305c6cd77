package dev.tandem;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The run state of a process pool, as {@code ThreadPoolExecutor}'s {@code ctl}: a state machine
 * that only moves forward, plus why the pool failed and a condition to await termination.
 *
 * <pre>
 * RUNNING  --shutdown()-->                 SHUTDOWN --queue empty, workers idle and exited--> TERMINATED
 * RUNNING, SHUTDOWN --shutdownNow()-->     STOP     --workers exited--> TERMINATED
 * RUNNING, SHUTDOWN --restart limit hit--> FAILED   --workers exited--> TERMINATED
 * STOP --internal error of the engine-->    FAILED   (every future it held fails rather than stay incomplete)
 * </pre>
 *
 * <p>Guarded by the pool's lock (asserted); {@link #awaitTermination} takes it.
 */
final class RunState {
    enum State {
        RUNNING,
        SHUTDOWN,
        STOP,
        FAILED,
        TERMINATED
    }

    private final ReentrantLock lock;
    private final Condition terminated;
    private State state = State.RUNNING;

    private Throwable failure;
    /** Whether the pool was stopped ({@code shutdownNow}) or failed: its running work was cut short. */
    private boolean cutShort;

    RunState(ReentrantLock lock) {
        this.lock = lock;
        this.terminated = lock.newCondition();
    }

    State getLocked() {
        assert lock.isHeldByCurrentThread();
        return state;
    }

    boolean isLocked(State s) {
        assert lock.isHeldByCurrentThread();
        return state == s;
    }

    /** {@return whether the state is {@code s}}, taking the lock */
    boolean is(State s) {
        lock.lock();
        try {
            return state == s;
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether workers may get tasks: RUNNING or SHUTDOWN} */
    boolean dispatchingLocked() {
        assert lock.isHeldByCurrentThread();
        return state == State.RUNNING || state == State.SHUTDOWN;
    }

    /** {@return whether the pool needs workers: RUNNING, or SHUTDOWN with {@code tasksQueued}} */
    boolean needsWorkersLocked(boolean tasksQueued) {
        assert lock.isHeldByCurrentThread();
        return state == State.RUNNING || (state == State.SHUTDOWN && tasksQueued);
    }

    /** RUNNING to SHUTDOWN; no change otherwise. */
    void shutdownLocked() {
        assert lock.isHeldByCurrentThread();
        if (state == State.RUNNING) {
            state = State.SHUTDOWN;
        }
    }

    /** RUNNING or SHUTDOWN to STOP, remembering {@code why} (may be null); no change otherwise. */
    void stopLocked(Throwable why) {
        assert lock.isHeldByCurrentThread();
        if (state == State.RUNNING || state == State.SHUTDOWN) {
            state = State.STOP;
            failure = why;
            cutShort = true;
        }
    }

    /** To FAILED, unless already FAILED or TERMINATED; returns whether it moved. */
    boolean failLocked(Throwable why) {
        assert lock.isHeldByCurrentThread();
        if (state == State.FAILED || state == State.TERMINATED) {
            return false;
        }
        state = State.FAILED;
        failure = why;
        cutShort = true;
        return true;
    }

    /**
     * SHUTDOWN, STOP or FAILED to TERMINATED, waking every thread in {@link #awaitTermination}.
     *
     * @throws IllegalStateException if it is RUNNING or TERMINATED: a pool ends only once it was
     *     stopped, and once
     */
    void terminatedLocked() {
        assert lock.isHeldByCurrentThread();
        if (state == State.RUNNING || state == State.TERMINATED) {
            throw new IllegalStateException("a " + state + " pool cannot terminate");
        }
        state = State.TERMINATED;
        terminated.signalAll();
    }

    /**
     * {@return the exception a submission gets now, if the pool was stopped ({@code shutdownNow}) or failed
     * (its work was cut short, whatever the state now), else null: it runs, or was shut down gracefully};
     * takes the lock
     */
    RejectedExecutionException cutShort() {
        lock.lock();
        try {
            return cutShort ? rejectionLocked() : null;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the exception a submission gets now that the pool no longer runs} */
    RejectedExecutionException rejectionLocked() {
        assert lock.isHeldByCurrentThread();
        if (failure instanceof PoolFailedException) {
            return new PoolFailedException("the pool has failed: " + failure.getMessage(), failure);
        }
        return refusal(
                switch (state) {
                    case RUNNING -> "running";
                    case SHUTDOWN -> "shut down";
                    case STOP -> "stopped";
                    case FAILED -> "failed";
                    case TERMINATED -> "terminated";
                });
    }

    /** {@return the exception a submission gets from a pool that is {@code words}, in every mode} */
    static RejectedExecutionException refusal(String words) {
        return new RejectedExecutionException(
                "the pool is " + words + ": no new tasks are accepted after shutdown(), shutdownNow() or close()");
    }

    /** {@return whether it terminated within {@code nanos}} */
    boolean awaitTermination(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return state.name();
    }
}
