package dev.tandem.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A node's cache of shipped class-path entries: {@code <dir>/<sha256>.jar}, by default
 * {@code ~/.cache/tandem/cluster/cp/}. An entry is used only once its content has been checked
 * against its name: a file whose content does not hash to its name (altered, or truncated) is
 * refused, with a message naming it, and never given to a worker. Bounded: after each upload, the
 * least recently used entries not in use go until the cache is under its size.
 *
 * <p>Thread-safe; uploads of one digest serialize on it.
 */
final class ClassPathCache {
    /** An entry the node cannot use, named in the refusal the caller gets. */
    static final class MismatchException extends Exception {
        private static final long serialVersionUID = 1L;

        MismatchException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final long maxBytes;
    /** Digests checked since this node started, with the size and time they had then. */
    private final Map<String, String> checked = new ConcurrentHashMap<>();

    private final Map<String, Object> uploads = new ConcurrentHashMap<>();

    ClassPathCache(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    Path dir() {
        return dir;
    }

    /** {@return the path an entry of this digest has (or will have)} */
    Path path(String digest) {
        return dir.resolve(digest + ".jar");
    }

    /**
     * {@return the digests of {@code digests} that are not here}
     *
     * @throws MismatchException if one is here but its content does not match its digest
     */
    List<String> missing(List<String> digests, List<String> names) throws MismatchException, IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < digests.size(); i++) {
            String d = digests.get(i);
            checkDigest(d);
            Path p = path(d);
            if (!Files.isRegularFile(p)) {
                out.add(d);
                continue;
            }
            String stamp = Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
            if (stamp.equals(checked.get(d))) {
                continue;
            }
            String actual = ClassPathShipment.sha256(p);
            if (!actual.equals(d)) {
                throw new MismatchException(
                        "the class path entry " + names.get(i) + " (sha256 " + d + ") cached at " + p
                                + " does not match: its content hashes to " + actual
                                + ". The cache was altered; the node refuses it. Delete the file and start again");
            }
            checked.put(d, stamp);
        }
        return out;
    }

    /**
     * Writes a chunk of an upload; the last chunk checks the whole against its digest and publishes
     * it.
     *
     * @throws MismatchException if the uploaded content does not match its digest
     */
    void upload(String digest, long offset, byte[] chunk, boolean last) throws IOException, MismatchException {
        checkDigest(digest);
        synchronized (uploads.computeIfAbsent(digest, d -> new Object())) {
            Path part = dir.resolve(digest + ".part");
            if (offset == 0) {
                Files.deleteIfExists(part);
            } else if (!Files.isRegularFile(part) || Files.size(part) != offset) {
                throw new IOException("upload of " + digest + " out of order at " + offset);
            }
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(chunk);
            }
            if (last) {
                String actual = ClassPathShipment.sha256(part);
                if (!actual.equals(digest)) {
                    Files.deleteIfExists(part);
                    throw new MismatchException(
                            "an upload named sha256 " + digest + " hashes to " + actual + ": refused");
                }
                Files.move(part, path(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Marks entries as just used, for the least-recently-used order: their last-access time, never
     * their last-modified time, which a worker's AOT cache keys on (the caller's {@code AotCache}) and
     * which the JDK checks when it maps a cache. Was: each session set it, so every session's first
     * worker trained a new AOT cache (its pool's close waited for the JDK to write it) and no worker of
     * a node ever started from one.
     */
    void touch(List<String> digests) {
        FileTime now = FileTime.fromMillis(System.currentTimeMillis());
        for (String d : digests) {
            try {
                Files.getFileAttributeView(path(d), BasicFileAttributeView.class)
                        .setTimes(null, now, null);
            } catch (IOException e) {
                // gone: checked again when next asked for
            }
        }
    }

    /** Deletes least recently used entries not in {@code inUse} until the cache is within its size. */
    void prune(Set<String> inUse) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(p -> p.toString().endsWith(".jar"))
                    .sorted(Comparator.comparingLong(ClassPathCache::lastUsed))
                    .toList();
            long total = 0;
            for (Path p : jars) {
                total += Files.size(p);
            }
            for (Path p : jars) {
                if (total <= maxBytes) {
                    break;
                }
                String d = p.getFileName().toString().replace(".jar", "");
                if (!inUse.contains(d)) {
                    total -= Files.size(p);
                    Files.deleteIfExists(p);
                    checked.remove(d);
                }
            }
        } catch (IOException e) {
            // a best effort: the next upload tries again
        }
    }

    /** {@return when an entry was last used ({@link #touch}) or written, in epoch milliseconds} */
    static long lastUsed(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class)
                    .lastAccessTime()
                    .toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void checkDigest(String d) throws IOException {
        if (!d.matches("[0-9a-f]{64}")) {
            throw new IOException("not a sha256 digest: " + d);
        }
    }
}
