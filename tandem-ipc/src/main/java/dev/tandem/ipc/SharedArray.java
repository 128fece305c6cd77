package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What the shared arrays have in common: one segment laid out by {@link ArrayDescriptor}, its
 * elements, their number, bounds checks, and the segment's lifecycle. Each subclass adds the typed
 * element access for its primitive, as {@code java.nio}'s buffers do.
 */
abstract sealed class SharedArray implements AutoCloseable permits SharedByteArray, SharedDoubleArray, SharedLongArray {
    /** The elements; element {@code i} starts at byte {@code i * elementBytes}. */
    final MemorySegment elements;

    private final SharedSegment segment;

    private final long length;
    private final int elementBytes;

    SharedArray(SharedSegment segment, int elementBytes) {
        this.segment = segment;
        this.elementBytes = elementBytes;
        this.elements = ArrayDescriptor.elements(segment.whole(), elementBytes);
        this.length = elements.byteSize() / elementBytes;
    }

    static SharedSegment create(Kind kind, long length, int elementBytes) throws IOException {
        long size = ArrayDescriptor.segmentSize(length, elementBytes);
        return SharedSegment.create(
                kind, ArrayDescriptor.VERSION, size, whole -> ArrayDescriptor.initialize(whole, length, elementBytes));
    }

    static SharedSegment attach(SegmentHandle handle, Kind kind) throws IOException {
        return SharedSegment.attach(handle, kind, ArrayDescriptor.VERSION);
    }

    /** {@return the number of elements} */
    public long length() {
        return length;
    }

    /**
     * {@return the elements as memory, for bulk and vectorised access without a copy} Element
     * {@code i} is at byte offset {@code i} times the element size. Valid until {@link #close()}.
     */
    public MemorySegment memory() {
        return elements;
    }

    /** {@return a handle that another process can attach} */
    public SegmentHandle handle() {
        return segment.handle();
    }

    /** Unmaps the array; if this process created it, also deletes it. Idempotent. */
    @Override
    public void close() {
        segment.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[length=" + length + ", "
                + segment.handle().path() + "]";
    }

    /** {@return the byte offset of element {@code index}, checked} */
    final long offset(long index) {
        return Objects.checkIndex(index, length) * elementBytes;
    }

    /** {@return the byte offset of {@code count} elements from {@code index}, checked} */
    final long offset(long index, int count) {
        return Objects.checkFromIndexSize(index, count, length) * elementBytes;
    }
}
