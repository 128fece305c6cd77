package dev.tandem;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The private folder of one process pool in {@code java.io.tmpdir}: it holds the pool's control
 * socket ({@code control.sock}) and the system properties its workers inherit
 * ({@code worker.args}). A pool's {@link WorkerClassPath} has one of its own when it needs one, for
 * its argument file and the classes it copies for workers ({@code classes/}).
 *
 * <h2>Name and owner</h2>
 * {@code tandem-pool-<pid>-<start millis, hex>-<pid namespace, hex>-<8 random hex>}, created
 * {@code 0700}: the {@link OwnerStamp} of the caller JVM that owns it, so that any later JVM can tell
 * from the name whether its owner is alive.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * create --pool terminates--> delete
 *    |---- caller exits (System.exit, SIGTERM, Ctrl-C) --> deleted by {@link CallerShutdown}
 *    +---- caller killed (SIGKILL, a crash) ------------> swept by the next pool's {@link #create}
 * </pre>
 * Every {@link #create} first sweeps the folders whose owner is dead; a folder whose owner is alive
 * (this JVM's own pools included) is never touched, whatever its age. A folder of an older Tandem
 * ({@code tandem-pool-<random number>}, no owner) is swept when its control socket refuses
 * connections, which a live pool's never does; any other name is left alone. The folder's entries
 * and sub-folders are deleted, never through a link; a folder of another user is left to its owner's sweeps (the
 * deletion fails for want of permission, unless this JVM runs as root).
 *
 * <h2>Where</h2>
 * In {@code java.io.tmpdir}, unless the socket's path would be longer than a Unix domain socket
 * address allows (107 bytes: {@code sun_path} is 108 with its final NUL), as under a CI workspace's
 * {@code target/tmp}; then in a short private folder ({@link SocketRoom}).
 *
 * <p>Thread-safe: several pools may be created and swept at once, in one JVM or several.
 */
final class PoolFolder {
    static final String PREFIX = "tandem-pool-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    private PoolFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Sweeps the stale folders of {@code base}, then creates this pool's.
     *
     * @param base the folder to create it in, {@code java.io.tmpdir}
     * @return the new folder; {@link #delete()} it when the pool terminates
     * @throws IOException if it cannot be created
     */
    static PoolFolder create(Path base) throws IOException {
        return create(base, System.getenv("XDG_RUNTIME_DIR"), Path.of("/tmp"));
    }

    /**
     * Creates the folder in {@code tmpdir} when its control socket's path fits a Unix domain socket
     * address, else in a short private fallback: {@code runtimeDir} ({@code $XDG_RUNTIME_DIR}, may
     * be null) or {@code <shortTmp>/tandem-<uid>} (created {@code 0700}). The chosen base is swept
     * first, like every base.
     *
     * @throws IOException naming the path, the limit and what to do, if no base fits
     */
    static PoolFolder create(Path tmpdir, String runtimeDir, Path shortTmp) throws IOException {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String name = PREFIX + OwnerStamp.self().text() + "-" + HexFormat.of().formatHex(random);
        Path base = SocketRoom.baseFor(tmpdir.toAbsolutePath(), name, runtimeDir, shortTmp);
        sweep(base);
        Path dir = base.resolve(name);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PoolFolder folder = new PoolFolder(dir);
        CallerShutdown.deleteAtExit(folder);
        return folder;
    }

    /** {@return the folder} */
    Path path() {
        return dir;
    }

    /** {@return the owner named by a pool folder's name, or empty if it is not one} */
    static Optional<OwnerStamp> ownerOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = name.substring(PREFIX.length()).split("-");
        if (parts.length != 4 || parts[3].length() != 8) {
            return Optional.empty();
        }
        return OwnerStamp.parse(parts[0], parts[1], parts[2]);
    }

    /**
     * Deletes the pool folders in {@code base} whose owner is dead. Best effort: what cannot be read
     * or deleted is left for a later sweep.
     *
     * @param base the folder that holds pool folders
     * @return how many were deleted
     */
    static int sweep(Path base) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                Optional<OwnerStamp> owner = ownerOf(name);
                boolean stale = owner.isPresent() ? !owner.get().isAlive() : isLegacy(name) && nobodyListens(entry);
                if (stale && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && deleteFolder(entry)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // a temp folder we cannot read or tidy: the leftovers wait for a later sweep
        }
        return removed;
    }

    /** {@return whether {@code name} is a pool folder of an older Tandem: a random number, no owner} */
    static boolean isLegacy(String name) {
        return name.length() > PREFIX.length()
                && name.length() <= PREFIX.length() + 20
                && name.substring(PREFIX.length()).chars().allMatch(Character::isDigit);
    }

    /**
     * {@return whether the control socket of an unstamped folder refuses connections} Its pool is
     * then gone (a live pool always listens). A pool that accepts sees a connection close before its
     * greeting, which it drops. A folder without a socket counts as stale only after a day.
     */
    private static boolean nobodyListens(Path folder) {
        Path socket = folder.resolve(SocketRoom.SOCKET_NAME);
        try {
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                return System.currentTimeMillis()
                                - Files.getLastModifiedTime(folder).toMillis()
                        > TimeUnit.DAYS.toMillis(1);
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                return false;
            }
        } catch (ConnectException e) {
            return true; // ECONNREFUSED: a socket file that nobody listens on
        } catch (IOException | RuntimeException e) {
            return false; // cannot tell: leave it
        }
    }

    /**
     * {@return whether the folder is gone} Deletes its entries, depth first, then it. A link is
     * deleted, never followed.
     */
    private static boolean deleteFolder(Path folder) {
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // another sweeper won
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            return true;
        } catch (NoSuchFileException e) {
            return true; // another sweeper won
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the folder and what it holds. Idempotent; best effort. */
    void delete() {
        CallerShutdown.forget(this);
        deleteFolder(dir);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
