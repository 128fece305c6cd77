package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A block of memory that several processes map: the foundation of every other type here, and
 * usable on its own for raw bytes.
 *
 * <pre>{@code
 * try (SharedSegment segment = SharedSegment.create(1 << 20)) {
 *     segment.memory().set(ValueLayout.JAVA_LONG, 0, 42);
 *     SegmentHandle handle = segment.handle();          // send this to another JVM ...
 * }
 * // ... which calls SharedSegment.attach(handle) and reads 42
 * }</pre>
 *
 * <p><b>Files.</b> A segment is a file in an owner-only directory ({@code /dev/shm/tandem-<uid>/}
 * by default; see {@link #directory()}), created {@code 0600} with an exclusive create under a
 * random name, sized and <em>reserved</em> before it is mapped (every page of it is taken from the
 * file system at once, see {@link SharedMemoryFullException}), and mapped {@code MAP_SHARED} into a
 * shared {@link Arena}. The creating process owns it: its {@link #close()} unmaps <em>and deletes</em>
 * the file; an attacher's {@code close()} only unmaps. (A Tandem pool may hand a shared array that
 * a worker created over to the caller, which then owns it; see {@link SharedLongArray}.) Files of
 * owners that died without closing are deleted by the next JVM that creates a segment, or by
 * {@link #sweep()}; a shutdown hook deletes those of a JVM that exits normally. A process still
 * mapping a deleted segment keeps working with it; only new attaches fail.
 *
 * <p><b>Thread safety.</b> Thread-safe. Closing it while other threads of this process use it makes
 * their accesses fail with {@link IllegalStateException}, never crash the JVM.
 *
 * <p><b>Memory consistency effects.</b> {@link #memory()} is plain memory: accesses to it are
 * ordered only by what the caller uses (for example {@code VarHandle} acquire/release views from
 * {@link java.lang.foreign.ValueLayout#varHandle()}). The segment's contents as of {@code create}
 * happen-before {@code attach} returns in another process that got the handle afterwards.
 */
public final class SharedSegment implements AutoCloseable {
    /** Alignment of the user region of a raw segment. */
    private static final long DATA_OFFSET = SegmentDescriptor.LENGTH;

    private static final int RAW_VERSION = 1;

    private final Kind kind;
    private final Path path;
    private final Arena arena;
    private final MemorySegment whole;
    /** Whether this object deletes the file on close; false once handed over ({@link #handOver()}). */
    private volatile boolean owner;

    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedSegment(Kind kind, Path path, Arena arena, MemorySegment whole, boolean owner) {
        this.kind = kind;
        this.path = path;
        this.arena = arena;
        this.whole = whole;
        this.owner = owner;
    }

    /**
     * Creates a segment of {@code bytes} zeroed bytes for this process.
     *
     * @param bytes the usable size, at least 1
     * @return the segment; close it to delete its file
     * @throws SharedMemoryFullException if the directory's file system has no room for it
     * @throws IOException if the file cannot be created or mapped
     */
    public static SharedSegment create(long bytes) throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be >= 1, was " + bytes);
        }
        return create(Kind.RAW, RAW_VERSION, DATA_OFFSET + bytes, m -> {});
    }

    /**
     * Maps a segment that another process (or this one) created.
     *
     * @param handle the segment's handle, kind {@code "raw"}
     * @return the segment; close it to unmap it
     * @throws IOException if the file is gone (its creator closed it or died) or is not a raw
     *         segment of this version
     */
    public static SharedSegment attach(SegmentHandle handle) throws IOException {
        return attach(handle, Kind.RAW, RAW_VERSION);
    }

    /**
     * Deletes the segment files whose owner (their creator, or the process a pool handed them to)
     * is no longer alive. Runs by itself before the first segment a JVM creates.
     *
     * @return how many files were deleted
     * @throws IOException if the directory cannot be read
     */
    public static int sweep() throws IOException {
        return SegmentDirectory.sweep();
    }

    /**
     * {@return the directory that holds segment files}
     *
     * @throws IOException if it cannot be created or is not safe to use
     */
    public static Path directory() throws IOException {
        return SegmentDirectory.directory();
    }

    /** {@return the usable memory: every byte after the header, shared with every attacher} */
    public MemorySegment memory() {
        return whole.asSlice(DATA_OFFSET);
    }

    /** {@return a handle that another process can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return new SegmentHandle(kind.fileName, path.toString(), whole.byteSize());
    }

    /** {@return whether this object deletes the segment on close: this process created or adopted it} */
    public boolean isOwner() {
        return owner;
    }

    /** Unmaps the segment and, if this process created it, deletes its file. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean deletes;
        synchronized (closed) {
            deletes = owner;
        }
        try {
            arena.close();
        } finally {
            if (deletes) {
                try {
                    SegmentDirectory.disown(path);
                } catch (IOException e) {
                    // the next sweep removes it
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SharedSegment[" + path + ", " + whole.byteSize() + " bytes" + (owner ? ", owner" : "") + "]";
    }

    // ---------------------------------------------------------------- package-private engine

    /** {@return the whole mapping, header included} */
    MemorySegment whole() {
        return whole;
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Gives up deleting the file: another process is about to {@link #adopt()} it. The file stays in
     * this JVM's list of files to remove at exit, which removes it only if nobody adopted it
     * ({@link SegmentDirectory}).
     *
     * @return whether this object was the owner
     */
    boolean handOver() {
        synchronized (closed) {
            boolean was = owner;
            owner = false;
            return was;
        }
    }

    /** Undoes {@link #handOver()}, before anyone adopted the segment: this object deletes it again. */
    void takeBack() {
        synchronized (closed) {
            owner = true;
        }
    }

    /**
     * Makes this process the segment's owner: it deletes the file on {@link #close()} or at exit,
     * and the sweep keeps the file while this process lives, whatever became of its creator.
     */
    void adopt() {
        synchronized (closed) {
            Atomics.setLongRelease(whole, SegmentDescriptor.OWNER_OFFSET, ProcessIdentity.self());
            SegmentDirectory.own(path);
            owner = true;
        }
    }

    /**
     * Creates, sizes, maps and initialises a segment, then publishes its version.
     *
     * @param initializer writes the kind-specific layout; the header is written around it
     */
    static SharedSegment create(Kind kind, int version, long totalBytes, Consumer<MemorySegment> initializer)
            throws IOException {
        SegmentDirectory.sweepOnce();
        Path dir = SegmentDirectory.directory();
        if (Files.getFileStore(dir).getUsableSpace() < totalBytes) {
            throw SpaceReservation.full(dir.resolve(kind.fileName), totalBytes, kind);
        }
        Path path;
        while (true) {
            path = SegmentDirectory.newPath(kind);
            try {
                Files.createFile(path, SegmentDirectory.ownerOnlyFile());
                break;
            } catch (FileAlreadyExistsException e) {
                // a random-name collision: draw again
            }
        }
        SegmentDirectory.own(path);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment whole;
            // Every page is taken now, so that touching the mapping never faults (SIGBUS) later.
            SpaceReservation.reserve(path, totalBytes, kind);
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, totalBytes, arena);
            }
            Atomics.setIntPlain(whole, SegmentDescriptor.KIND_OFFSET, kind.magic);
            Atomics.setLongPlain(whole, SegmentDescriptor.SIZE_OFFSET, totalBytes);
            Atomics.setLongPlain(whole, SegmentDescriptor.CREATOR_OFFSET, ProcessIdentity.self());
            Atomics.setLongPlain(whole, SegmentDescriptor.OWNER_OFFSET, ProcessIdentity.self());
            initializer.accept(whole);
            Atomics.setIntRelease(whole, SegmentDescriptor.VERSION_OFFSET, version);
            return new SharedSegment(kind, path, arena, whole, true);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            SegmentDirectory.disown(path);
            throw e;
        }
    }

    /** Maps an existing segment and checks its header against the expected kind and version. */
    static SharedSegment attach(SegmentHandle handle, Kind kind, int version) throws IOException {
        Objects.requireNonNull(handle, "handle");
        if (!handle.kind().equals(kind.fileName)) {
            throw new IllegalArgumentException(
                    "handle names a " + handle.kind() + " segment, not a " + kind.fileName + ": " + handle.path());
        }
        Path path = Path.of(handle.path());
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("segment " + path + " does not exist (closed by its creator, or swept"
                    + " after the creator died)");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment whole;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = channel.size();
                if (size != handle.size()) {
                    throw new IOException(
                            "segment " + path + " has " + size + " bytes, the handle says " + handle.size());
                }
                whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            }
            int found = Atomics.getIntAcquire(whole, SegmentDescriptor.VERSION_OFFSET);
            int magic = Atomics.getIntPlain(whole, SegmentDescriptor.KIND_OFFSET);
            if (found == 0) {
                throw new IOException("segment " + path + " is not initialised yet");
            }
            if (magic != kind.magic || found != version) {
                throw new IOException("segment " + path + " holds kind 0x" + Integer.toHexString(magic)
                        + " layout version " + found + "; expected " + kind.fileName + " version " + version);
            }
            if (Atomics.getLongPlain(whole, SegmentDescriptor.SIZE_OFFSET) != handle.size()) {
                throw new IOException("segment " + path + " header size does not match its handle");
            }
            return new SharedSegment(kind, path, arena, whole, false);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }
}
