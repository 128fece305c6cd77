package dev.tandem.protocol;

import dev.tandem.ipc.SharedMemoryFullException;
import dev.tandem.ipc.SharedSegment;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The writing side of the shared-memory lane: copies large primitive arrays and {@link ByteBuffer}s
 * into shared segments, so that a frame carries only their {@link BulkEntry} and the reader copies
 * them out, instead of both sides serializing them and pushing them through the control channel.
 *
 * <h2>Why a pool of segments</h2>
 * A fresh segment's pages are allocated (and zeroed) by the kernel on first touch: copying 256 MiB
 * into a new file took about 220 ms here, into one whose pages already exist about 35 ms. So
 * segments are reused: a {@link Lease} holds one while its data may still be read, and a released
 * segment waits in a free list for the next value that fits it (at most four times smaller than it).
 * Free segments go when {@link #trim(long) idle} for a while, when more than {@link #MAX_FREE_BYTES}
 * are free, and at {@link #close()}. Sizes come in steps of a quarter octave, so a segment is at
 * most 25 % larger than the value that made it.
 *
 * <h2>Reuse is checked, not trusted</h2>
 * Each segment starts with a seqlock word ({@link BulkDescriptor}): a write makes it odd, copies,
 * and makes it even again; the entry names the even value. A reader that finds another value,
 * before or after its copy, fails with an {@link IOException} instead of returning torn data. So a
 * lease may be released as soon as its owner no longer needs the value to be readable (for a task:
 * when its future is done), even if a worker might still read it late: that read fails, for a task
 * whose outcome is already decided.
 *
 * <h2>Release</h2>
 * Either the owner calls {@link Lease#release()} (the caller releases a task's arguments when the
 * task's future is done), or, for a writer built {@code reclaimedByReader}, the reader marks the
 * sequence it consumed in the segment ({@link BulkReader#release}) and the writer takes the segment
 * back the next time it needs one (a worker's results: the caller marks them once decoded).
 *
 * <p>Thread-safe: {@link #put} may run in several threads at once; each copies into its own segment.
 */
public final class BulkWriter implements AutoCloseable {
    /**
     * The default threshold: arrays and buffers of at least 128 KiB travel through shared memory.
     * Below it, a copy inside the frame costs less than the lane's own work (open, map, unmap, the
     * table); measured with {@code core.PayloadBenchmark} (docs/performance.md).
     */
    public static final long DEFAULT_THRESHOLD = 128 << 10;
    /** The most bytes of free segments kept for reuse: 1 GiB. */
    static final long MAX_FREE_BYTES = 1L << 30;

    private final long threshold;
    private final boolean reclaimedByReader;
    /** Free segments, most recently used last. Guarded by this. */
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    /** Leased segments. Guarded by this. */
    private final List<Slot> leased = new ArrayList<>();
    /** Guarded by this. */
    private long freeBytes;
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param threshold the smallest array or buffer, in bytes, that goes through shared memory; 0 or
     *     less turns the lane off
     * @param reclaimedByReader whether segments come back when the reader marks them
     *     ({@link BulkReader#release}) rather than by {@link Lease#release()}
     */
    public BulkWriter(long threshold, boolean reclaimedByReader) {
        this.threshold = threshold;
        this.reclaimedByReader = reclaimedByReader;
    }

    /** The seqlock and release words; in a class of their own so the FFM API loads on first use. */
    private static final class Words {
        static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    }

    /** A segment of the pool. */
    private static final class Slot {
        final SharedSegment segment;
        final MemorySegment memory;
        final long capacity;
        final long fileOffset;
        /** The last even sequence written. Guarded by the writer. */
        long sequence;
        /** Whether a {@link #put} is copying into it; then it is never reclaimed. Guarded by the writer. */
        boolean writing;

        long lastUsedNanos;

        Slot(SharedSegment segment) {
            this.segment = segment;
            this.memory = segment.memory();
            this.capacity = memory.byteSize() - BulkDescriptor.DATA_OFFSET;
            this.fileOffset = segment.handle().size() - memory.byteSize();
        }

        /** {@return whether its reader marked its data read; caller holds the writer's lock} */
        boolean releasedByReader() {
            return !writing && (long) Words.LONG.getAcquire(memory, BulkDescriptor.RELEASED_OFFSET) == sequence;
        }
    }

    /** The right to a segment's data: while held, the segment is not reused. */
    public final class Lease {
        private final Slot slot;
        private final BulkEntry entry;
        private boolean released;

        private Lease(Slot slot, BulkEntry entry) {
            this.slot = slot;
            this.entry = entry;
        }

        /** {@return what the frame carries} */
        public BulkEntry entry() {
            return entry;
        }

        /** Gives the segment back for reuse. Idempotent; thread-safe. */
        public void release() {
            synchronized (BulkWriter.this) {
                if (released) {
                    return;
                }
                released = true;
                if (leased.remove(slot)) {
                    giveBackLocked(slot);
                }
            }
        }
    }

    /** {@return the smallest array or buffer, in bytes, that goes through shared memory; 0 for none} */
    public long threshold() {
        return threshold;
    }

    /** {@return whether {@code value} goes through shared memory: a large primitive array or buffer} */
    public boolean accepts(Object value) {
        if (threshold <= 0 || value == null) {
            return false;
        }
        byte kind = BulkEntry.kindOf(value);
        return kind != 0 && byteSize(value, kind) >= threshold;
    }

    private static long byteSize(Object value, byte kind) {
        return (long) length(value, kind) * BulkEntry.elementBytes(kind);
    }

    /** {@return the elements of an array, or the remaining bytes of a buffer} */
    private static int length(Object value, byte kind) {
        return kind == BulkEntry.KIND_BUFFER ? ((ByteBuffer) value).remaining() : Array.getLength(value);
    }

    /**
     * Copies a value into a segment.
     *
     * @param value a value {@link #accepts} accepts
     * @return the lease on its copy
     * @throws SharedMemoryFullException if the segment directory has no room for it, even once the
     *     free segments are deleted
     * @throws IOException if no segment could be made for another reason
     */
    public Lease put(Object value) throws IOException {
        byte kind = BulkEntry.kindOf(value);
        long bytes = byteSize(value, kind);
        Slot slot = take(bytes);
        long odd;
        synchronized (this) {
            odd = slot.sequence + 1;
        }
        Words.LONG.setRelease(slot.memory, BulkDescriptor.SEQUENCE_OFFSET, odd);
        VarHandle.storeStoreFence();
        int length = length(value, kind);
        long at = BulkDescriptor.DATA_OFFSET;
        MemorySegment m = slot.memory;
        try {
            copyIn(value, kind, m, at, length);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                slot.writing = false;
                if (leased.remove(slot)) {
                    giveBackLocked(slot);
                }
            }
            throw e;
        }
        byte flags = value instanceof ByteBuffer b ? BulkEntry.flagsOf(b) : 0;
        long even = odd + 1;
        Words.LONG.setRelease(slot.memory, BulkDescriptor.SEQUENCE_OFFSET, even);
        synchronized (this) {
            slot.sequence = even;
            slot.writing = false;
        }
        BulkEntry entry = new BulkEntry(slot.segment.handle().path(), slot.fileOffset, even, kind, length, flags);
        return new Lease(slot, entry);
    }

    private static void copyIn(Object value, byte kind, MemorySegment m, long at, int length) {
        ValueLayout layout = switch (kind) {
            case BulkEntry.KIND_BYTES -> ValueLayout.JAVA_BYTE;
            case BulkEntry.KIND_SHORTS -> ValueLayout.JAVA_SHORT;
            case BulkEntry.KIND_CHARS -> ValueLayout.JAVA_CHAR;
            case BulkEntry.KIND_INTS -> ValueLayout.JAVA_INT;
            case BulkEntry.KIND_LONGS -> ValueLayout.JAVA_LONG;
            case BulkEntry.KIND_FLOATS -> ValueLayout.JAVA_FLOAT;
            case BulkEntry.KIND_DOUBLES -> ValueLayout.JAVA_DOUBLE;
            default -> null;
        };
        if (kind == BulkEntry.KIND_BOOLEANS) {
            // No bulk copy takes boolean[]: a byte per element, through a scratch array.
            boolean[] a = (boolean[]) value;
            byte[] scratch = new byte[Math.min(length, 1 << 16)];
            for (int from = 0; from < length; from += scratch.length) {
                int n = Math.min(scratch.length, length - from);
                for (int i = 0; i < n; i++) {
                    scratch[i] = (byte) (a[from + i] ? 1 : 0);
                }
                MemorySegment.copy(scratch, 0, m, ValueLayout.JAVA_BYTE, at + from, n);
            }
        } else if (layout == null) {
            MemorySegment.copy(MemorySegment.ofBuffer((ByteBuffer) value), 0, m, at, length);
        } else {
            MemorySegment.copy(value, 0, m, layout, at, length);
        }
    }

    /** Takes a free segment with room for {@code bytes} (at most four times more), or makes one. */
    private Slot take(long bytes) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IOException("the shared-memory lane is closed");
            }
            reclaimLocked();
            Slot best = null;
            for (Slot s : free) {
                if (s.capacity >= bytes && s.capacity / 4 <= bytes && (best == null || s.capacity < best.capacity)) {
                    best = s;
                }
            }
            if (best != null) {
                free.remove(best);
                freeBytes -= best.capacity;
                best.writing = true;
                leased.add(best);
                return best;
            }
        }
        Slot made;
        try {
            made = new Slot(
                    Uninterruptibly.run(() -> SharedSegment.create(BulkDescriptor.DATA_OFFSET + sizeClass(bytes))));
        } catch (SharedMemoryFullException full) {
            // Free segments of other sizes may be what fills the directory: drop them, try once more.
            if (!dropFree()) {
                throw full;
            }
            made = new Slot(
                    Uninterruptibly.run(() -> SharedSegment.create(BulkDescriptor.DATA_OFFSET + sizeClass(bytes))));
        }
        synchronized (this) {
            if (closed) {
                made.segment.close();
                throw new IOException("the shared-memory lane is closed");
            }
            made.writing = true;
            leased.add(made);
        }
        return made;
    }

    /** {@return {@code bytes} rounded up to a quarter octave: 1, 1.25, 1.5, 1.75 times a power of two} */
    static long sizeClass(long bytes) {
        long pow = Long.highestOneBit(Math.max(bytes, 4096));
        long step = pow / 4;
        return (bytes + step - 1) / step * step;
    }

    /** {@return whether there was a free segment} Deletes every free one. */
    private synchronized boolean dropFree() {
        reclaimLocked();
        boolean any = !free.isEmpty();
        for (Slot s : free) {
            s.segment.close();
        }
        free.clear();
        freeBytes = 0;
        return any;
    }

    /** Takes back the leased segments whose reader marked them read (writers {@code reclaimedByReader}). */
    private void reclaimLocked() {
        assert Thread.holdsLock(this);
        if (!reclaimedByReader) {
            return;
        }
        for (Iterator<Slot> it = leased.iterator(); it.hasNext(); ) {
            Slot s = it.next();
            if (s.releasedByReader()) {
                it.remove();
                giveBackLocked(s);
            }
        }
    }

    private void giveBackLocked(Slot s) {
        assert Thread.holdsLock(this);
        if (closed) {
            s.segment.close();
            return;
        }
        s.lastUsedNanos = System.nanoTime();
        free.addLast(s);
        freeBytes += s.capacity;
        while (freeBytes > MAX_FREE_BYTES && !free.isEmpty()) {
            Slot oldest = free.pollFirst();
            freeBytes -= oldest.capacity;
            oldest.segment.close();
        }
    }

    /**
     * Deletes the free segments unused for {@code idleNanos} or more; leased ones stay.
     *
     * @param idleNanos how long a free segment may wait for reuse; 0 deletes every free one
     * @return whether segments are still leased (or free), so another trim will be needed
     */
    public synchronized boolean trim(long idleNanos) {
        long now = System.nanoTime();
        reclaimLocked();
        for (Iterator<Slot> it = free.iterator(); it.hasNext(); ) {
            Slot s = it.next();
            if (now - s.lastUsedNanos >= idleNanos) {
                it.remove();
                freeBytes -= s.capacity;
                s.segment.close();
            }
        }
        return !free.isEmpty() || !leased.isEmpty();
    }

    /**
     * {@return whether a value written is still unread: a segment of a writer {@code reclaimedByReader}
     * that its reader has not marked read yet (or that a {@link #put} is filling)} While it is, the
     * reader is still at work on what this side sent: a worker whose result the caller is still
     * copying out is not idle.
     */
    public synchronized boolean awaitsReader() {
        reclaimLocked();
        return reclaimedByReader && !leased.isEmpty();
    }

    /** {@return whether this writer holds no segment, leased or free} */
    public synchronized boolean isEmpty() {
        return leased.isEmpty() && free.isEmpty();
    }

    /** {@return the paths of every segment this writer holds, leased or free; for cleanup and tests} */
    public synchronized List<String> paths() {
        List<String> out = new ArrayList<>();
        for (Slot s : leased) {
            out.add(s.segment.handle().path());
        }
        for (Slot s : free) {
            out.add(s.segment.handle().path());
        }
        return out;
    }

    /** Deletes every segment, leased ones included (their readers fail). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Slot s : leased) {
            s.segment.close();
        }
        for (Slot s : free) {
            s.segment.close();
        }
        leased.clear();
        free.clear();
        freeBytes = 0;
    }
}
