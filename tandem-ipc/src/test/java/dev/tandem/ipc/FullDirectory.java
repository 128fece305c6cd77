package dev.tandem.ipc;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checks of {@link SharedMemoryFullTest}, run by {@link IpcChild} in a JVM whose segment
 * directory ({@code -Ddev.tandem.ipc.dir}) is on a tmpfs of 3 MiB.
 */
final class FullDirectory {
    /** Something that creates a segment of one kind. */
    private interface Creator {
        AutoCloseable create() throws IOException;
    }

    private FullDirectory() {}

    private static Map<String, Creator> everyKind() {
        Map<String, Creator> kinds = new LinkedHashMap<>();
        kinds.put("raw segment", () -> SharedSegment.create(1));
        kinds.put("long array", () -> SharedLongArray.create(1));
        kinds.put("double array", () -> SharedDoubleArray.create(1));
        kinds.put("byte array", () -> SharedByteArray.create(1));
        kinds.put("counter", SharedCounter::create);
        kinds.put("queue", () -> SharedQueue.create(16, 64));
        kinds.put("semaphore", () -> SharedSemaphore.create(1));
        kinds.put("lock", SharedLock::create);
        kinds.put("channel", () -> SharedChannel.create(ChannelDescriptor.MIN_CAPACITY));
        return kinds;
    }

    static void check() throws Exception {
        Path dir = SharedSegment.directory();
        FileStore store = Files.getFileStore(dir);
        long free = store.getUsableSpace();
        require(free <= 3 << 20, "the segment directory " + dir + " is not the 3 MiB tmpfs: " + free + " free");
        boolean fallocate = Boolean.parseBoolean(System.getProperty("dev.tandem.ipc.fallocate", "true"));
        require(
                SpaceReservation.nativeReservation() == fallocate,
                "reservation by posix_fallocate: " + SpaceReservation.nativeReservation() + ", expected " + fallocate);

        // The input: two channels of 2 MiB each (two 1 MiB rings) in 3 MiB. The first takes
        // its memory when it is made; the second no longer fits and says so.
        try (SharedChannel first = SharedChannel.create(1 << 20)) {
            long left = store.getUsableSpace();
            require(
                    free - left >= first.handle().size(),
                    "a channel's two 1 MiB rings are reserved when it is created, but free space went only from " + free
                            + " to " + left + " bytes (a sparse file)");
            expectFull(dir, "a second 2 MiB channel", () -> SharedChannel.create(1 << 20));
        }

        // A full directory: every kind fails with the typed exception, and leaves no file behind.
        free = store.getUsableSpace();
        try (SharedSegment filler = SharedSegment.create(free - SegmentDescriptor.LENGTH)) {
            filler.memory().fill((byte) 1); // every page is there: touching them all never faults
            for (Map.Entry<String, Creator> kind : everyKind().entrySet()) {
                expectFull(dir, "a " + kind.getKey(), kind.getValue());
            }
            require(
                    files(dir).equals(List.of(Path.of(filler.handle().path()))),
                    "failed creates left files behind: " + files(dir));
        }

        // With room again, every kind is created.
        for (Creator creator : everyKind().values()) {
            creator.create().close();
        }
        require(files(dir).isEmpty(), "closed segments left files behind: " + files(dir));
        System.out.println("full directory checks passed ("
                + (SpaceReservation.nativeReservation() ? "posix_fallocate" : "zeros written") + ")");
    }

    private static void expectFull(Path dir, String what, Creator creator) throws Exception {
        AutoCloseable created;
        try {
            created = creator.create();
        } catch (SharedMemoryFullException e) {
            require(e.directory().equals(dir.toString()), "the exception names " + e.directory() + ", not " + dir);
            require(
                    e.getMessage().contains(dir.toString())
                            && e.getMessage().contains(e.freeBytes() + " bytes free")
                            && e.getMessage().contains("--shm-size"),
                    "the message names the directory, its free bytes and the fix: " + e.getMessage());
            require(e.requestedBytes() > e.freeBytes(), "it asked for more than was free: " + e.getMessage());
            return;
        }
        created.close();
        throw new AssertionError(what + " was created in " + dir + " with only "
                + Files.getFileStore(dir).getUsableSpace() + " bytes free: its memory was not reserved");
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
