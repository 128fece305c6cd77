package dev.tandem.ipc;

import java.lang.foreign.MemorySegment;

/**
 * The layout of a shared array ({@link SharedLongArray}, {@link SharedDoubleArray},
 * {@link SharedByteArray}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (SegmentDescriptor)                    |   0
 *  |                           ...                                 |
 *  +---------------------------------------------------------------+
 *  |                 Length in elements (long)                     |  64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Element size in bytes (int)                   |  72
 *  +---------------------------------------------------------------+
 *  |                 Reserved to byte 128                          |  76
 *  +---------------------------------------------------------------+
 *  |                 Elements, 128-byte aligned ...                | 128
 *  |                           ...                                 |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The elements start on their own cache-line pair so that the header's words never share a line
 * with the data that processes write.
 */
final class ArrayDescriptor {
    static final int VERSION = 1;
    static final long LENGTH_OFFSET = SegmentDescriptor.LENGTH;
    static final long ELEMENT_SIZE_OFFSET = LENGTH_OFFSET + 8;
    static final long DATA_OFFSET = SegmentDescriptor.CACHE_LINE_PAIR;

    private ArrayDescriptor() {}

    /** {@return the segment size for {@code length} elements of {@code elementSize} bytes} */
    static long segmentSize(long length, int elementSize) {
        if (length < 0 || length > (Long.MAX_VALUE - DATA_OFFSET) / elementSize) {
            throw new IllegalArgumentException(
                    "length must be between 0 and " + (Long.MAX_VALUE - DATA_OFFSET) / elementSize + ", was " + length);
        }
        return DATA_OFFSET + Math.max(1, length * elementSize);
    }

    static void initialize(MemorySegment whole, long length, int elementSize) {
        Atomics.setLongPlain(whole, LENGTH_OFFSET, length);
        Atomics.setIntPlain(whole, ELEMENT_SIZE_OFFSET, elementSize);
    }

    /** {@return the elements of an attached array, after checking its recorded shape} */
    static MemorySegment elements(MemorySegment whole, int elementSize) {
        long length = Atomics.getLongPlain(whole, LENGTH_OFFSET);
        int recorded = Atomics.getIntPlain(whole, ELEMENT_SIZE_OFFSET);
        if (recorded != elementSize || DATA_OFFSET + length * elementSize > whole.byteSize()) {
            throw new IllegalStateException("corrupt array header: length " + length + ", element size " + recorded
                    + ", segment " + whole.byteSize() + " bytes");
        }
        return whole.asSlice(DATA_OFFSET, length * elementSize);
    }
}
