package dev.tandem;

import dev.tandem.spi.DurationWords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The validated options of a {@link TaskPool}, built by {@link Tandem.Builder}. Immutable.
 *
 * <p>Durations longer than {@link #MAX_DURATION} (about 146 years) are saturated to it, so that
 * "practically forever" (say {@code Duration.ofSeconds(Long.MAX_VALUE)}) means forever instead of
 * overflowing the engine's nanosecond arithmetic.
 *
 * @param mode the execution model
 * @param workers threads (thread mode) or worker JVMs (process and hybrid modes); 0 for virtual
 *        threads, which are unbounded
 * @param threadsPerWorker tasks a worker JVM runs at once (1 in process mode, T in hybrid mode)
 * @param taskTimeout the longest a task may run once started, or {@code null} for no limit
 * @param jvmOptions extra options for worker JVMs, after Tandem's defaults so that they win
 * @param maxTasksPerWorker tasks after which a worker JVM is replaced by a fresh one; 0 for never
 * @param initializer run once per worker before its first task, or {@code null}
 * @param workerStartTimeout the longest a worker JVM may take to start and greet the caller
 * @param maxRestarts at most this many crash-loop restarts (workers that died before completing a
 *        task, and failed starts) within {@code restartWindow}; one more fails the pool. A pool
 *        that completes no task while its workers keep dying for a whole {@code restartWindow} also
 *        fails (see {@link RestartPolicy})
 * @param restartWindow the window of {@code maxRestarts}
 * @param restartBackoff the delay before the second restart of a crash loop, doubled for each further
 *        one; a worker that completed a task since it started is replaced at once
 * @param maxRestartBackoff the cap of the restart delay
 * @param retriesOnWorkerLoss how often a task that was running in a worker that died is run again
 *        (with 0, a task may still run twice when a kill aimed at another task lands on it: see
 *        {@link Tandem.Builder#retriesOnWorkerLoss})
 * @param poisonThreshold after a task (by the bytes it serializes to) has been running in this many
 *        dead workers, it fails with {@link PoisonTaskException} instead of killing more (a worker
 *        killed by a signal from outside counts only if that repeats: see
 *        {@link Tandem.Builder#poisonThreshold})
 * @param forwardOutput whether workers' stdout and stderr are copied to the caller's, prefixed
 *        with the worker id; when false they are kept only as the tail reported on a worker's death
 * @param classPath entries appended to the worker JVMs' class path (the caller's comes first)
 * @param allowedClasses patterns of classes that results and exceptions from workers may contain,
 *        beyond the JDK's value types and the classes the caller itself sent ({@code com.acme.*}
 *        for a package, {@code com.acme.**} with sub-packages, or a class name)
 * @param aotCache whether worker JVMs start from a JDK AOT cache of their class path, which the
 *        first worker trains (only when the class path is all jars)
 * @param transport how tasks and results travel between the caller and its workers
 * @param inheritSystemProperties whether worker JVMs get the caller's system properties: those given
 *        on its command line and its default time zone and locale (see the README's rule)
 * @param cluster the cluster's options in {@link Mode#CLUSTER}, where {@code workers} and
 *        {@code threadsPerWorker} are each node's P worker JVMs and T threads; null in other modes
 */
public record PoolOptions(
        Mode mode,
        int workers,
        int threadsPerWorker,
        Duration taskTimeout,
        List<String> jvmOptions,
        int maxTasksPerWorker,
        WorkerInitializer initializer,
        Duration workerStartTimeout,
        int maxRestarts,
        Duration restartWindow,
        Duration restartBackoff,
        Duration maxRestartBackoff,
        int retriesOnWorkerLoss,
        int poisonThreshold,
        boolean forwardOutput,
        List<String> classPath,
        List<String> allowedClasses,
        boolean aotCache,
        Transport transport,
        boolean inheritSystemProperties,
        ClusterOptions cluster) {

    /** The longest duration an option keeps: {@code Long.MAX_VALUE / 2} nanoseconds, about 146 years. */
    public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE / 2);

    /** Validates every option; messages name the value and the fix. */
    public PoolOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(transport, "transport");
        jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
        classPath = List.copyOf(Objects.requireNonNull(classPath, "classPath"));
        allowedClasses = List.copyOf(Objects.requireNonNull(allowedClasses, "allowedClasses"));
        for (String pattern : allowedClasses) {
            require(
                    pattern != null && !pattern.isBlank() && !pattern.equals("*") && !pattern.equals("**"),
                    "allowedClasses must name packages or classes (com.acme.* or com.acme.**), was " + allowedClasses);
        }
        for (String entry : classPath) {
            require(entry != null && !entry.isBlank(), "classPath must not contain blank entries, was " + classPath);
            // "dir/*" means every jar of dir, as for the java launcher
            Path path = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) + "." : entry);
            require(
                    Files.exists(path),
                    "classPath entry " + entry + " does not exist (" + path.toAbsolutePath()
                            + "); give jars or class folders that exist");
        }
        Objects.requireNonNull(workerStartTimeout, "workerStartTimeout");
        Objects.requireNonNull(restartWindow, "restartWindow");
        Objects.requireNonNull(restartBackoff, "restartBackoff");
        Objects.requireNonNull(maxRestartBackoff, "maxRestartBackoff");
        taskTimeout = saturate(taskTimeout);
        workerStartTimeout = saturate(workerStartTimeout);
        restartWindow = saturate(restartWindow);
        restartBackoff = saturate(restartBackoff);
        maxRestartBackoff = saturate(maxRestartBackoff);
        if (mode == Mode.VIRTUAL_THREADS) {
            require(workers == 0, "virtual-thread pools have no worker count, was " + workers);
        } else {
            require(workers >= 1, (mode.isolated() ? "processes" : "threads") + " must be >= 1, was " + workers);
            require(
                    workers <= 10_000,
                    "workers must be <= 10000, was " + workers
                            + "; for more concurrent blocking tasks use Tandem.virtualThreads()");
        }
        require(
                threadsPerWorker >= 1 && threadsPerWorker <= 10_000,
                "threadsPerProcess must be between 1 and 10000, was " + threadsPerWorker);
        require(
                mode == Mode.HYBRID || mode == Mode.CLUSTER || threadsPerWorker == 1,
                "threadsPerProcess applies only to hybrid pools, was " + threadsPerWorker);
        require(
                (mode == Mode.CLUSTER) == (cluster != null),
                mode == Mode.CLUSTER
                        ? "a cluster pool needs its cluster options"
                        : "cluster options apply only to " + Mode.CLUSTER);
        if (taskTimeout != null) {
            require(
                    !taskTimeout.isNegative() && !taskTimeout.isZero(),
                    "taskTimeout must be positive, was " + DurationWords.of(taskTimeout) + "; omit it for no limit");
        }
        for (String option : jvmOptions) {
            require(
                    option != null && !option.isBlank(),
                    "jvmOptions must not contain blank entries, was " + jvmOptions);
            require(
                    !option.startsWith("-cp") && !option.startsWith("-classpath") && !option.startsWith("--class-path"),
                    "jvmOptions must not set the class path (" + option + "): workers use the caller's class path");
        }
        require(maxTasksPerWorker >= 0, "maxTasksPerWorker must be >= 1, or 0 for no limit, was " + maxTasksPerWorker);
        require(
                !workerStartTimeout.isNegative() && !workerStartTimeout.isZero(),
                "workerStartTimeout must be positive, was " + DurationWords.of(workerStartTimeout));
        require(maxRestarts >= 0, "maxRestarts must be >= 0, was " + maxRestarts);
        require(
                !restartWindow.isNegative() && !restartWindow.isZero(),
                "restart window must be positive, was " + DurationWords.of(restartWindow));
        require(!restartBackoff.isNegative(), "restartBackoff must be >= 0, was " + DurationWords.of(restartBackoff));
        require(
                maxRestartBackoff.compareTo(restartBackoff) >= 0,
                "maxRestartBackoff must be >= restartBackoff (" + DurationWords.of(restartBackoff) + "), was "
                        + DurationWords.of(maxRestartBackoff));
        require(
                restartBackoff.compareTo(restartWindow) <= 0,
                "restartBackoff's initial delay (" + DurationWords.of(restartBackoff)
                        + ") must not be longer than restartLimit's window ("
                        + DurationWords.of(restartWindow)
                        + "): a crash loop that lasts a whole window fails the pool, so the first"
                        + " backoff alone would fail it; shorten the backoff or widen the window");
        require(retriesOnWorkerLoss >= 0, "retriesOnWorkerLoss must be >= 0, was " + retriesOnWorkerLoss);
        require(poisonThreshold >= 1, "poisonThreshold must be >= 1, was " + poisonThreshold);
    }

    private static Duration saturate(Duration d) {
        return d != null && d.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : d;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * {@return how many tasks the pool runs at once; {@link Integer#MAX_VALUE} for virtual threads}
     * In cluster mode: the processes times threads of each node, times the local nodes (or
     * {@code minNodes} for a remote cluster, which may have more).
     */
    public int parallelism() {
        if (mode == Mode.VIRTUAL_THREADS) {
            return Integer.MAX_VALUE;
        }
        int nodes = cluster == null ? 1 : cluster.local() ? cluster.localNodes() : cluster.minNodes();
        return nodes * workers * threadsPerWorker;
    }
}
