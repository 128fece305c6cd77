package dev.tandem.spi;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The folder of JDK AOT caches: the worker caches of the process engine ({@code worker-*.aot}) and
 * the node caches of the cluster engine ({@code node-*.aot}) share its place, their naming by
 * content ({@link #cacheFile}) and one pruning rule, least recently used first. Stateless; safe to call from any thread and from several
 * processes at once (a file another process deleted first is skipped).
 */
public final class CacheFolder {
    private CacheFolder() {}

    /** {@return the folder of the caches: {@code $XDG_CACHE_HOME/tandem/aot} or {@code ~/.cache/tandem/aot}} */
    public static Path folder() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tandem").resolve("aot");
    }

    /** {@return whether every entry is a jar file, which the JDK's AOT cache requires (and not none)} */
    public static boolean supported(List<String> classPath) {
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

    /**
     * {@return the cache {@code <prefix><key>.aot} in {@link #folder()} for a JVM with this class path
     * and these flags, the folder created (owner only) if need be; or null if the class path cannot
     * have a cache ({@link #supported}) or the folder cannot be made} The key is the first 12 bytes, in
     * hex, of a SHA-256 over {@code java.home}, {@code java.vm.version}, each class path entry's
     * absolute path, size and modification time, and each flag: a cache is used only by the JVM, jars
     * and flags that made it (the JDK refuses a mismatched one anyway, at a cost).
     *
     * @param prefix the kind of cache, such as {@code worker-} or {@code node-}
     */
    public static Path cacheFile(String prefix, List<String> classPath, List<String> jvmFlags) {
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
            for (String f : jvmFlags) {
                update(d, f);
            }
            Path dir = folder();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir.resolve(prefix + HexFormat.of().formatHex(d.digest(), 0, 12) + ".aot");
        } catch (IOException | NoSuchAlgorithmException | UnsupportedOperationException e) {
            return null; // no cache: the JVM starts the ordinary way
        }
    }

    private static void update(MessageDigest d, String s) {
        d.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
    }

    /**
     * Marks {@code cache} as just used (its modification time, if it exists), then deletes all but
     * the {@code keep} most recently used caches of its folder (the files named
     * {@code <prefix>…​.aot}), never {@code cache} itself, and every other file of the folder that
     * {@code leftover} calls stale. Best effort: a file that cannot be read or deleted is left alone.
     *
     * @param cache the cache in use; it need not exist yet
     * @param prefix the start of the name of each cache this call manages, such as {@code worker-}
     * @param keep how many caches stay, at least 1
     * @param leftover whether a file of the folder that is not one of these caches is a stale
     *     leftover (a dead owner's training file, say) to delete
     */
    public static void markUsedAndPrune(Path cache, String prefix, int keep, Predicate<Path> leftover) {
        try {
            if (Files.isRegularFile(cache)) {
                Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis()));
            }
            List<Path> caches = new ArrayList<>();
            try (Stream<Path> files = Files.list(cache.getParent())) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(prefix) && name.endsWith(".aot")) {
                        caches.add(p);
                    } else if (leftover.test(p)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            caches.sort(Comparator.comparingLong(CacheFolder::modified).reversed());
            for (Path old : caches.subList(Math.min(keep, caches.size()), caches.size())) {
                if (!old.equals(cache)) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a cache folder we cannot tidy is only a waste of disk space
        }
    }

    /** {@return the modification time of {@code file} in ms since the epoch, or 0 if it cannot be read} */
    public static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * {@return whether a line of a JVM's output is the JDK's own chatter about AOT caches (training,
     * a cache it cannot use) or about {@code JAVA_TOOL_OPTIONS}, which a child's relayed output
     * leaves out}
     *
     * @param line one line of a child JVM's standard output or error
     */
    public static boolean isAotChatter(String line) {
        return line.contains("AOTConfiguration")
                || line.contains("AOTCache")
                || line.contains("AOT cache")
                || line.contains("AOT configuration")
                || isOptionsBanner(line);
    }

    /**
     * {@return whether a line of a JVM's output is its banner of the options it picked up from the
     * environment ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}), which says nothing of how the
     * JVM ran or ended}
     *
     * @param line one line (or its first piece) of a child JVM's standard output or error
     */
    public static boolean isOptionsBanner(String line) {
        return line.startsWith("Picked up JAVA_TOOL_OPTIONS") || line.startsWith("Picked up JDK_JAVA_OPTIONS");
    }
}
