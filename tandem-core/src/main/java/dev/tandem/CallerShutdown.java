package dev.tandem;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one shutdown hook of a caller JVM: when it exits (a return from {@code main},
 * {@code System.exit}, SIGTERM as sent by {@code docker stop}, Ctrl-C), it removes the files of the
 * pools still open, which nothing else would remove.
 *
 * <h2>What it does</h2>
 * <ol>
 * <li>Kills (SIGKILL) each worker that is training an AOT cache, then deletes its training files.
 * Left alone, such a worker would see its caller's end, halt, and write a cache of about 12 MB that
 * nobody publishes: a JVM writes its AOT cache as it exits, even by {@code Runtime.halt}.
 * <li>Deletes every live pool's folder ({@link PoolFolder}: its control socket and argument file).
 * </ol>
 * Other workers need no help: each halts as soon as its control socket closes with the caller, and
 * the caller's shared-memory segments have {@code tandem-ipc}'s own hook. What a caller killed by
 * SIGKILL leaves, no hook can remove: the next pool start sweeps it ({@link PoolFolder#create},
 * {@link AotCache#markUsedAndPrune}).
 *
 * <h2>Lifecycle and bounds</h2>
 * Registered once per JVM, when the first pool folder or trainer is recorded, and run once at exit.
 * It takes no lock that a pool holds and waits for nothing but the killed trainers, at most
 * {@link #TRAINER_WAIT_MILLIS} in all, so it can neither deadlock nor hold the exit up for long.
 * Registries are concurrent sets: pools record and forget their files from any thread.
 */
final class CallerShutdown {
    /** The longest the hook waits for killed trainers to be gone, in all. */
    static final long TRAINER_WAIT_MILLIS = 1000;

    private static final Set<PoolFolder> FOLDERS = ConcurrentHashMap.newKeySet();
    /** The file each worker training an AOT cache writes, and that worker. */
    private static final Map<Path, Process> TRAINERS = new ConcurrentHashMap<>();

    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    private CallerShutdown() {}

    /** Deletes {@code folder} at exit unless it is {@link #forget(PoolFolder) forgotten} first. */
    static void deleteAtExit(PoolFolder folder) {
        register();
        FOLDERS.add(folder);
    }

    static void forget(PoolFolder folder) {
        FOLDERS.remove(folder);
    }

    /** Kills {@code trainer} at exit and deletes {@code trainingFile}, unless forgotten first. */
    static void killAtExit(Path trainingFile, Process trainer) {
        register();
        TRAINERS.put(trainingFile, trainer);
    }

    /** The training that writes {@code trainingFile} has ended and tidied up after itself. */
    static void forgetTraining(Path trainingFile) {
        TRAINERS.remove(trainingFile);
    }

    private static void register() {
        if (REGISTERED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime()
                        .addShutdownHook(
                                Thread.ofPlatform().name("tandem-caller-exit").unstarted(CallerShutdown::run));
            } catch (IllegalStateException e) {
                // the JVM is exiting already: the next pool start sweeps what is left
            }
        }
    }

    /** The hook: kills trainers, deletes their files and the live pools' folders. */
    static void run() {
        for (Process trainer : TRAINERS.values()) {
            trainer.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRAINER_WAIT_MILLIS);
        for (Map.Entry<Path, Process> trainer : TRAINERS.entrySet()) {
            try {
                trainer.getValue().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            AotCache.deleteLeftovers(trainer.getKey());
        }
        for (PoolFolder folder : FOLDERS) {
            folder.delete();
        }
    }
}
