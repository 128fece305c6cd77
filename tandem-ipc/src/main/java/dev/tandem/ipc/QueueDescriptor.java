package dev.tandem.ipc;

/**
 * The layout of a {@link SharedQueue}: a bounded ring of fixed-size slots with a sequence word each
 * (after Dmitry Vyukov's bounded MPMC queue), a table of participants (one per attached object)
 * with one lease per participant, and the hot positions and futex words on their own cache lines.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (SegmentDescriptor)                    |    0
 *  +---------------------------------------------------------------+
 *  |  Capacity C (int, power of two) |  Max message M (int)        |   64
 *  |  Participants P (int)           |  Reserved to 128            |   72
 *  +---------------------------------------------------------------+
 *  |                 Head: next position to take (long)            |  128  hot, own lines
 *  +---------------------------------------------------------------+
 *  |                 Tail: next position to fill (long)            |  256  hot, own lines
 *  +---------------------------------------------------------------+
 *  |  Not-empty sequence (int, futex) | Not-empty waiters (int)    |  384  own lines
 *  +---------------------------------------------------------------+
 *  |  Not-full sequence (int, futex)  | Not-full waiters (int)     |  512  own lines
 *  +---------------------------------------------------------------+
 *  |  Recovery owner (long, identity) | Producer drops (long) |    |  640  cold
 *  |  Orphans recovered (long)                                     |
 *  +---------------------------------------------------------------+
 *  |  Participant 0: identity (long) | lease (long) | lease length |  768  stride align64(64 + M)
 *  |                 (int) ... lease payload at +64 (M bytes)      |
 *  |  Participant 1 ... P-1                                        |
 *  +---------------------------------------------------------------+
 *  |  Slot 0: sequence or claim (long) | length (int) | pad        |  slots: stride align64(16 + M)
 *  |          payload at +16 (M bytes)                             |
 *  |  Slot 1 ... C-1                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <h2>Slot word</h2>
 * For the slot of position {@code p} (index {@code p & (C-1)}): {@code p} = empty and free to fill;
 * {@code p + 1} = holds the message of {@code p}; {@code p + C} = consumed, free for position
 * {@code p + C}. While a participant works on a slot the word is a <em>claim</em>: negative, with
 * bit 62 set for a consumer, the participant's index in bits 54..61 and the position in bits 0..53.
 * Claims make every in-progress operation attributable, so a dead participant's work is found by
 * scanning the ring for its index.
 *
 * <h2>Participant word</h2>
 * 0 = free; positive = the {@link ProcessIdentity} of the process that attached through this entry;
 * {@link #ORPHANED} = its process died holding a lease, kept until {@link SharedQueue#takeOrphans()}.
 * The lease word is 0 or {@code p + 1} when the lease payload holds the message of position
 * {@code p} that the participant took and has not acknowledged.
 */
final class QueueDescriptor {
    static final int VERSION = 1;
    static final int MAX_PARTICIPANTS = 128;
    static final int MAX_CAPACITY = 1 << 24;
    static final int MAX_MESSAGE = 16 << 20;
    /** The length of a slot whose producer died before filling it: consumers skip it. */
    static final int TOMBSTONE = -1;

    static final long ORPHANED = -1L;

    static final long CAPACITY_OFFSET = SegmentDescriptor.LENGTH;
    static final long MAX_MESSAGE_OFFSET = CAPACITY_OFFSET + 4;
    static final long PARTICIPANTS_OFFSET = CAPACITY_OFFSET + 8;
    static final long HEAD_OFFSET = SegmentDescriptor.CACHE_LINE_PAIR;
    static final long TAIL_OFFSET = HEAD_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;
    static final long NOT_EMPTY_SEQUENCE_OFFSET = TAIL_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;
    static final long NOT_EMPTY_WAITERS_OFFSET = NOT_EMPTY_SEQUENCE_OFFSET + 4;
    static final long NOT_FULL_SEQUENCE_OFFSET = NOT_EMPTY_SEQUENCE_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;
    static final long NOT_FULL_WAITERS_OFFSET = NOT_FULL_SEQUENCE_OFFSET + 4;
    static final long RECOVERY_OWNER_OFFSET = NOT_FULL_SEQUENCE_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;
    static final long PRODUCER_DROPS_OFFSET = RECOVERY_OWNER_OFFSET + 8;
    static final long ORPHANS_RECOVERED_OFFSET = RECOVERY_OWNER_OFFSET + 16;
    static final long PARTICIPANT_TABLE_OFFSET = RECOVERY_OWNER_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;

    static final long PARTICIPANT_IDENTITY = 0;
    static final long PARTICIPANT_LEASE = 8;
    static final long PARTICIPANT_LEASE_LENGTH = 16;
    static final long PARTICIPANT_PAYLOAD = 64;
    static final long SLOT_SEQUENCE = 0;
    static final long SLOT_LENGTH = 8;
    static final long SLOT_PAYLOAD = 16;

    private static final long CLAIM = 1L << 63;
    private static final long CONSUMER = 1L << 62;
    private static final int INDEX_SHIFT = 54;
    private static final long POSITION_MASK = (1L << INDEX_SHIFT) - 1;

    private QueueDescriptor() {}

    static long participantStride(int maxMessage) {
        return Atomics.align(PARTICIPANT_PAYLOAD + maxMessage, SegmentDescriptor.CACHE_LINE);
    }

    static long slotStride(int maxMessage) {
        return Atomics.align(SLOT_PAYLOAD + maxMessage, SegmentDescriptor.CACHE_LINE);
    }

    static long participantOffset(int maxMessage, int index) {
        return PARTICIPANT_TABLE_OFFSET + index * participantStride(maxMessage);
    }

    static long slotsOffset(int maxMessage) {
        return Atomics.align(participantOffset(maxMessage, MAX_PARTICIPANTS), SegmentDescriptor.CACHE_LINE_PAIR);
    }

    static long segmentSize(int capacity, int maxMessage) {
        return slotsOffset(maxMessage) + capacity * slotStride(maxMessage);
    }

    static long producerClaim(int participant, long position) {
        return CLAIM | ((long) participant << INDEX_SHIFT) | position;
    }

    static long consumerClaim(int participant, long position) {
        return CLAIM | CONSUMER | ((long) participant << INDEX_SHIFT) | position;
    }

    static boolean isClaim(long word) {
        return word < 0;
    }

    static boolean isConsumerClaim(long word) {
        return (word & CONSUMER) != 0;
    }

    static int claimant(long word) {
        return (int) ((word >>> INDEX_SHIFT) & 0xFF);
    }

    static long claimPosition(long word) {
        return word & POSITION_MASK;
    }
}
