package dev.tandem.lab;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped into memory with the FFM API, so that every process (or thread) that maps the same
 * file sees the same bytes. In {@code /dev/shm} (tmpfs) the pages never touch a disk: that is POSIX
 * shared memory. The lab's layout is in {@link SharedFile.Descriptor}.
 *
 * <p>Mapping with {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} is not a restricted
 * FFM method, so the lab's own JVM needs no native access for it. A mapping is shared by all threads;
 * {@link #close()} unmaps it and must be called once, after every thread stopped using it.
 */
final class SharedFile implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment segment;
    private final Path path;

    private SharedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /** Maps {@code path}, creating it with {@code size} zero bytes if it does not exist. */
    static SharedFile map(Path path, long size) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            return new SharedFile(path, arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** {@return the directory for shared memory: /dev/shm where it exists, else the temp dir} */
    static Path sharedMemoryDir() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    MemorySegment segment() {
        return segment;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        arena.close();
    }

    /**
     * The layout of the lab's ping-pong file ({@link PingPong}). Each counter sits on its own 64-byte
     * cache line, so that the two sides of a ping-pong do not false-share.
     *
     * <pre>
     *  0        8                 64          128         192                        4096
     *  +--------+-----------------+-----------+-----------+------------ ... ----------+
     *  | version|      unused     | ping seq  | pong seq  | arrivals                  |
     *  +--------+-----------------+-----------+-----------+------------ ... ----------+
     * </pre>
     *
     * Writers publish with release stores and readers poll with acquire loads, so whatever a side wrote
     * before bumping its sequence is visible to the other side once it sees the new sequence.
     */
    static final class Descriptor {
        static final long VERSION = 1;
        static final long VERSION_OFFSET = 0;
        static final long PING_OFFSET = 64;
        static final long PONG_OFFSET = 128;
        static final long ARRIVALS_OFFSET = 192;
        /** The size of the file: one page. */
        static final long LENGTH = 4096;

        /** Accesses a {@code long} at a byte offset of a segment. */
        static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

        private Descriptor() {}

        static long getAcquire(MemorySegment s, long offset) {
            return (long) LONG.getAcquire(s, offset);
        }

        static void setRelease(MemorySegment s, long offset, long value) {
            LONG.setRelease(s, offset, value);
        }
    }
}
