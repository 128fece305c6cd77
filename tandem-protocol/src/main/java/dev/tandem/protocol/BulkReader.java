package dev.tandem.protocol;

import dev.tandem.ipc.SharedSegment;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reading side of the shared-memory lane (see {@link BulkWriter}): rebuilds an array or buffer
 * from its {@link BulkEntry} by checking the seqlock, copying the data out of the segment and
 * checking the seqlock again. What it returns is the reader's own copy: a new array, or a new buffer
 * of the sender's kind.
 *
 * <h2>Mappings are kept</h2>
 * The writer reuses its segments from value to value, so the reader keeps each segment it read
 * mapped for the next value, and unmaps it once unused for {@link #MAPPING_IDLE_NANOS} (checked at
 * every read and at {@link #trim(long)}, which the owner calls when it goes idle) or when more than
 * {@link #MAX_MAPPINGS} are kept. Mapping a segment anew for every value cost a page fault per 64 KiB
 * of data on every read, plus the system calls to open, map and unmap: on the project's VM, where a
 * page fault costs tens of microseconds, about half of a 256 MiB argument's round trip. A mapping is
 * reused only while its file is the same file (its {@code fileKey}); a writer that deleted a segment
 * leaves the reader's mapping of it to the next trim, which frees its memory.
 *
 * <p>A value that does not fit in the heap fails with an {@link IOException} naming its size, the
 * heap's and {@code raise}, the option that gives the heap more room. Where an
 * {@link OutOfMemoryError} ends the JVM ({@code -XX:+ExitOnOutOfMemoryError}, as workers run), the
 * reader asks {@link HeapRoom#fits} before it allocates, which may run a full collection; elsewhere
 * (a caller's JVM) it allocates and reports the {@link OutOfMemoryError}, so that the collector
 * makes room its own way ({@link HeapRoom#mayFit}).
 *
 * <p>A peer names the files: only regular files in this user's segment directory are read.
 * Thread-safe: mappings are counted while a thread copies out of them, and unmapped only when none
 * does.
 */
public final class BulkReader implements AutoCloseable {
    /** How long a mapping waits unused for the next value before it is unmapped: 1 s. */
    public static final long MAPPING_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The most mappings kept at once; the least recently used unused one goes first. */
    static final int MAX_MAPPINGS = 64;

    private final String raise;
    /** Whether to ask {@link HeapRoom#fits} (and collect) before allocating, rather than catch. */
    private final boolean outOfMemoryIsFatal;
    /** Mappings by path, least recently used first. Guarded by this. */
    private final LinkedHashMap<String, Mapping> mappings = new LinkedHashMap<>(16, 0.75f, true);
    /** Guarded by this. */
    private boolean closed;

    /** The seqlock and release words; in a class of their own so the FFM API loads on first use. */
    private static final class Words {
        static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    }

    /** One segment file mapped whole. Its counters are guarded by the reader. */
    private static final class Mapping {
        final Arena arena;
        final MemorySegment whole;
        final Object fileKey;
        /** Threads copying out of it now. */
        int users;
        /** Out of the map: unmapped as soon as no thread uses it. */
        boolean retired;

        long lastUsedNanos;

        Mapping(Arena arena, MemorySegment whole, Object fileKey) {
            this.arena = arena;
            this.whole = whole;
            this.fileKey = fileKey;
        }
    }

    /**
     * A reader for a JVM where an {@link OutOfMemoryError} is fatal: it checks the heap's room first.
     *
     * @param raise how to give this JVM's heap more room, for messages ("jvmOptions(\"-Xmx2g\")")
     */
    public BulkReader(String raise) {
        this(raise, true);
    }

    /**
     * @param raise how to give this JVM's heap more room, for messages ("jvmOptions(\"-Xmx2g\")")
     * @param outOfMemoryIsFatal whether an {@link OutOfMemoryError} ends or dumps this JVM (then the
     *     heap's room is checked, with a full collection if need be, before allocating); if not, the
     *     allocation is tried and its {@link OutOfMemoryError} reported
     */
    public BulkReader(String raise, boolean outOfMemoryIsFatal) {
        this.raise = raise;
        this.outOfMemoryIsFatal = outOfMemoryIsFatal;
    }

    /**
     * Copies a value out of shared memory.
     *
     * @param e the value's entry
     * @return a new array of the entry's kind, or a new {@link ByteBuffer}
     * @throws IOException if the segment is gone, was reused since the entry was written, is not in
     *     the segment directory, or the value does not fit in the heap
     */
    public Object take(BulkEntry e) throws IOException {
        return Uninterruptibly.run(() -> copy(e));
    }

    private Object copy(BulkEntry e) throws IOException {
        long bytes = e.bytes();
        boolean direct = e.kind() == BulkEntry.KIND_BUFFER && (e.flags() & BulkEntry.DIRECT) != 0;
        if (!direct && !(outOfMemoryIsFatal ? HeapRoom.fits(bytes) : HeapRoom.mayFit(bytes))) {
            throw new IOException("a value of " + HeapRoom.describe(bytes) + "; " + raise);
        }
        Path path = inDirectory(e.path());
        BasicFileAttributes file;
        try {
            file = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException gone) {
            throw notASegment(e.path());
        }
        if (!file.isRegularFile()) {
            throw notASegment(e.path());
        }
        long span = BulkDescriptor.DATA_OFFSET + bytes;
        if (file.size() < e.offset() + span) {
            throw stale(e);
        }
        Mapping mapping = acquire(e.path(), path, file.fileKey(), e.offset() + span);
        try {
            MemorySegment m = mapping.whole.asSlice(e.offset(), span);
            if ((long) Words.LONG.getAcquire(m, BulkDescriptor.SEQUENCE_OFFSET) != e.sequence()) {
                throw stale(e);
            }
            Object value = copyOut(e, m);
            VarHandle.loadLoadFence();
            if ((long) Words.LONG.getAcquire(m, BulkDescriptor.SEQUENCE_OFFSET) != e.sequence()) {
                throw stale(e);
            }
            return value;
        } catch (OutOfMemoryError oom) {
            if (!direct) { // the heap, full even after the collections the allocation ran
                throw new IOException("a value of " + HeapRoom.describe(bytes) + "; " + raise, oom);
            }
            // a direct buffer beyond -XX:MaxDirectMemorySize, thrown by Java code
            throw new IOException(
                    "a direct buffer of " + bytes + " bytes (" + HeapRoom.mib(bytes) + ") could not be allocated: "
                            + oom.getMessage() + "; raise -XX:MaxDirectMemorySize",
                    oom);
        } finally {
            release(mapping);
        }
    }

    /** {@return the mapping of the file at {@code path}, kept or made, counted as used} */
    private Mapping acquire(String key, Path path, Object fileKey, long bytes) throws IOException {
        List<Mapping> unmap = new ArrayList<>(0);
        try {
            synchronized (this) {
                if (closed) {
                    throw new IOException("the shared-memory lane's reader is closed");
                }
                long now = System.nanoTime();
                retireIdleLocked(now, MAPPING_IDLE_NANOS, unmap);
                Mapping kept = mappings.get(key);
                if (kept != null
                        && kept.fileKey != null
                        && kept.fileKey.equals(fileKey)
                        && kept.whole.byteSize() >= bytes) {
                    kept.users++;
                    kept.lastUsedNanos = now;
                    return kept;
                }
                if (kept != null) { // another file under that name (the old one was deleted), or grown
                    mappings.remove(key);
                    retireLocked(kept, unmap);
                }
            }
            Mapping made = map(path, fileKey);
            synchronized (this) {
                made.users = 1;
                made.lastUsedNanos = System.nanoTime();
                if (closed) {
                    made.retired = true; // unmapped by release
                    return made;
                }
                Mapping replaced = mappings.put(key, made);
                if (replaced != null) {
                    retireLocked(replaced, unmap);
                }
                for (Iterator<Mapping> it = mappings.values().iterator();
                        it.hasNext() && mappings.size() > MAX_MAPPINGS; ) {
                    Mapping m = it.next();
                    if (m.users == 0) {
                        it.remove();
                        retireLocked(m, unmap);
                    }
                }
                return made;
            }
        } finally {
            unmap(unmap);
        }
    }

    private static Mapping map(Path path, Object fileKey) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            return new Mapping(arena, whole, fileKey);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private void release(Mapping m) {
        boolean unmap;
        synchronized (this) {
            m.users--;
            m.lastUsedNanos = System.nanoTime();
            unmap = m.retired && m.users == 0;
        }
        if (unmap) {
            m.arena.close();
        }
    }

    /** Takes {@code m} out of use; adds it to {@code unmap} if no thread copies out of it. */
    private static void retireLocked(Mapping m, List<Mapping> unmap) {
        m.retired = true;
        if (m.users == 0) {
            unmap.add(m);
        }
    }

    private void retireIdleLocked(long now, long idleNanos, List<Mapping> unmap) {
        assert Thread.holdsLock(this);
        for (Iterator<Mapping> it = mappings.values().iterator(); it.hasNext(); ) {
            Mapping m = it.next();
            if (m.users == 0 && now - m.lastUsedNanos >= idleNanos) {
                it.remove();
                retireLocked(m, unmap);
            }
        }
    }

    private static void unmap(List<Mapping> unmap) {
        for (Mapping m : unmap) {
            m.arena.close();
        }
    }

    /**
     * Unmaps the mappings unused for {@code idleNanos} or more.
     *
     * @param idleNanos how long a mapping may wait for the next value; 0 unmaps every unused one
     * @return whether mappings are still kept, so another trim will be needed
     */
    public boolean trim(long idleNanos) {
        List<Mapping> unmap = new ArrayList<>(0);
        boolean kept;
        synchronized (this) {
            retireIdleLocked(System.nanoTime(), idleNanos, unmap);
            kept = !mappings.isEmpty();
        }
        unmap(unmap);
        return kept;
    }

    /** {@return how many segments are mapped now; for tests} */
    synchronized int mapped() {
        return mappings.size();
    }

    /** {@return whether no segment is mapped} */
    public synchronized boolean isEmpty() {
        return mappings.isEmpty();
    }

    /** Unmaps every mapping (those in use once their copy ends); later reads fail. Idempotent. */
    @Override
    public void close() {
        List<Mapping> unmap = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Mapping m : mappings.values()) {
                retireLocked(m, unmap);
            }
            mappings.clear();
        }
        unmap(unmap);
    }

    private static Object copyOut(BulkEntry e, MemorySegment m) {
        long at = BulkDescriptor.DATA_OFFSET;
        int n = e.length();
        return switch (e.kind()) {
            case BulkEntry.KIND_BYTES -> {
                byte[] a = new byte[n];
                MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_SHORTS -> {
                short[] a = new short[n];
                MemorySegment.copy(m, ValueLayout.JAVA_SHORT, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_CHARS -> {
                char[] a = new char[n];
                MemorySegment.copy(m, ValueLayout.JAVA_CHAR, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_INTS -> {
                int[] a = new int[n];
                MemorySegment.copy(m, ValueLayout.JAVA_INT, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_LONGS -> {
                long[] a = new long[n];
                MemorySegment.copy(m, ValueLayout.JAVA_LONG, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_FLOATS -> {
                float[] a = new float[n];
                MemorySegment.copy(m, ValueLayout.JAVA_FLOAT, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_DOUBLES -> {
                double[] a = new double[n];
                MemorySegment.copy(m, ValueLayout.JAVA_DOUBLE, at, a, 0, n);
                yield a;
            }
            case BulkEntry.KIND_BOOLEANS -> {
                // No bulk copy takes boolean[]: a byte per element, through a scratch array.
                boolean[] a = new boolean[n];
                byte[] scratch = new byte[Math.min(n, 1 << 16)];
                for (int from = 0; from < n; from += scratch.length) {
                    int k = Math.min(scratch.length, n - from);
                    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at + from, scratch, 0, k);
                    for (int i = 0; i < k; i++) {
                        a[from + i] = scratch[i] != 0;
                    }
                }
                yield a;
            }
            default -> {
                ByteBuffer b =
                        (e.flags() & BulkEntry.DIRECT) != 0 ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
                MemorySegment.ofBuffer(b).copyFrom(m.asSlice(at, n));
                yield BufferValue.finish(b, e.flags());
            }
        };
    }

    /**
     * Marks every entry's data as consumed, as {@link #release(List)}, through the mappings this
     * reader keeps (no system call) where it has them.
     *
     * @param entries the entries of a payload that was decoded, or dropped
     */
    public void markRead(List<BulkEntry> entries) {
        List<BulkEntry> unmapped = new ArrayList<>(0);
        for (BulkEntry e : entries) {
            Mapping m;
            synchronized (this) {
                m = closed ? null : mappings.get(e.path());
                if (m != null) {
                    m.users++;
                }
            }
            if (m == null) {
                unmapped.add(e);
                continue;
            }
            try {
                if (m.whole.byteSize() >= e.offset() + BulkDescriptor.DATA_OFFSET) {
                    MemorySegment words = m.whole.asSlice(e.offset(), BulkDescriptor.DATA_OFFSET);
                    if ((long) Words.LONG.getAcquire(words, BulkDescriptor.SEQUENCE_OFFSET) == e.sequence()) {
                        Words.LONG.setRelease(words, BulkDescriptor.RELEASED_OFFSET, e.sequence());
                    }
                }
            } finally {
                release(m);
            }
        }
        if (!unmapped.isEmpty()) {
            release(unmapped);
        }
    }

    /**
     * Marks every entry's data as consumed, so that the writer may reuse its segment (for writers
     * built {@code reclaimedByReader}). Best effort and idempotent: an entry whose segment is gone or
     * was reused is skipped.
     *
     * @param entries the entries of a payload that was decoded, or dropped
     */
    public static void release(List<BulkEntry> entries) {
        for (BulkEntry e : entries) {
            try {
                Uninterruptibly.run(() -> {
                    mark(e);
                    return null;
                });
            } catch (IOException | RuntimeException ignored) {
                // gone (its writer ended) or not ours: nothing to give back
            }
        }
    }

    private static void mark(BulkEntry e) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel channel =
                        FileChannel.open(checked(e.path()), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < e.offset() + BulkDescriptor.DATA_OFFSET) {
                return;
            }
            MemorySegment m =
                    channel.map(FileChannel.MapMode.READ_WRITE, e.offset(), BulkDescriptor.DATA_OFFSET, arena);
            if ((long) Words.LONG.getAcquire(m, BulkDescriptor.SEQUENCE_OFFSET) == e.sequence()) {
                Words.LONG.setRelease(m, BulkDescriptor.RELEASED_OFFSET, e.sequence());
            }
        }
    }

    /** {@return the path, if it names a regular file (not a link) directly in the segment directory} */
    private static Path checked(String path) throws IOException {
        Path p = inDirectory(path);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw notASegment(path);
        }
        return p;
    }

    /** {@return the path, if it is directly in the segment directory} */
    private static Path inDirectory(String path) throws IOException {
        Path p = Path.of(path);
        if (!SharedSegment.directory().equals(p.getParent())) {
            throw notASegment(path);
        }
        return p;
    }

    private static IOException notASegment(String path) throws IOException {
        return new IOException("shared-memory data " + path + " is gone (its writer ended or reused it), or is not"
                + " a segment of " + SharedSegment.directory());
    }

    private static IOException stale(BulkEntry e) {
        return new IOException("the shared memory of a " + e.bytes() + "-byte value was reused before it was read ("
                + e.path() + "): its task was cancelled or timed out, or its writer ended");
    }
}
