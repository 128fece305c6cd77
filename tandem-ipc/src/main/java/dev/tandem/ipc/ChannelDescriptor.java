package dev.tandem.ipc;

/**
 * The layout of a {@link SharedChannel}: two single-producer single-consumer byte rings, one per
 * direction, after Agrona's {@code OneToOneRingBuffer}, plus the identities and close flags of the
 * two ends.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (SegmentDescriptor)                    |    0
 *  +---------------------------------------------------------------+
 *  |  Ring capacity R (int, power of two)  | Reserved to 128       |   64
 *  +---------------------------------------------------------------+
 *  |  End A identity (long, the creator)                           |  128  cold
 *  |  End B identity (long, 0 until attached)                      |  136
 *  |  End A closed (int)                   | End B closed (int)    |  144
 *  +---------------------------------------------------------------+
 *  |  Ring A to B (RING_META + R bytes)                            |  256
 *  +---------------------------------------------------------------+
 *  |  Ring B to A (RING_META + R bytes)                            |  256 + RING_META + R
 *  +---------------------------------------------------------------+
 *
 *  Ring, relative to its start:
 *  +---------------------------------------------------------------+
 *  |  Tail: bytes ever written (long), producer only               |    0  own lines
 *  +---------------------------------------------------------------+
 *  |  Head: bytes ever read (long), consumer only                  |  128  own lines
 *  +---------------------------------------------------------------+
 *  |  Data signal sequence (int, futex)  | Data signal waiters     |  256  own lines
 *  +---------------------------------------------------------------+
 *  |  Space signal sequence (int, futex) | Space signal waiters    |  384  own lines
 *  +---------------------------------------------------------------+
 *  |  Records, R bytes                                             |  512
 *  +---------------------------------------------------------------+
 *
 *  Record (8-byte aligned, never split across the end of the ring):
 *  +---------------------------------------------------------------+
 *  |  Payload length (int), or -1 = padding to the end of the ring |   +0
 *  |  Flags (int): 1 = first fragment, 2 = last fragment            |   +4
 *  |  Frame length (int), in the first fragment                     |   +8
 *  |  Reserved (int)                                                |  +12
 *  |  Payload ...                                                   |  +16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A frame larger than a quarter of the ring travels as several fragments, so that the sender
 * fills one part while the receiver drains another. The producer writes records and then publishes
 * the tail with release; the consumer reads the tail with acquire, reads records, then publishes the
 * head with release: the only shared words on the hot path are the two positions.
 */
final class ChannelDescriptor {
    static final int VERSION = 1;
    static final int MIN_CAPACITY = 4096;
    static final int MAX_CAPACITY = 1 << 30;

    static final long CAPACITY_OFFSET = SegmentDescriptor.LENGTH;
    static final long END_A_OFFSET = SegmentDescriptor.CACHE_LINE_PAIR;
    static final long END_B_OFFSET = END_A_OFFSET + 8;
    static final long END_A_CLOSED_OFFSET = END_A_OFFSET + 16;
    static final long END_B_CLOSED_OFFSET = END_A_OFFSET + 20;
    static final long RINGS_OFFSET = 2 * SegmentDescriptor.CACHE_LINE_PAIR;

    static final long RING_TAIL = 0;
    static final long RING_HEAD = SegmentDescriptor.CACHE_LINE_PAIR;
    static final long RING_DATA_SEQUENCE = 2 * SegmentDescriptor.CACHE_LINE_PAIR;
    static final long RING_DATA_WAITERS = RING_DATA_SEQUENCE + 4;
    static final long RING_SPACE_SEQUENCE = 3 * SegmentDescriptor.CACHE_LINE_PAIR;
    static final long RING_SPACE_WAITERS = RING_SPACE_SEQUENCE + 4;
    static final long RING_META = 4 * SegmentDescriptor.CACHE_LINE_PAIR;

    static final int RECORD_LENGTH = 0;
    static final int RECORD_FLAGS = 4;
    static final int RECORD_FRAME_LENGTH = 8;
    static final int RECORD_HEADER = 16;
    static final int PADDING = -1;
    static final int FIRST = 1;
    static final int LAST = 2;

    private ChannelDescriptor() {}

    /** {@return the offset of the ring that end {@code fromA ? A : B} writes} */
    static long ringOffset(int capacity, boolean fromA) {
        return RINGS_OFFSET + (fromA ? 0 : RING_META + capacity);
    }

    static long segmentSize(int capacity) {
        return RINGS_OFFSET + 2 * (RING_META + (long) capacity);
    }

    static int maxFragment(int capacity) {
        return capacity / 4 - RECORD_HEADER;
    }
}
