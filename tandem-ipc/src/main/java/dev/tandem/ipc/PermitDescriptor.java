package dev.tandem.ipc;

/**
 * The layout of a {@link SharedSemaphore} and of a {@link SharedLock} (one permit): a table of
 * permit slots, each free (0) or holding its holder's {@link ProcessIdentity}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (SegmentDescriptor)                    |   0
 *  +---------------------------------------------------------------+
 *  |                 Permits N (int)                               |  64
 *  +---------------------------------------------------------------+
 *  |                 Padding to byte 128                           |  68
 *  +---------------------------------------------------------------+
 *  |                 Release signal sequence (int)                 | 128  futex word, hot
 *  +---------------------------------------------------------------+
 *  |                 Release signal waiters (int)                  | 132
 *  +---------------------------------------------------------------+
 *  |                 Padding to byte 256                           | 136
 *  +---------------------------------------------------------------+
 *  |                 Slot 0 holder identity (long), 0 = free       | 256  own cache line
 *  |                 padding to 64 bytes                           |
 *  +---------------------------------------------------------------+
 *  |                 Slot 1 ... Slot N-1                           | 320
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Why slots rather than a count.</b> A count cannot say who holds what: a process that dies
 * between decrementing a count and recording itself would leak a permit. Here acquiring is one CAS
 * of a slot from 0 to the holder's identity, releasing one CAS back, and recovering one CAS from a
 * dead holder's identity to the new holder's: no step leaves a permit unaccounted for, and at most
 * N slots can be non-zero, so at most N holders exist at any instant.
 */
final class PermitDescriptor {
    static final int VERSION = 1;
    static final int MAX_PERMITS = 4096;
    static final long PERMITS_OFFSET = SegmentDescriptor.LENGTH;
    static final long SIGNAL_SEQUENCE_OFFSET = SegmentDescriptor.CACHE_LINE_PAIR;
    static final long SIGNAL_WAITERS_OFFSET = SIGNAL_SEQUENCE_OFFSET + 4;
    static final long SLOTS_OFFSET = 2 * SegmentDescriptor.CACHE_LINE_PAIR;
    static final long SLOT_STRIDE = SegmentDescriptor.CACHE_LINE;

    private PermitDescriptor() {}

    static long segmentSize(int permits) {
        return SLOTS_OFFSET + permits * SLOT_STRIDE;
    }

    static long slotOffset(int slot) {
        return SLOTS_OFFSET + slot * SLOT_STRIDE;
    }
}
