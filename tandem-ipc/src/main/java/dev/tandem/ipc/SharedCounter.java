package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A 64-bit counter that several processes update atomically, like an {@link
 * java.util.concurrent.atomic.AtomicLong} across JVMs.
 *
 * <pre>{@code
 * try (SharedCounter done = SharedCounter.create()) {
 *     SegmentHandle handle = done.handle();   // each worker: SharedCounter.attach(handle).incrementAndGet()
 * }
 * }</pre>
 *
 * <p>The layout is {@link CounterDescriptor}'s: the value sits alone on its cache lines.
 *
 * <p><b>Thread safety.</b> Thread-safe, across threads and processes.
 *
 * <p><b>Memory consistency effects.</b> Every method is a sequentially consistent (volatile) access:
 * writes to any shared memory made by a process before it updates the counter are visible to a
 * process that afterwards reads the updated value.
 */
public final class SharedCounter implements AutoCloseable {
    private final SharedSegment segment;
    private final MemorySegment memory;

    private SharedCounter(SharedSegment segment) {
        this.segment = segment;
        this.memory = segment.whole();
    }

    /**
     * Creates a counter holding 0.
     *
     * @return the counter; its creator's {@link #close()} deletes it
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedCounter create() throws IOException {
        return new SharedCounter(
                SharedSegment.create(Kind.COUNTER, CounterDescriptor.VERSION, CounterDescriptor.SIZE, whole -> {}));
    }

    /**
     * Attaches a counter created by another process (or this one).
     *
     * @param handle the counter's {@link #handle()}
     * @return the counter; close it to unmap it
     * @throws IOException if the segment is gone or is not a counter
     */
    public static SharedCounter attach(SegmentHandle handle) throws IOException {
        return new SharedCounter(SharedSegment.attach(handle, Kind.COUNTER, CounterDescriptor.VERSION));
    }

    /** {@return the current value} */
    public long get() {
        return Atomics.getLongVolatile(memory, CounterDescriptor.VALUE_OFFSET);
    }

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    public void set(long value) {
        Atomics.setLongVolatile(memory, CounterDescriptor.VALUE_OFFSET, value);
    }

    /**
     * Adds {@code delta}.
     *
     * @param delta the amount to add
     * @return the value before the addition
     */
    public long getAndAdd(long delta) {
        return Atomics.getAndAddLong(memory, CounterDescriptor.VALUE_OFFSET, delta);
    }

    /**
     * Adds {@code delta}.
     *
     * @param delta the amount to add
     * @return the value after the addition
     */
    public long addAndGet(long delta) {
        return getAndAdd(delta) + delta;
    }

    /** {@return the value after adding one} */
    public long incrementAndGet() {
        return getAndAdd(1) + 1;
    }

    /**
     * Sets the value to {@code value} if it is {@code expected}.
     *
     * @param expected the value it must hold
     * @param value the new value
     * @return whether it was set
     */
    public boolean compareAndSet(long expected, long value) {
        return Atomics.casLong(memory, CounterDescriptor.VALUE_OFFSET, expected, value);
    }

    /** {@return a handle that another process can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return segment.handle();
    }

    /** Unmaps the counter; if this process created it, also deletes it. Idempotent. */
    @Override
    public void close() {
        segment.close();
    }

    @Override
    public String toString() {
        return "SharedCounter[" + segment.handle().path() + "]";
    }
}
