package dev.tandem.ipc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where segment files live, how they are named, and how the files of dead creators are swept.
 *
 * <h2>Place</h2>
 * {@code /dev/shm/tandem-<uid>/} (memory-backed), else {@code ${java.io.tmpdir}/tandem-<uid>/} if
 * {@code /dev/shm} is missing or not ours; {@code -Ddev.tandem.ipc.dir=PATH} overrides both. The
 * directory is created {@code 0700}; an existing one must be a real directory (not a link) owned by
 * this user, and is narrowed to {@code 0700} if it is wider. Files are created {@code 0600} with
 * {@code O_CREAT|O_EXCL}.
 *
 * <h2>Names</h2>
 * {@code <kind>-<creator pid>-<creator start hash, 8 hex>-<16 random hex>}: the name alone tells
 * the sweep whether the creator is alive, without opening the file.
 *
 * <h2>Sweep</h2>
 * A segment belongs to its creator. The first segment created by a JVM first removes the files
 * whose creator is no longer alive ({@link ProcessIdentity#isAlive}); {@link SharedSegment#sweep()}
 * does it on demand. Processes that still map a swept file keep their mapping; only new attaches
 * fail. A JVM shutdown hook removes the files its own unclosed segments left.
 *
 * <h2>Owners</h2>
 * A file's owner, the process that deletes it, is its creator unless a pool handed it over: then
 * the header names the adopter ({@link SegmentDescriptor#OWNER_OFFSET}). The sweep removes a file
 * whose creator is dead only if its owner is dead too, and a file this JVM created whose adopter is
 * dead; the shutdown hook leaves the files that a live process adopted. Files whose live creator is
 * another process are left to it (the name alone says so: no file is opened).
 */
final class SegmentDirectory {
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Path> OWNED = ConcurrentHashMap.newKeySet();
    private static volatile Path directory;
    private static volatile boolean swept;
    private static volatile boolean hookInstalled;

    private SegmentDirectory() {}

    /** {@return the directory, created on first use} */
    static Path directory() throws IOException {
        Path d = directory;
        if (d == null) {
            synchronized (SegmentDirectory.class) {
                d = directory;
                if (d == null) {
                    d = choose();
                    directory = d;
                }
            }
        }
        return d;
    }

    private static Path choose() throws IOException {
        String configured = System.getProperty("dev.tandem.ipc.dir");
        if (configured != null && !configured.isBlank()) {
            return prepare(Path.of(configured).toAbsolutePath());
        }
        String leaf = "tandem-" + userId();
        List<IOException> failures = new ArrayList<>();
        for (Path parent : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(parent) || !Files.isWritable(parent)) {
                continue;
            }
            try {
                return prepare(parent.resolve(leaf));
            } catch (IOException e) {
                failures.add(e);
            }
        }
        IOException e = new IOException("no usable directory for shared-memory segments: tried /dev/shm/"
                + leaf + " and " + System.getProperty("java.io.tmpdir") + "/" + leaf
                + "; set -Ddev.tandem.ipc.dir=PATH");
        failures.forEach(e::addSuppressed);
        throw e;
    }

    private static Path prepare(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " exists but is not a directory (or is a symbolic link)");
        }
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        String uid = userId();
        if (!String.valueOf(owner).equals(uid)) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user (uid " + uid + ")");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!perms.equals(OWNER_DIR)) {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
        return dir;
    }

    /**
     * {@return this process's numeric user id} Read as the owner of {@code /proc/self}, which Linux
     * gives the process's effective uid: no native call, so creating or attaching a segment needs no
     * {@code --enable-native-access} and prints no warning without it (only the futex waits of the
     * synchronizing primitives do).
     */
    private static String userId() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name", "user");
        }
    }

    /** {@return the permissions of a new segment file, as a file attribute} */
    static FileAttribute<Set<PosixFilePermission>> ownerOnlyFile() {
        return PosixFilePermissions.asFileAttribute(OWNER_FILE);
    }

    /** {@return a fresh, random path for a segment of {@code kind} created by this process} */
    static Path newPath(Kind kind) throws IOException {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        long self = ProcessIdentity.self();
        String name = kind.fileName + "-" + ProcessIdentity.pid(self) + "-"
                + String.format(Locale.ROOT, "%08x", ProcessIdentity.startHash(self)) + "-"
                + HexFormat.of().formatHex(random);
        return directory().resolve(name);
    }

    /** Sweeps once per JVM, before its first segment. */
    static void sweepOnce() throws IOException {
        if (!swept) {
            synchronized (SegmentDirectory.class) {
                if (!swept) {
                    sweep();
                    swept = true;
                }
            }
        }
    }

    /**
     * Removes the files whose creator is dead.
     *
     * @return how many were removed
     */
    static int sweep() throws IOException {
        Path dir = directory();
        Map<Long, Boolean> alive = new HashMap<>();
        long self = ProcessIdentity.self();
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                long creator = creatorOf(file.getFileName().toString());
                if (creator == 0) {
                    continue; // not ours
                }
                boolean creatorAlive = alive.computeIfAbsent(creator, ProcessIdentity::isAlive);
                if (creatorAlive && creator != self) {
                    continue; // a live creator looks after its files, handed over or not
                }
                long owner = ownerOf(file);
                boolean ownerAlive = owner == 0 || owner == creator
                        ? creatorAlive
                        : alive.computeIfAbsent(owner, ProcessIdentity::isAlive);
                if (!ownerAlive) {
                    try {
                        Files.deleteIfExists(file);
                        removed++;
                    } catch (NoSuchFileException e) {
                        // another sweeper won
                    }
                }
            }
        }
        return removed;
    }

    /**
     * {@return the owner identity in a segment file's header ({@link SegmentDescriptor#OWNER_OFFSET}),
     * or 0 if it cannot be read} Read through the file, not a mapping: the page cache is the same.
     */
    static long ownerOf(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer word = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
            while (word.hasRemaining()) {
                if (channel.read(word, SegmentDescriptor.OWNER_OFFSET + word.position()) < 0) {
                    return 0;
                }
            }
            return word.getLong(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {@return the creator identity encoded in a segment file name, or 0 if it is not one} */
    static long creatorOf(String name) {
        String[] parts = name.split("-");
        if (parts.length != 4 || parts[3].length() != 16) {
            return 0;
        }
        try {
            Kind.named(parts[0]);
            long pid = Long.parseLong(parts[1]);
            long hash = Long.parseLong(parts[2], 16);
            if (pid <= 0 || pid > 0xFFFF_FFFFL || hash < 0 || hash > 0x7FFF_FFFFL) {
                return 0;
            }
            return (hash << 32) | pid;
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** Remembers a file this JVM created, for the shutdown hook. */
    static void own(Path file) {
        if (!hookInstalled) {
            synchronized (SegmentDirectory.class) {
                if (!hookInstalled) {
                    Runtime.getRuntime()
                            .addShutdownHook(Thread.ofPlatform()
                                    .name("tandem-ipc-cleanup")
                                    .unstarted(SegmentDirectory::removeOwned));
                    hookInstalled = true;
                }
            }
        }
        OWNED.add(file);
    }

    /** Forgets and deletes a file this JVM created. */
    static void disown(Path file) throws IOException {
        OWNED.remove(file);
        Files.deleteIfExists(file);
    }

    /** At exit: deletes the files this JVM created, but those another process adopted. */
    private static void removeOwned() {
        long self = ProcessIdentity.self();
        for (Path file : OWNED) {
            try {
                long owner = ownerOf(file);
                if (owner != 0 && owner != self && ProcessIdentity.isAlive(owner)) {
                    continue; // handed over: its new owner deletes it
                }
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // best effort at exit; the next sweep removes it
            }
        }
    }
}
