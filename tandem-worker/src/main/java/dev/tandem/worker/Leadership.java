package dev.tandem.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who reads the control channel among a worker's threads: exactly one holder at a time.
 * Thread-safe.
 */
abstract sealed class Leadership permits Leadership.Eager, Leadership.Lazy {
    /** Blocks until this thread is the only reader. */
    abstract void acquire();

    /** Gives up reading. */
    abstract void release();

    /**
     * For T &gt; 1: a released leadership wakes a waiting thread at once, so a burst of tasks starts
     * on T threads without delay.
     */
    static final class Eager extends Leadership {
        private final ReentrantLock lock = new ReentrantLock();

        @Override
        void acquire() {
            lock.lock();
        }

        @Override
        void release() {
            lock.unlock();
        }
    }

    /**
     * For T = 1: a released leadership wakes nobody. A thread that wants it and finds it taken
     * checks again every {@link #POLL_NANOS}. With one task at a time there is no second task to
     * start, so the only cost is that a {@code CANCEL} or the caller's end is seen up to that much
     * later while a task runs; the gain is no hand-off (two context switches) per task.
     */
    static final class Lazy extends Leadership {
        static final long POLL_NANOS = 10_000_000L;
        private final AtomicBoolean held = new AtomicBoolean();

        @Override
        void acquire() {
            while (!held.compareAndSet(false, true)) {
                LockSupport.parkNanos(this, POLL_NANOS);
            }
        }

        @Override
        void release() {
            held.set(false);
        }
    }
}
