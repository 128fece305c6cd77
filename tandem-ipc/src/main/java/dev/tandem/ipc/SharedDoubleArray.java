package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A fixed-length array of {@code double} in shared memory: a task in another process reads and writes
 * the same elements, with no copy. Create it in one process, send {@link #handle()} to another,
 * {@link #attach(SegmentHandle) attach} it there.
 *
 * <pre>{@code
 * try (SharedDoubleArray array = SharedDoubleArray.create(1_000_000)) {
 *     array.copyFrom(values, 0, 0, values.length);
 *     pool.submit(() -> { try (var a = SharedDoubleArray.attach(handle)) { return a.get(0); } });
 * }
 * }</pre>
 *
 * <p>The layout is {@link ArrayDescriptor}'s; elements are {@value #BYTES}-byte aligned. Indexes are
 * checked: an index out of range throws {@link IndexOutOfBoundsException}.
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
