package dev.tandem;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where the JDK 25 AOT cache of a worker class path lives, and whether there can be one.
 *
 * <p>The JDK can cache only classes from jar files, so a class path with a directory (an IDE or a
 * test run) gets none. The file name is a digest of everything the cache depends on: the JDK, each
 * jar's path, size and modification time, and the worker's JVM options; a change makes a new file,
 * so a stale cache is never used. The folder is {@code $XDG_CACHE_HOME/tandem/aot} or
 * {@code ~/.cache/tandem/aot}, created owner-only. Stateless.
 */
final class AotCache {
    private AotCache() {
    }

    /** {@return the cache file for this class path and options, or null if it cannot have one} */
    static Path location(List<String> classPath, List<String> jvmOptions) {
        if (!supported(classPath)) {
            return null;
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            update(d, System.getProperty("java.home"));
            update(d, System.getProperty("java.vm.version"));
            for (String entry : classPath) {
                Path p = Path.of(entry);
                update(d, p.toAbsolutePath().toString());
                update(d, Long.toString(Files.size(p)));
                update(d, Long.toString(Files.getLastModifiedTime(p).toMillis()));
            }
            for (String o : jvmOptions) {
                update(d, o);
            }
            String key = HexFormat.of().formatHex(d.digest(), 0, 12);
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            Path dir = base.resolve("tandem").resolve("aot");
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir.resolve("worker-" + key + ".aot");
        } catch (IOException | NoSuchAlgorithmException | UnsupportedOperationException e) {
            return null; // no cache: workers start the ordinary way
        }
    }

    /** {@return whether every entry is a jar file, which the JDK's AOT cache requires} */
    static boolean supported(List<String> classPath) {
        if (classPath.isEmpty()) {
            return false;
        }
        for (String entry : classPath) {
            if (entry.isEmpty() || !entry.endsWith(".jar") || !new File(entry).isFile()) {
                return false;
            }
        }
        return true;
    }

    /** {@return a private name for a worker to write the cache to before it is published} */
    static Path trainingFile(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
    }

    static void deleteLeftovers(Path training) {
        for (Path p : List.of(training, training.resolveSibling(training.getFileName() + ".config"))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a leftover in the user's cache folder; harmless
            }
        }
    }

    private static void update(MessageDigest d, String s) {
        d.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
    }
}
