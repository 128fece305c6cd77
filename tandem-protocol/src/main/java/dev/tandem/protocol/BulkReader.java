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
import java.util.List;

/**
 * The reading side of the shared-memory lane (see {@link BulkWriter}): rebuilds an array or buffer
 * from its {@link BulkEntry} by mapping the segment, checking the seqlock, copying the data out and
 * checking the seqlock again. What it returns is the reader's own copy: a new array, or a new buffer
 * of the sender's kind; nothing stays mapped.
 *
 * <p>Before it allocates, it checks that the heap has room ({@link HeapRoom}); a value that does not
 * fit fails with an {@link IOException} naming its size, the heap's and {@code raise}, the option
 * that gives the heap more room.
 *
 * <p>A peer names the files: only regular files in this user's segment directory are read. Stateless
 * apart from its hint; thread-safe.
 */
public final class BulkReader {
    private final String raise;

    /** The seqlock and release words; in a class of their own so the FFM API loads on first use. */
    private static final class Words {
        static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    }

    /** @param raise how to give this JVM's heap more room, for messages ("jvmOptions(\"-Xmx2g\")") */
    public BulkReader(String raise) {
        this.raise = raise;
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
        if (!direct && !HeapRoom.fits(bytes)) {
            throw new IOException("a value of " + HeapRoom.describe(bytes) + "; " + raise);
        }
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(checked(e.path()), StandardOpenOption.READ)) {
            long span = BulkDescriptor.DATA_OFFSET + bytes;
            if (channel.size() < e.offset() + span) {
                throw stale(e);
            }
            MemorySegment m = channel.map(FileChannel.MapMode.READ_ONLY, e.offset(), span, arena);
            if ((long) Words.LONG.getAcquire(m, BulkDescriptor.SEQUENCE_OFFSET) != e.sequence()) {
                throw stale(e);
            }
            Object value = copyOut(e, m);
            VarHandle.loadLoadFence();
            if ((long) Words.LONG.getAcquire(m, BulkDescriptor.SEQUENCE_OFFSET) != e.sequence()) {
                throw stale(e);
            }
            return value;
        } catch (OutOfMemoryError oom) { // a direct buffer beyond -XX:MaxDirectMemorySize, thrown by Java code
            throw new IOException(
                    "a direct buffer of " + bytes + " bytes (" + HeapRoom.mib(bytes) + ") could not be allocated: "
                            + oom.getMessage() + "; raise -XX:MaxDirectMemorySize",
                    oom);
        }
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
        Path p = Path.of(path);
        Path dir = SharedSegment.directory();
        if (!dir.equals(p.getParent()) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("shared-memory data " + path + " is gone (its writer ended or reused it), or is not"
                    + " a segment of " + dir);
        }
        return p;
    }

    private static IOException stale(BulkEntry e) {
        return new IOException("the shared memory of a " + e.bytes() + "-byte value was reused before it was read ("
                + e.path() + "): its task was cancelled or timed out, or its writer ended");
    }
}
