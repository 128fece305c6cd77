package dev.tandem.ipc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A counting semaphore across processes whose permits survive their holder's death: a permit held
 * by a process that died is taken over by a waiter within about 50 ms (one wait slice), and that
 * waiter is told so by {@link Acquisition#OWNER_DIED}.
 *
 * <pre>{@code
 * try (SharedSemaphore gpu = SharedSemaphore.attach(handle)) {
 *     if (gpu.tryAcquire(Duration.ofSeconds(5)).acquired()) {
 *         try { useTheGpu(); } finally { gpu.release(); }
 *     }
 * }
 * }</pre>
 *
 * <p>Unlike {@link java.util.concurrent.Semaphore}, a permit belongs to whoever took it: a release
 * returns a permit that this object acquired (from any thread of this process), never a new one,
 * so the number of holders can never exceed the number of permits. Every acquire has a timeout:
 * there is no wait without a bound. The layout and the recovery protocol are described in
 * {@link PermitDescriptor} and {@link PermitTable}.
 *
 * <p><b>Thread safety.</b> Thread-safe, across threads and processes. Threads of one process may
 * share one object; permits it holds are released by any of them.
 *
 * <p><b>Memory consistency effects.</b> Actions in a process before it releases a permit
 * happen-before actions after another process (or thread) acquires that permit, including by
 * recovery from a dead holder.
 */
public final class SharedSemaphore implements AutoCloseable {
    private final PermitTable table;
    /** Slots this object holds. Guarded by itself. */
    private final ArrayDeque<Integer> held = new ArrayDeque<>();

    private SharedSemaphore(PermitTable table) {
        this.table = table;
    }

    /**
     * Creates a semaphore with {@code permits} free permits.
     *
     * @param permits the number of permits, between 1 and 4096
     * @return the semaphore; its creator's {@link #close()} deletes it
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedSemaphore create(int permits) throws IOException {
        PermitTable.checkPermits(permits);
        return new SharedSemaphore(new PermitTable(SharedSegment.create(
                Kind.SEMAPHORE,
                PermitDescriptor.VERSION,
                PermitDescriptor.segmentSize(permits),
                whole -> PermitTable.initialize(whole, permits))));
    }

    /**
     * Attaches a semaphore created by another process (or this one).
     *
     * @param handle the semaphore's {@link #handle()}
     * @return the semaphore; close it to unmap it
     * @throws IOException if the segment is gone or is not a semaphore
     */
    public static SharedSemaphore attach(SegmentHandle handle) throws IOException {
        return new SharedSemaphore(
                new PermitTable(SharedSegment.attach(handle, Kind.SEMAPHORE, PermitDescriptor.VERSION)));
    }

    /**
     * Acquires a permit, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative tries once
     * @return {@link Acquisition#ACQUIRED}, {@link Acquisition#OWNER_DIED} or
     *         {@link Acquisition#TIMED_OUT}
     * @throws InterruptedException if interrupted while waiting; no permit is then held
     */
    public Acquisition tryAcquire(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long result = table.acquire(timeout);
        if (result < 0) {
            return Acquisition.TIMED_OUT;
        }
        synchronized (held) {
            held.push((int) result);
        }
        return (result >>> 32) != 0 ? Acquisition.OWNER_DIED : Acquisition.ACQUIRED;
    }

    /**
     * Acquires a permit if one is free now, or can be recovered now from a dead holder.
     *
     * @return {@link Acquisition#ACQUIRED}, {@link Acquisition#OWNER_DIED} or
     *         {@link Acquisition#TIMED_OUT} (nothing free)
     */
    public Acquisition tryAcquire() {
        int slot = table.tryClaim();
        Acquisition outcome = Acquisition.ACQUIRED;
        if (slot < 0) {
            slot = table.tryRecover();
            outcome = Acquisition.OWNER_DIED;
        }
        if (slot < 0) {
            return Acquisition.TIMED_OUT;
        }
        synchronized (held) {
            held.push(slot);
        }
        return outcome;
    }

    /**
     * Releases one permit that this object holds.
     *
     * @throws IllegalStateException if this object holds no permit
     */
    public void release() {
        int slot;
        synchronized (held) {
            Integer top = held.poll();
            if (top == null) {
                throw new IllegalStateException("release() without a permit held by this SharedSemaphore");
            }
            slot = top;
        }
        table.release(slot);
    }

    /** {@return how many permits are free now (a snapshot)} */
    public int availablePermits() {
        return table.available();
    }

    /** {@return the number of permits the semaphore was created with} */
    public int permits() {
        return table.permits();
    }

    /** {@return a handle that another process can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return table.segment().handle();
    }

    /**
     * Releases the permits this object still holds, then unmaps the semaphore; if this process
     * created it, also deletes it. Idempotent.
     */
    @Override
    public void close() {
        if (table.segment().isClosed()) {
            return;
        }
        try {
            while (true) {
                synchronized (held) {
                    if (held.isEmpty()) {
                        break;
                    }
                }
                release();
            }
            table.wakeAll();
        } finally {
            table.segment().close();
        }
    }

    @Override
    public String toString() {
        return "SharedSemaphore[" + table.permits() + " permits, " + handle().path() + "]";
    }
}
