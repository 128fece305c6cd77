package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue of {@code byte[]} messages that many processes put into and take from, each
 * message delivered once; the messages a consumer had taken but not acknowledged when it died are
 * kept and reported by {@link #takeOrphans()}, never silently lost.
 *
 * <pre>{@code
 * // producer process                          // consumer process
 * queue.put(bytes, Duration.ofSeconds(1));     byte[] m = queue.take(Duration.ofSeconds(1));
 *                                              process(m);
 *                                              queue.acknowledge();   // or the next take does it
 * }</pre>
 *
 * <h2>Delivery</h2>
 * Each object ({@link #create} or {@link #attach}) is one <em>participant</em>. A message returned by
 * {@link #take}/{@link #poll} stays <em>in flight</em>, leased to the participant in shared memory,
 * until it calls {@link #acknowledge()}, its next {@code take}/{@code poll}, or {@link #close()}. If
 * its process dies first, the message is kept as an <em>orphan</em>; {@link #takeOrphans()} hands each
 * orphan to exactly one caller, which decides whether to re-offer it (at-least-once processing) or
 * report it. A producer that dies in the middle of a {@code put} loses only that message (its
 * {@code put} never returned) and the slot is skipped. So: no message is lost without a report and
 * none is delivered twice by the queue.
 *
 * <h2>Concurrency</h2>
 * A ring of slots with a sequence word each, after Vyukov's bounded MPMC queue, with one change:
 * producers and consumers claim a slot by CAS on its word (to a claim that names the participant)
 * and then help the tail or head forward, instead of CASing the tail or head first. A claim is thus
 * visible in the slot itself, which makes a dead participant's half-done work findable
 * ({@link QueueDescriptor}). A consumer copies the message into its lease before it frees the slot.
 * Producers of one object may call concurrently; the consuming methods of one object are serialized
 * (one lease per participant): for parallel consumers in one process, attach one object per thread.
 *
 * <h2>Waiting and failure</h2>
 * {@link #put} and {@link #take} spin briefly, then sleep on a futex ({@link Signal}) for at most
 * their timeout. Every 50 ms while blocked they look at the slot they are waiting for; if a dead
 * participant's claim blocks it, they recover: under a recovery lock held by process identity (taken
 * over from a dead recoverer), a dead consumer's claimed message moves to its lease and the slot is
 * freed, a dead producer's claimed slot becomes a tombstone that consumers skip. Attaching and
 * {@link #takeOrphans()} recover every dead participant.
 *
 * <h2>Why not Agrona</h2>
 * Agrona 2.6.0 ({@code org.agrona:agrona}) was evaluated: its ring buffers are one-to-one and
 * many-to-one only (no many consumers), have no blocking wait (callers spin or use idle strategies;
 * no cross-process wake-up), cannot attribute a consumer's in-flight message after its death, and
 * its {@code UnsafeBuffer} is built on {@code jdk.internal.misc.Unsafe}, which needs
 * {@code --add-exports java.base/jdk.internal.misc} in every JVM, including each worker. Fitting it
 * over an FFM segment would have kept none of its own code on the paths that matter here.
 *
 * <p><b>Thread safety.</b> Thread-safe, across threads and processes.
 *
 * <p><b>Memory consistency effects.</b> Actions in a process before it puts a message
 * happen-before actions after the {@code take} or {@code poll} that returns that message (or the
 * {@code takeOrphans} that reports it), in any process.
 */
public final class SharedQueue implements AutoCloseable {
    /** {@link #offer} status: the message is in the queue. */
    public static final int OFFERED = 0;
    /** {@link #offer} status: the queue is full (or its next slot is still being consumed). */
    public static final int FULL = -1;

    private static final long RECOVERY_LOCK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SharedSegment segment;
    private final MemorySegment memory;
    private final int capacity;
    private final long mask;
    private final int maxMessage;
    private final long slotsOffset;
    private final long slotStride;
    private final int index;
    private final long participantOffset;
    private final Signal notEmpty;
    private final Signal notFull;
    /** Serializes the consuming methods of this object: one lease per participant. */
    private final ReentrantLock consumerLock = new ReentrantLock();

    private SharedQueue(SharedSegment segment) throws IOException {
        this.segment = segment;
        this.memory = segment.whole();
        this.capacity = Atomics.getIntPlain(memory, QueueDescriptor.CAPACITY_OFFSET);
        this.maxMessage = Atomics.getIntPlain(memory, QueueDescriptor.MAX_MESSAGE_OFFSET);
        if (Integer.bitCount(capacity) != 1
                || maxMessage < 1
                || QueueDescriptor.segmentSize(capacity, maxMessage) != memory.byteSize()) {
            throw new IOException("corrupt queue header: capacity " + capacity + ", max message " + maxMessage);
        }
        this.mask = capacity - 1;
        this.slotsOffset = QueueDescriptor.slotsOffset(maxMessage);
        this.slotStride = QueueDescriptor.slotStride(maxMessage);
        this.notEmpty =
                new Signal(memory, QueueDescriptor.NOT_EMPTY_SEQUENCE_OFFSET, QueueDescriptor.NOT_EMPTY_WAITERS_OFFSET);
        this.notFull =
                new Signal(memory, QueueDescriptor.NOT_FULL_SEQUENCE_OFFSET, QueueDescriptor.NOT_FULL_WAITERS_OFFSET);
        this.index = register();
        this.participantOffset = QueueDescriptor.participantOffset(maxMessage, index);
    }

    /**
     * Creates an empty queue; the creating object is its first participant.
     *
     * @param capacity how many messages it holds, a power of two between 2 and 2^24
     * @param maxMessageBytes the largest message, between 1 byte and 16 MiB
     * @return the queue; its creator's {@link #close()} deletes it
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedQueue create(int capacity, int maxMessageBytes) throws IOException {
        if (capacity < 2 || capacity > QueueDescriptor.MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two between 2 and "
                    + QueueDescriptor.MAX_CAPACITY + ", was " + capacity);
        }
        if (maxMessageBytes < 1 || maxMessageBytes > QueueDescriptor.MAX_MESSAGE) {
            throw new IllegalArgumentException("maxMessageBytes must be between 1 and " + QueueDescriptor.MAX_MESSAGE
                    + ", was " + maxMessageBytes);
        }
        long slots = QueueDescriptor.slotsOffset(maxMessageBytes);
        long stride = QueueDescriptor.slotStride(maxMessageBytes);
        SharedSegment segment = SharedSegment.create(
                Kind.QUEUE, QueueDescriptor.VERSION, QueueDescriptor.segmentSize(capacity, maxMessageBytes), whole -> {
                    Atomics.setIntPlain(whole, QueueDescriptor.CAPACITY_OFFSET, capacity);
                    Atomics.setIntPlain(whole, QueueDescriptor.MAX_MESSAGE_OFFSET, maxMessageBytes);
                    Atomics.setIntPlain(whole, QueueDescriptor.PARTICIPANTS_OFFSET, QueueDescriptor.MAX_PARTICIPANTS);
                    for (long p = 0; p < capacity; p++) {
                        Atomics.setLongPlain(whole, slots + p * stride + QueueDescriptor.SLOT_SEQUENCE, p);
                    }
                });
        try {
            return new SharedQueue(segment);
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    /**
     * Attaches a queue created by another process (or this one), as a new participant. First
     * recovers the work of participants whose process died.
     *
     * @param handle the queue's {@link #handle()}
     * @return the queue; close it to detach
     * @throws IOException if the segment is gone, is not a queue, or all 128 participant entries are
     *         taken (by live participants, or by orphans nobody collected with {@link #takeOrphans()})
     */
    public static SharedQueue attach(SegmentHandle handle) throws IOException {
        SharedSegment segment = SharedSegment.attach(handle, Kind.QUEUE, QueueDescriptor.VERSION);
        try {
            return new SharedQueue(segment);
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------ producing

    /**
     * Adds a message if there is room now.
     *
     * @param message the message, at most {@link #maxMessageBytes()} bytes; copied
     * @return {@link #OFFERED} or {@link #FULL}
     */
    public int offer(byte[] message) {
        checkMessage(message);
        return tryPut(message);
    }

    /**
     * Adds a message, waiting at most {@code timeout} for room.
     *
     * @param message the message, at most {@link #maxMessageBytes()} bytes; copied
     * @param timeout the longest wait
     * @return whether the message was added
     * @throws InterruptedException if interrupted while waiting; the message was then not added
     */
    public boolean put(byte[] message, Duration timeout) throws InterruptedException {
        checkMessage(message);
        long deadline = Signal.deadline(timeout);
        return notFull.await(() -> tryPut(message) == OFFERED, deadline, this::recoverIfTailBlocked);
    }

    private int tryPut(byte[] message) {
        while (true) {
            long pos = Atomics.getLongVolatile(memory, QueueDescriptor.TAIL_OFFSET);
            long slot = slotOffset(pos);
            long word = Atomics.getLongVolatile(memory, slot);
            if (word == pos) {
                if (Atomics.casLong(memory, slot, pos, QueueDescriptor.producerClaim(index, pos))) {
                    Atomics.casLong(memory, QueueDescriptor.TAIL_OFFSET, pos, pos + 1);
                    Atomics.setIntPlain(memory, slot + QueueDescriptor.SLOT_LENGTH, message.length);
                    MemorySegment.copy(
                            message,
                            0,
                            memory,
                            ValueLayout.JAVA_BYTE,
                            slot + QueueDescriptor.SLOT_PAYLOAD,
                            message.length);
                    Atomics.setLongRelease(memory, slot, pos + 1);
                    notEmpty.signal();
                    return OFFERED;
                }
            } else if (tailIsStale(word, pos)) {
                Atomics.casLong(memory, QueueDescriptor.TAIL_OFFSET, pos, pos + 1);
            } else {
                return FULL;
            }
        }
    }

    /** Whether the slot word shows that position {@code pos} was already claimed or filled. */
    private boolean tailIsStale(long word, long pos) {
        if (QueueDescriptor.isClaim(word)) {
            return QueueDescriptor.claimPosition(word) >= pos;
        }
        return word > pos;
    }

    // ------------------------------------------------------------------------------ consuming

    /**
     * Takes the next message if there is one now. Acknowledges this object's previous message first.
     *
     * @return the message, in flight until acknowledged; or {@code null} if the queue is empty
     */
    public byte[] poll() {
        consumerLock.lock();
        try {
            acknowledgeLocked();
            return tryTake();
        } finally {
            consumerLock.unlock();
        }
    }

    /**
     * Takes the next message, waiting at most {@code timeout} for one. Acknowledges this object's
     * previous message first.
     *
     * @param timeout the longest wait
     * @return the message, in flight until acknowledged; or {@code null} on timeout
     * @throws InterruptedException if interrupted while waiting; nothing was then taken
     */
    public byte[] take(Duration timeout) throws InterruptedException {
        long deadline = Signal.deadline(timeout);
        if (!consumerLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return null;
        }
        try {
            acknowledgeLocked();
            byte[][] taken = new byte[1][];
            notEmpty.await(() -> (taken[0] = tryTake()) != null, deadline, this::recoverIfHeadBlocked);
            return taken[0];
        } finally {
            consumerLock.unlock();
        }
    }

    /**
     * Marks the message this object took last as done, so that it is no longer reported as an orphan
     * should this process die. Taking the next message does the same.
     */
    public void acknowledge() {
        consumerLock.lock();
        try {
            acknowledgeLocked();
        } finally {
            consumerLock.unlock();
        }
    }

    private void acknowledgeLocked() {
        Atomics.setLongRelease(memory, participantOffset + QueueDescriptor.PARTICIPANT_LEASE, 0);
    }

    private byte[] tryTake() {
        while (true) {
            long pos = Atomics.getLongVolatile(memory, QueueDescriptor.HEAD_OFFSET);
            long slot = slotOffset(pos);
            long word = Atomics.getLongVolatile(memory, slot);
            if (word == pos + 1) {
                if (!Atomics.casLong(memory, slot, pos + 1, QueueDescriptor.consumerClaim(index, pos))) {
                    continue;
                }
                Atomics.casLong(memory, QueueDescriptor.HEAD_OFFSET, pos, pos + 1);
                int length = Atomics.getIntPlain(memory, slot + QueueDescriptor.SLOT_LENGTH);
                if (length == QueueDescriptor.TOMBSTONE) {
                    Atomics.setLongRelease(memory, slot, pos + capacity);
                    notFull.signal();
                    continue;
                }
                MemorySegment.copy(
                        memory,
                        slot + QueueDescriptor.SLOT_PAYLOAD,
                        memory,
                        participantOffset + QueueDescriptor.PARTICIPANT_PAYLOAD,
                        length);
                Atomics.setIntPlain(memory, participantOffset + QueueDescriptor.PARTICIPANT_LEASE_LENGTH, length);
                Atomics.setLongRelease(memory, participantOffset + QueueDescriptor.PARTICIPANT_LEASE, pos + 1);
                Atomics.setLongRelease(memory, slot, pos + capacity);
                notFull.signal();
                byte[] message = new byte[length];
                MemorySegment.copy(
                        memory,
                        ValueLayout.JAVA_BYTE,
                        participantOffset + QueueDescriptor.PARTICIPANT_PAYLOAD,
                        message,
                        0,
                        length);
                return message;
            } else if (headIsStale(word, pos)) {
                Atomics.casLong(memory, QueueDescriptor.HEAD_OFFSET, pos, pos + 1);
            } else {
                return null;
            }
        }
    }

    /** Whether the slot word shows that position {@code pos} was already claimed or consumed. */
    private boolean headIsStale(long word, long pos) {
        if (QueueDescriptor.isClaim(word)) {
            long claimed = QueueDescriptor.claimPosition(word);
            return QueueDescriptor.isConsumerClaim(word) ? claimed >= pos : claimed > pos;
        }
        return word > pos + 1;
    }

    // ------------------------------------------------------------------------------ recovery

    /**
     * Returns the messages that participants had taken but not acknowledged when their process
     * died, and frees their entries. Each orphan is returned by exactly one call, in any process.
     * Recovers every dead participant first; a participant counts as dead once its process has
     * exited (for a child process: once it was reaped, for example by {@link Process#waitFor()}).
     *
     * @return the orphaned messages, possibly none
     * @throws IllegalStateException if a live process held the recovery lock for 5 s
     */
    public List<byte[]> takeOrphans() {
        List<byte[]> orphans = new ArrayList<>();
        if (!lockRecovery(RECOVERY_LOCK_NANOS)) {
            throw new IllegalStateException("the queue's recovery lock was held by "
                    + ProcessIdentity.describe(Atomics.getLongVolatile(memory, QueueDescriptor.RECOVERY_OWNER_OFFSET))
                    + " for 5 s");
        }
        try {
            recoverDeadLocked();
            for (int p = 0; p < QueueDescriptor.MAX_PARTICIPANTS; p++) {
                long entry = QueueDescriptor.participantOffset(maxMessage, p);
                if (Atomics.getLongVolatile(memory, entry + QueueDescriptor.PARTICIPANT_IDENTITY)
                        != QueueDescriptor.ORPHANED) {
                    continue;
                }
                int length = Atomics.getIntPlain(memory, entry + QueueDescriptor.PARTICIPANT_LEASE_LENGTH);
                byte[] message = new byte[length];
                MemorySegment.copy(
                        memory, ValueLayout.JAVA_BYTE, entry + QueueDescriptor.PARTICIPANT_PAYLOAD, message, 0, length);
                orphans.add(message);
                Atomics.setLongRelease(memory, entry + QueueDescriptor.PARTICIPANT_LEASE, 0);
                Atomics.setLongVolatile(memory, entry + QueueDescriptor.PARTICIPANT_IDENTITY, 0);
            }
        } finally {
            unlockRecovery();
        }
        return orphans;
    }

    /** Between sleeps of a blocked producer: is the slot at the tail claimed by a dead participant? */
    private void recoverIfTailBlocked() {
        long pos = Atomics.getLongVolatile(memory, QueueDescriptor.TAIL_OFFSET);
        recoverIfClaimedByDead(Atomics.getLongVolatile(memory, slotOffset(pos)));
    }

    /** Between sleeps of a blocked consumer: is the slot at the head claimed by a dead participant? */
    private void recoverIfHeadBlocked() {
        long pos = Atomics.getLongVolatile(memory, QueueDescriptor.HEAD_OFFSET);
        recoverIfClaimedByDead(Atomics.getLongVolatile(memory, slotOffset(pos)));
    }

    private void recoverIfClaimedByDead(long word) {
        if (!QueueDescriptor.isClaim(word)) {
            return;
        }
        long identity = participantIdentity(QueueDescriptor.claimant(word));
        if (identity <= 0 || !ProcessIdentity.isAlive(identity)) {
            if (lockRecovery(0)) {
                try {
                    recoverDeadLocked();
                } finally {
                    unlockRecovery();
                }
            }
        }
    }

    /** Recovers every participant whose process is dead. Caller holds the recovery lock. */
    private void recoverDeadLocked() {
        Map<Long, Boolean> alive = new HashMap<>();
        for (int p = 0; p < QueueDescriptor.MAX_PARTICIPANTS; p++) {
            long identity = participantIdentity(p);
            if (identity > 0 && !alive.computeIfAbsent(identity, ProcessIdentity::isAlive)) {
                recoverLocked(p);
            }
        }
    }

    /**
     * Finishes or undoes the work of dead participant {@code p}. Idempotent, so that a recoverer
     * that dies half-way is simply redone by the next one.
     */
    private void recoverLocked(int p) {
        long entry = QueueDescriptor.participantOffset(maxMessage, p);
        long leaseOffset = entry + QueueDescriptor.PARTICIPANT_LEASE;
        for (long i = 0; i < capacity; i++) {
            long slot = slotsOffset + i * slotStride;
            long word = Atomics.getLongVolatile(memory, slot);
            if (!QueueDescriptor.isClaim(word) || QueueDescriptor.claimant(word) != p) {
                continue;
            }
            long pos = QueueDescriptor.claimPosition(word);
            int length = Atomics.getIntPlain(memory, slot + QueueDescriptor.SLOT_LENGTH);
            if (QueueDescriptor.isConsumerClaim(word)) {
                // Taken from the ring but maybe not yet moved into the lease: move it, then free.
                if (length != QueueDescriptor.TOMBSTONE && Atomics.getLongVolatile(memory, leaseOffset) != pos + 1) {
                    MemorySegment.copy(
                            memory,
                            slot + QueueDescriptor.SLOT_PAYLOAD,
                            memory,
                            entry + QueueDescriptor.PARTICIPANT_PAYLOAD,
                            length);
                    Atomics.setIntPlain(memory, entry + QueueDescriptor.PARTICIPANT_LEASE_LENGTH, length);
                    Atomics.setLongRelease(memory, leaseOffset, pos + 1);
                }
                if (Atomics.casLong(memory, slot, word, pos + capacity)) {
                    notFull.signal();
                }
            } else {
                // Claimed by a producer that died before publishing: publish a tombstone.
                Atomics.setIntPlain(memory, slot + QueueDescriptor.SLOT_LENGTH, QueueDescriptor.TOMBSTONE);
                if (Atomics.casLong(memory, slot, word, pos + 1)) {
                    Atomics.getAndAddLong(memory, QueueDescriptor.PRODUCER_DROPS_OFFSET, 1);
                    notEmpty.signal();
                }
            }
        }
        boolean leased = Atomics.getLongVolatile(memory, leaseOffset) != 0;
        if (leased) {
            Atomics.getAndAddLong(memory, QueueDescriptor.ORPHANS_RECOVERED_OFFSET, 1);
        }
        Atomics.setLongVolatile(
                memory, entry + QueueDescriptor.PARTICIPANT_IDENTITY, leased ? QueueDescriptor.ORPHANED : 0);
    }

    /**
     * Takes the recovery lock: a word holding the recoverer's identity, taken over if that process
     * died. Threads of this process exclude each other by the same word (one identity), so a
     * thread that finds it held by this process waits for, or gives up on, its sibling.
     */
    private boolean lockRecovery(long waitNanos) {
        long deadline = System.nanoTime() + waitNanos;
        long self = ProcessIdentity.self();
        while (true) {
            long owner = Atomics.getLongVolatile(memory, QueueDescriptor.RECOVERY_OWNER_OFFSET);
            if (owner == 0 || (owner != self && !ProcessIdentity.isAlive(owner))) {
                if (Atomics.casLong(memory, QueueDescriptor.RECOVERY_OWNER_OFFSET, owner, self)) {
                    return true;
                }
                continue;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.yield();
        }
    }

    private void unlockRecovery() {
        Atomics.setLongVolatile(memory, QueueDescriptor.RECOVERY_OWNER_OFFSET, 0);
    }

    /** Recovers dead participants, then claims a free entry for this object. */
    private int register() throws IOException {
        if (lockRecovery(RECOVERY_LOCK_NANOS)) {
            try {
                recoverDeadLocked();
            } finally {
                unlockRecovery();
            }
        }
        long self = ProcessIdentity.self();
        int orphans = 0;
        for (int p = 0; p < QueueDescriptor.MAX_PARTICIPANTS; p++) {
            long entry = QueueDescriptor.participantOffset(maxMessage, p) + QueueDescriptor.PARTICIPANT_IDENTITY;
            long identity = Atomics.getLongVolatile(memory, entry);
            if (identity == 0 && Atomics.casLong(memory, entry, 0, self)) {
                return p;
            }
            if (identity == QueueDescriptor.ORPHANED) {
                orphans++;
            }
        }
        throw new IOException("all " + QueueDescriptor.MAX_PARTICIPANTS + " participant entries of "
                + segment.handle().path() + " are taken (" + orphans
                + " by orphans of dead consumers: collect them with takeOrphans())");
    }

    private long participantIdentity(int p) {
        return Atomics.getLongVolatile(
                memory, QueueDescriptor.participantOffset(maxMessage, p) + QueueDescriptor.PARTICIPANT_IDENTITY);
    }

    // ------------------------------------------------------------------------------ the rest

    /** {@return how many messages are in the queue now (a snapshot), in flight ones excluded} */
    public int size() {
        long head = Atomics.getLongVolatile(memory, QueueDescriptor.HEAD_OFFSET);
        long tail = Atomics.getLongVolatile(memory, QueueDescriptor.TAIL_OFFSET);
        return (int) Math.max(0, Math.min(capacity, tail - head));
    }

    /** {@return how many messages the queue holds at most} */
    public int capacity() {
        return capacity;
    }

    /** {@return the largest message in bytes} */
    public int maxMessageBytes() {
        return maxMessage;
    }

    /** {@return how many messages were dropped because their producer died while putting them} */
    public long producerDrops() {
        return Atomics.getLongVolatile(memory, QueueDescriptor.PRODUCER_DROPS_OFFSET);
    }

    /** {@return a handle that another process can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return segment.handle();
    }

    /**
     * Acknowledges this object's last message, leaves the participant table and unmaps the queue;
     * if this process created it, also deletes it. Call it after this object's operations have
     * returned. Idempotent.
     */
    @Override
    public void close() {
        if (segment.isClosed()) {
            return;
        }
        try {
            acknowledgeLocked();
            Atomics.setLongVolatile(memory, participantOffset + QueueDescriptor.PARTICIPANT_IDENTITY, 0);
            notEmpty.wakeAll();
            notFull.wakeAll();
        } finally {
            segment.close();
        }
    }

    @Override
    public String toString() {
        return "SharedQueue[capacity=" + capacity + ", maxMessage=" + maxMessage + ", participant=" + index + ", "
                + segment.handle().path() + "]";
    }

    private long slotOffset(long pos) {
        return slotsOffset + (pos & mask) * slotStride;
    }

    private void checkMessage(byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length > maxMessage) {
            throw new IllegalArgumentException("message is " + message.length + " bytes, more than this queue's"
                    + " maxMessageBytes " + maxMessage);
        }
    }
}
