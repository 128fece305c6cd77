package dev.tandem.cluster;

import dev.tandem.spi.CacheFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK's AOT cache (JEP 483, 514) of a local cluster's node JVMs: a node started with it maps the
 * classes Hazelcast and Tandem load, already parsed and linked, and is ready several times sooner.
 *
 * <h2>Files</h2>
 * {@code node-<digest>.aot} in the folder of the workers' caches ({@code $XDG_CACHE_HOME/tandem/aot}
 * or {@code ~/.cache/tandem/aot}, owner-only). The digest covers everything the cache depends on:
 * the JDK, each class-path jar's path, size and modification time, and the node's JVM flags; a
 * change makes a new file, so a stale cache is never used. The JDK caches only classes from jars, so
 * a class path with a directory (a test run, an IDE) gets none. Each cache is about 40 MB: only the
 * {@link #KEEP} most recently used stay.
 *
 * <h2>Training</h2>
 * When there is none yet, the first node a local cluster starts records one
 * ({@code -XX:AOTCacheOutput}) into a file named after the caller's pid; the JDK writes it as that
 * node exits, which takes tens of seconds (the cluster's {@code close()} does not wait: see
 * {@code LocalNodes.publishWhenTrained}). If the node exited cleanly with a non-empty file, the caller
 * publishes it atomically; otherwise it is deleted. One trainer per cache in this JVM. Training files of callers that died
 * are deleted at the next start.
 *
 * <p>Thread-safe.
 */
final class NodeAotCache {
    /** How many node caches the folder keeps. */
    static final int KEEP = 2;

    private static final String TRAINING_MARK = ".tmp-";
    private static final long LEFTOVER_MILLIS = TimeUnit.DAYS.toMillis(1);
    private static final Set<Path> TRAINING = ConcurrentHashMap.newKeySet();

    private final Path cache;
    /** Where the training node writes, or null if this start does not train. */
    private final Path training;

    private final AtomicBoolean finished = new AtomicBoolean();

    NodeAotCache(Path cache, Path training) {
        this.cache = cache;
        this.training = training;
    }

    /**
     * {@return the cache of nodes started with this JVM's class path and {@code jvmFlags}, or null if
     * there can be none} Marks it as used and prunes the folder.
     */
    static NodeAotCache of(List<String> classPath, List<String> jvmFlags) {
        Path cache = location(classPath, jvmFlags);
        if (cache == null) {
            return null;
        }
        prune(cache);
        Path training = null;
        if (!Files.isRegularFile(cache) && TRAINING.add(cache)) {
            training = cache.resolveSibling(cache.getFileName() + TRAINING_MARK
                    + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
        }
        return new NodeAotCache(cache, training);
    }

    /** {@return whether this start trains the cache: its first node records it} */
    boolean trains() {
        return training != null;
    }

    /** {@return the JVM flags of a node: the first records the cache when {@code first} and training} */
    List<String> flags(boolean first) {
        if (first && training != null) {
            return List.of("-XX:AOTCacheOutput=" + training, "-Xlog:aot=off", "-Xlog:cds=off");
        }
        if (Files.isRegularFile(cache)) {
            // A cache the JDK finds stale is ignored quietly: the node starts the ordinary way.
            return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
        }
        return List.of();
    }

    /**
     * After the training node ended: publishes its cache if it exited cleanly, removes the
     * leftovers, and lets a later start train again. No effect if this start did not train.
     *
     * @param exitCode the training node's exit code, or null if it did not end
     */
    void finish(Integer exitCode) {
        if (training == null || !finished.compareAndSet(false, true)) {
            return;
        }
        try {
            if (exitCode != null && exitCode == 0 && Files.isRegularFile(training) && Files.size(training) > 0) {
                Files.move(training, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // no cache this time: the next start trains again
        } finally {
            for (Path p : List.of(training, training.resolveSibling(training.getFileName() + ".config"))) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover; the next start's prune deletes it
                }
            }
            TRAINING.remove(cache);
        }
    }

    static Path location(List<String> classPath, List<String> jvmFlags) {
        return CacheFolder.cacheFile("node-", classPath, jvmFlags);
    }

    /**
     * Marks {@code cache} as used, deletes all but the {@link #KEEP} most recently used node caches,
     * and the training files of callers no longer alive. Best effort.
     */
    private static void prune(Path cache) {
        CacheFolder.markUsedAndPrune(cache, "node-", KEEP, p -> {
            String name = p.getFileName().toString();
            return name.startsWith("node-")
                    && isStaleTraining(name, CacheFolder.modified(p), System.currentTimeMillis());
        });
    }

    /** {@return whether a node cache's training file (or its .config) belongs to a dead caller or is a day old} */
    static boolean isStaleTraining(String name, long modifiedMillis, long nowMillis) {
        int at = name.indexOf(TRAINING_MARK);
        if (at < 0) {
            return false;
        }
        String pid = name.substring(at + TRAINING_MARK.length()).split("-")[0];
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isEmpty() || nowMillis - modifiedMillis > LEFTOVER_MILLIS;
        } catch (NumberFormatException e) {
            return nowMillis - modifiedMillis > LEFTOVER_MILLIS;
        }
    }
}
