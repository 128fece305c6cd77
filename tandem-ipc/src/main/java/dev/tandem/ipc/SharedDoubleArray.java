package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A fixed-length array of {@code double} in shared memory: a task in another process reads and writes
 * the same elements, with no copy. Create it in one process, send {@link #handle()} to another,
 * {@link #attach(SegmentHandle) attach} it there; a Tandem pool does both for its tasks.
 *
 * <pre>{@code
 * try (SharedDoubleArray array = SharedDoubleArray.create(1_000_000)) {
 *     array.copyFrom(values, 0, 0, values.length);
 *     long first = pool.submit(() -> array.get(0)).get();   // the worker maps the same memory
 * }
 * }</pre>
 *
 * <p>The layout is {@link ArrayDescriptor}'s; elements are {@value #BYTES}-byte aligned. Indexes are
 * checked: an index out of range throws {@link IndexOutOfBoundsException}.
 *
 * <p><b>In a Tandem pool's tasks: by reference.</b> Captured by a task, passed to it or returned by
 * it, the array travels as its handle, whatever its size: the worker JVM maps the same memory, no
 * element is copied, and a write on either side is visible to the other. Writes made before
 * {@code submit} are visible to the task, and the task's writes once its future's {@code get}
 * returns; concurrent plain accesses race as on a Java array shared by threads. In a worker, an
 * array that came with a task is valid until the task returns: the worker unmaps it then (attach
 * its {@link #handle()} to keep it longer). The caller's arrays stay the caller's: one that comes
 * back is the same object. An array a task creates and returns is <em>handed over</em>: the caller
 * owns it (its {@link #close()} deletes it, as the caller's exit, or the sweep after the caller's
 * death, would) and the worker unmaps it; return it open, not from inside a try-with-resources. A
 * direct {@link java.nio.ByteBuffer} over the elements ({@code memory().asByteBuffer()}) travels by
 * reference too, unless a worker returns one over an array it made (that one is copied). A closed
 * array, or one whose creator closed it or died, fails at {@code submit} with a
 * {@code TaskSerializationException} saying so; only workers on this machine can map it, so a
 * cluster pool refuses it.
 *
 * <p><b>Thread safety.</b> Thread-safe in the sense of a Java array: concurrent plain accesses to the
 * same element race; use the acquire/release methods to order them.
 *
 * <p><b>Memory consistency effects.</b> {@link #get} and {@link #set} are plain accesses (like an
 * array element). A {@link #setRelease} in one process and a {@link #getAcquire} of the same element
 * that reads its value in another form a happens-before edge: every write before the release
 * (to any shared memory) is visible after the acquire.
 */
public final class SharedDoubleArray extends SharedArray {
    /** The size of an element in bytes. */
    public static final int BYTES = 8;

    private static final VarHandle ELEMENT = ValueLayout.JAVA_DOUBLE.varHandle();

    private SharedDoubleArray(SharedSegment segment) {
        super(segment, BYTES);
    }

    /**
     * Creates a zeroed array.
     *
     * @param length the number of elements, at least 0
     * @return the array; its creator's {@link #close()} deletes it
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedDoubleArray create(long length) throws IOException {
        return new SharedDoubleArray(create(Kind.DOUBLE_ARRAY, length, BYTES));
    }

    /**
     * Attaches an array created by another process (or this one).
     *
     * @param handle the array's {@link #handle()}
     * @return the array; close it to unmap it
     * @throws IOException if the segment is gone or is not such an array
     */
    public static SharedDoubleArray attach(SegmentHandle handle) throws IOException {
        return new SharedDoubleArray(attach(handle, Kind.DOUBLE_ARRAY));
    }

    /**
     * {@return the element at {@code index}, read plainly}
     *
     * @param index the element's index
     */
    public double get(long index) {
        return (double) ELEMENT.get(elements, offset(index));
    }

    /**
     * Writes the element at {@code index} plainly.
     *
     * @param index the element's index
     * @param value the new value
     */
    public void set(long index, double value) {
        ELEMENT.set(elements, offset(index), value);
    }

    /**
     * {@return the element at {@code index}, read with acquire semantics}
     *
     * @param index the element's index
     */
    public double getAcquire(long index) {
        return (double) ELEMENT.getAcquire(elements, offset(index));
    }

    /**
     * Writes the element at {@code index} with release semantics.
     *
     * @param index the element's index
     * @param value the new value
     */
    public void setRelease(long index, double value) {
        ELEMENT.setRelease(elements, offset(index), value);
    }

    /**
     * Copies {@code count} elements from a Java array into this one.
     *
     * @param source the Java array
     * @param sourceIndex the first element to copy from {@code source}
     * @param index the first element to write here
     * @param count how many elements
     */
    public void copyFrom(double[] source, int sourceIndex, long index, int count) {
        Objects.checkFromIndexSize(sourceIndex, count, source.length);
        MemorySegment.copy(source, sourceIndex, elements, ValueLayout.JAVA_DOUBLE, offset(index, count), count);
    }

    /**
     * Copies {@code count} elements of this array into a Java array.
     *
     * @param index the first element to read here
     * @param target the Java array
     * @param targetIndex the first element to write in {@code target}
     * @param count how many elements
     */
    public void copyTo(long index, double[] target, int targetIndex, int count) {
        Objects.checkFromIndexSize(targetIndex, count, target.length);
        MemorySegment.copy(elements, ValueLayout.JAVA_DOUBLE, offset(index, count), target, targetIndex, count);
    }
}
