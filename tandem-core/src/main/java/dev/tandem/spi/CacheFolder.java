package dev.tandem.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Keeps a folder of JDK AOT caches from growing: the worker caches of the process engine
 * ({@code worker-*.aot}) and the node caches of the cluster engine ({@code node-*.aot}) share one
 * pruning rule, least recently used first. Stateless; safe to call from any thread and from several
 * processes at once (a file another process deleted first is skipped).
 */
public final class CacheFolder {
    private CacheFolder() {}

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
                || line.startsWith("Picked up JAVA_TOOL_OPTIONS");
    }
}
