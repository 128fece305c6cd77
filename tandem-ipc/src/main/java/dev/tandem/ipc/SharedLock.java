package dev.tandem.ipc;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A mutual-exclusion lock across processes that survives its owner's death, like a robust POSIX
 * mutex: if the owning process dies, the next {@link #tryLock(Duration)} takes the lock over within
 * about 50 ms (one wait slice) and returns {@link Acquisition#OWNER_DIED}, so that the new owner
 * can repair what the dead one left half-done.
 *
 * <pre>{@code
 * Acquisition got = lock.tryLock(Duration.ofSeconds(5));
 * if (got.acquired()) {
 *     try {
 *         if (got == Acquisition.OWNER_DIED) repair();
 *         update();
 *     } finally {
 *         lock.unlock();
 *     }
 * }
 * }</pre>
 *
 * <p>It does not implement {@link java.util.concurrent.locks.Lock}: that interface waits without a
 * bound ({@code lock()}), cannot report a dead owner, and its conditions cannot cross processes. The
 * lock is not reentrant: a thread that holds it and asks again gets an
 * {@link IllegalStateException} rather than a deadlock. It is a one-permit
 * {@link SharedSemaphore} (same layout, {@link PermitDescriptor}) with an owning thread.
 *
 * <p><b>Thread safety.</b> Thread-safe, across threads and processes: threads of one process
 * exclude each other too, whether they share one object or attach their own.
 *
 * <p><b>Memory consistency effects.</b> Actions before {@link #unlock()} happen-before actions after
 * the next successful {@code tryLock} in any process, including a take-over from a dead owner.
 */
public final class SharedLock implements AutoCloseable {
    private final PermitTable table;
    /** The thread that holds the lock through this object, or null. */
    private volatile Thread owner;

    private SharedLock(PermitTable table) {
        this.table = table;
    }

    /**
     * Creates an unlocked lock.
     *
     * @return the lock; its creator's {@link #close()} deletes it
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedLock create() throws IOException {
        return new SharedLock(new PermitTable(SharedSegment.create(
                Kind.LOCK,
                PermitDescriptor.VERSION,
                PermitDescriptor.segmentSize(1),
                whole -> PermitTable.initialize(whole, 1))));
    }

    /**
     * Attaches a lock created by another process (or this one).
     *
     * @param handle the lock's {@link #handle()}
     * @return the lock; close it to unmap it
     * @throws IOException if the segment is gone or is not a lock
     */
    public static SharedLock attach(SegmentHandle handle) throws IOException {
        return new SharedLock(new PermitTable(SharedSegment.attach(handle, Kind.LOCK, PermitDescriptor.VERSION)));
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative tries once
     * @return {@link Acquisition#ACQUIRED}, {@link Acquisition#OWNER_DIED} or
     *         {@link Acquisition#TIMED_OUT}
     * @throws InterruptedException if interrupted while waiting; the lock is then not held
     * @throws IllegalStateException if the calling thread already holds it through this object
     */
    public Acquisition tryLock(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        checkNotOwner();
        long result = table.acquire(timeout);
        if (result < 0) {
            return Acquisition.TIMED_OUT;
        }
        owner = Thread.currentThread();
        return (result >>> 32) != 0 ? Acquisition.OWNER_DIED : Acquisition.ACQUIRED;
    }

    /**
     * Acquires the lock if it is free now, or can be taken over now from a dead owner.
     *
     * @return {@link Acquisition#ACQUIRED}, {@link Acquisition#OWNER_DIED} or
     *         {@link Acquisition#TIMED_OUT} (held by a live owner)
     * @throws IllegalStateException if the calling thread already holds it through this object
     */
    public Acquisition tryLock() {
        checkNotOwner();
        Acquisition outcome = Acquisition.ACQUIRED;
        int slot = table.tryClaim();
        if (slot < 0) {
            slot = table.tryRecover();
            outcome = Acquisition.OWNER_DIED;
        }
        if (slot < 0) {
            return Acquisition.TIMED_OUT;
        }
        owner = Thread.currentThread();
        return outcome;
    }

    /**
     * Releases the lock.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it through this object
     */
    public void unlock() {
        if (owner != Thread.currentThread()) {
            throw new IllegalMonitorStateException(
                    "unlock() by " + Thread.currentThread() + ", which does not hold this SharedLock");
        }
        owner = null;
        table.release(0);
    }

    /** {@return whether the calling thread holds the lock through this object} */
    public boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /** {@return whether some process holds the lock now (a snapshot)} */
    public boolean isLocked() {
        return table.available() == 0;
    }

    /** {@return a handle that another process can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return table.segment().handle();
    }

    /**
     * Releases the lock if a thread holds it through this object, then unmaps it; if this process
     * created it, also deletes it. Idempotent.
     */
    @Override
    public void close() {
        if (table.segment().isClosed()) {
            return;
        }
        try {
            if (owner != null) {
                owner = null;
                table.release(0);
            }
            table.wakeAll();
        } finally {
            table.segment().close();
        }
    }

    @Override
    public String toString() {
        return "SharedLock[" + handle().path() + "]";
    }

    private void checkNotOwner() {
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException(
                    "SharedLock is not reentrant: " + Thread.currentThread() + " already holds it");
        }
    }
}
