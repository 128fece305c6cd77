package dev.tandem;

import dev.tandem.spi.CacheFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the JDK 25 AOT cache of a worker class path lives, and whether there can be one.
 *
 * <p>The JDK can cache only classes from jar files, so a class path with a directory (an IDE or a
 * test run) gets none. The file name is a digest of everything the cache depends on: the JDK, each
 * jar's path, size and modification time, the worker's JVM options and the transport; a change makes a new file,
 * so a stale cache is never used. The folder is {@code $XDG_CACHE_HOME/tandem/aot} or
 * {@code ~/.cache/tandem/aot}, created owner-only. Stateless.
 *
 * <h2>Clean-up</h2>
 * Every change of a jar or an option makes a new cache of about 13 MB, so the folder is pruned when
 * a pool starts: the pool marks its cache as used (its modification time), and only the
 * {@link #KEEP} most recently used caches stay. A training file is named after the caller that owns
 * it ({@code worker-<digest>.aot.tmp-<owner stamp>-<nanos>}, see {@link OwnerStamp}), and any pool
 * start deletes the training files (and their {@code .config}) whose owner is dead: a caller killed
 * while its worker trained leaves a file of about 12 MB, written by the worker as it halts. A
 * caller's exit kills its trainers first ({@link CallerShutdown}). Training files named by older
 * versions (pid only) go when that pid is dead or after a day. A worker that already mapped a
 * deleted cache keeps running from it (Linux unlinks lazily); a later worker without it starts the
 * ordinary way.
 */
final class AotCache {
    /** How many caches the folder keeps. */
    static final int KEEP = 8;

    private static final long LEFTOVER_MILLIS = TimeUnit.DAYS.toMillis(1);
    /** Between a cache's name and the stamp of its training file's owner. */
    private static final String TRAINING_MARK = ".tmp-";

    private AotCache() {}

    /**
     * Marks {@code cache} as just used, then deletes all but the {@link #KEEP} most recently used
     * caches of its folder, and the training leftovers of dead owners. Best effort: a file that
     * cannot be read or deleted is left alone.
     */
    static void markUsedAndPrune(Path cache) {
        CacheFolder.markUsedAndPrune(cache, "worker-", KEEP, p -> isStaleLeftover(p, System.currentTimeMillis()));
    }

    /**
     * Deletes the training leftovers of dead owners in {@code folder}, if it exists. Best effort.
     *
     * @param folder the cache folder, {@link #folder()}
     */
    static void pruneLeftovers(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        long now = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (isStaleLeftover(p, now)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a cache folder we cannot tidy is only a waste of disk space
        }
    }

    /**
     * {@return whether {@code file} is a training file (or its {@code .config}) whose owner is dead}
     * A file named by an older version (pid only) is stale when that pid is dead or after a day.
     */
    static boolean isStaleLeftover(Path file, long nowMillis) {
        String name = file.getFileName().toString();
        int at = name.indexOf(TRAINING_MARK);
        if (!name.startsWith("worker-") || at < 0) {
            return false;
        }
        String suffix = name.substring(at + TRAINING_MARK.length());
        if (suffix.endsWith(".config")) {
            suffix = suffix.substring(0, suffix.length() - ".config".length());
        }
        String[] parts = suffix.split("-");
        if (parts.length == 4) {
            Optional<OwnerStamp> owner = OwnerStamp.parse(parts[0], parts[1], parts[2]);
            if (owner.isPresent()) {
                return !owner.get().isAlive();
            }
        }
        boolean oldPidDead = parts.length == 2
                && OwnerStamp.parse(parts[0], "0", "0").map(o -> !o.isAlive()).orElse(false);
        return oldPidDead || nowMillis - CacheFolder.modified(file) > LEFTOVER_MILLIS;
    }

    /** {@return the cache file for this class path and options, or null if it cannot have one} */
    static Path location(List<String> classPath, List<String> jvmOptions) {
        return CacheFolder.cacheFile("worker-", classPath, jvmOptions);
    }

    /** {@return the folder of the caches ({@link CacheFolder#folder()})} */
    static Path folder() {
        return CacheFolder.folder();
    }

    /** {@return whether every entry is a jar file, which the JDK's AOT cache requires} */
    static boolean supported(List<String> classPath) {
        return CacheFolder.supported(classPath);
    }

    /** {@return a private name, stamped with this caller, for a worker to write the cache to before it is published} */
    static Path trainingFile(Path cache) {
        return cache.resolveSibling(cache.getFileName() + TRAINING_MARK
                + OwnerStamp.self().text() + "-" + Long.toHexString(System.nanoTime()));
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
}
