package dev.tandem.ipc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Reserves the memory of a new segment file before it is mapped, so that using the mapping can never
 * fault for want of space.
 *
 * <h2>Why</h2>
 * A file sized by a write at its end (or by {@code ftruncate}) is sparse: it passes any free-space
 * check, and its pages are taken from {@code /dev/shm} only when first touched. When the file system
 * is full by then, the kernel sends {@code SIGBUS} and the JVM throws {@link InternalError} ("a fault
 * occurred in an unsafe memory access operation") in whichever thread touched the page, in the
 * creator or in any process that attached: a worker thread dies in the middle of a frame and its
 * future is never completed. Reserving every page up front turns that into one
 * {@link SharedMemoryFullException} at {@code create}, where the caller can act on it.
 *
 * <h2>How</h2>
 * {@code posix_fallocate(3)} from libc, bound with {@link Linker#nativeLinker()} as
 * {@link Futex} binds {@code syscall}: on tmpfs and most disk file systems it allocates every page
 * (and sets the file's size) in one call, or fails with {@code ENOSPC} having allocated nothing.
 * Where it is unavailable (not Linux, native access not granted to this module, a file system without
 * {@code fallocate}, or {@code -Ddev.tandem.ipc.fallocate=false}), the file is filled with zeros by
 * ordinary writes, which allocate the same pages, at the cost of a copy. Either way the memory is committed: a segment costs its full size in
 * {@code /dev/shm} from its creation, not as it is used.
 *
 * <h2>What it costs</h2>
 * Less than it seems: a new segment's pages cost the same whether they are reserved or not. Measured
 * for 256 MiB on tmpfs (2 CPUs, load average 8, six rounds each, reservation plus the first copy of
 * the data into the mapping): {@code posix_fallocate} 290-480 ms, writing zeros 200-380 ms, a sparse
 * file (no reservation) 200-710 ms; a copy into the same mapping again 32-95 ms. tmpfs allocates the
 * pages at {@code fallocate} but zeroes them at first touch, so the reservation moves the page
 * allocation earlier without adding a pass; writing zeros does the zeroing up front instead. What
 * costs is a new segment, not its reservation: users that move data often reuse segments (the
 * process pools' shared-memory lane keeps its segments, reserved and mapped, from task to task).
 * Stateless; thread-safe.
 */
@SuppressWarnings("restricted") // posix_fallocate(3): no Java API reserves a file's blocks
final class SpaceReservation {
    private static final int EINTR = 4;
    private static final int ENOSPC = 28;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000; // Linux
    private static final int ZEROS = 1 << 20;

    /** {@code int open(const char *, int, ...)}, or null when the native path is unavailable. */
    private static final MethodHandle OPEN;

    private static final MethodHandle FALLOCATE;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        // Only with native access granted: else the JDK would print a warning about a restricted
        // method, in any JVM that merely creates a segment (a process pool's data plane does).
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty("dev.tandem.ipc.fallocate", "true"))
                && SpaceReservation.class.getModule().isNativeAccessEnabled();
        if (wanted && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                open = linker.downcallHandle(
                        linker.defaultLookup().find("open").orElseThrow(),
                        FunctionDescriptor.of(
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                fallocate = linker.downcallHandle(
                        linker.defaultLookup().find("posix_fallocate").orElseThrow(),
                        FunctionDescriptor.of(
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG));
                close = linker.downcallHandle(
                        linker.defaultLookup().find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (Throwable e) { // no libc symbol, or native access denied: write zeros instead
                open = null;
            }
        }
        OPEN = open;
        FALLOCATE = open == null ? null : fallocate;
        CLOSE = open == null ? null : close;
    }

    private SpaceReservation() {}

    /** {@return whether reservations use {@code posix_fallocate} rather than writing zeros} */
    static boolean nativeReservation() {
        return OPEN != null;
    }

    /**
     * Sizes {@code file} to {@code bytes} and reserves all of them.
     *
     * @param file a new, empty segment file of this process
     * @param bytes its size
     * @param kind what it will hold, for the message
     * @throws SharedMemoryFullException if the file system has no room for it
     * @throws IOException if the file cannot be written
     */
    static void reserve(Path file, long bytes, Kind kind) throws IOException {
        if (OPEN != null) {
            int error = fallocate(file, bytes);
            if (error == 0) {
                return;
            }
            if (error == ENOSPC) {
                throw full(file, bytes, kind);
            }
            // EOPNOTSUPP, EINVAL, a failed open...: write zeros instead
        }
        writeZeros(file, bytes, kind);
    }

    /** {@return 0, or the error number of posix_fallocate (-1 if the file could not be opened)} */
    private static int fallocate(Path file, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            int fd = (int) OPEN.invokeExact(path, O_RDWR | O_CLOEXEC, 0);
            if (fd < 0) {
                return -1;
            }
            try {
                int error;
                do {
                    error = (int) FALLOCATE.invokeExact(fd, 0L, bytes);
                } while (error == EINTR);
                return error;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable e) {
            return -1;
        }
    }

    private static void writeZeros(Path file, long bytes, Kind kind) throws IOException {
        // Native memory, freed on return: from a heap buffer the JDK would copy each slice into a
        // temporary direct buffer first, and keep that buffer cached in this thread.
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = arena.allocate(Math.min(ZEROS, bytes)).asByteBuffer();
            long position = 0;
            while (position < bytes) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - position));
                position += channel.write(zeros, position);
            }
        } catch (IOException e) {
            if (Files.getFileStore(file.getParent()).getUsableSpace() < bytes) {
                SharedMemoryFullException full = full(file, bytes, kind);
                full.initCause(e);
                throw full;
            }
            throw e;
        }
    }

    /**
     * {@return the failure for a segment of {@code bytes} that does not fit in {@code file}'s directory}
     *
     * @param file the segment's file (it need not exist)
     */
    static SharedMemoryFullException full(Path file, long bytes, Kind kind) throws IOException {
        Path dir = file.getParent();
        FileStore store = Files.getFileStore(dir);
        long free = store.getUsableSpace();
        return new SharedMemoryFullException(
                dir.toString(),
                bytes,
                free,
                "no room for a " + kind.fileName + " segment of " + bytes + " bytes in " + dir + ": its file system "
                        + store + " has " + free + " bytes free of " + store.getTotalSpace() + ". Free memory there"
                        + " (other programs' files), make it larger (for a container, docker run --shm-size=...), or"
                        + " point -Ddev.tandem.ipc.dir at another directory");
    }
}
