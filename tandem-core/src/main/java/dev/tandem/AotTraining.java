package dev.tandem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy of training an AOT cache (see {@link AotCache}): which worker trains, when it retires,
 * and what happens to its output.
 *
 * <ul>
 * <li><b>Who trains.</b> A worker starts training when its class path can have a cache, none exists
 * yet, and no other worker of any pool in this JVM trains the same file ({@link #claim}).
 * <li><b>When it retires.</b> After {@link #TASKS} tasks, writing the cache as it exits. The cache
 * then holds what a worker needs to start and to run its first tasks, not everything a long-lived
 * worker ever touched: every later worker loads the whole cache at start, so a cache trained on a
 * long run makes every idle worker bigger (about 2 MiB after a million tasks).
 * <li><b>Its output.</b> Published atomically over the cache file if the worker exited cleanly with
 * a non-empty file; in every case the leftovers go and another worker may train ({@link #finish}).
 * </ul>
 *
 * <p>Thread-safe: {@link #claim} for any thread; {@link #finish} acts once, whoever calls first.
 */
final class AotTraining {
    /** A worker training the AOT cache retires after this many tasks. */
    static final int TASKS = 100;

    /** AOT caches being trained by a worker of some pool in this JVM; one trainer per file. */
    private static final Set<Path> TRAINING = ConcurrentHashMap.newKeySet();

    private final Path cache;
    private final Path output;
    /** Guarded by this. */
    private boolean finished;

    private AotTraining(Path cache, Path output) {
        this.cache = cache;
        this.output = output;
    }

    /**
     * {@return the training of {@code cache} by a new worker, if that worker should train it} Empty
     * when the cache exists or another worker of this JVM trains it.
     */
    static Optional<AotTraining> claim(Path cache) {
        if (cache == null || Files.isRegularFile(cache) || !TRAINING.add(cache)) {
            return Optional.empty();
        }
        return Optional.of(new AotTraining(cache, AotCache.trainingFile(cache)));
    }

    /** {@return where the training worker writes the cache as it exits} */
    Path output() {
        return output;
    }

    /**
     * After the training worker ended: publishes the cache if it exited cleanly, removes the
     * leftovers and lets another worker train. Only the first call acts.
     *
     * @param exitCode the worker's exit code, or null
     */
    void finish(Integer exitCode) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        try {
            if (exitCode != null && exitCode == 0 && Files.size(output) > 0) {
                Files.move(output, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // no cache this time; the next pool trains again
        } finally {
            AotCache.deleteLeftovers(output);
            TRAINING.remove(cache);
            CallerShutdown.forgetTraining(output);
        }
    }
}
