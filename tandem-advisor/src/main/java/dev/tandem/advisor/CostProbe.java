package dev.tandem.advisor;

import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures what the execution models cost on this machine, for the questionnaire: starting a
 * platform thread, a virtual thread and a worker JVM, one round trip of an empty task through each
 * pool, the resident memory of an idle worker JVM, and the speed of Java serialization. Takes a few
 * seconds; every loop is bounded by a count and a deadline, and the pool is stopped in a
 * {@code finally}.
 */
final class CostProbe {
    private static final long LOOP_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    private CostProbe() {}

    /**
     * This machine's costs. A value that could not be measured is -1.
     *
     * @param threadStartNanos start and join one platform thread (median)
     * @param virtualStartNanos start and join one virtual thread (median)
     * @param threadRoundTripNanos submit an empty task to {@code threads(1)} and get its result
     * @param virtualRoundTripNanos the same through {@code virtualThreads()}
     * @param processStartNanos {@code processes(1).start()} until the worker is ready
     * @param processRoundTripNanos an empty task through {@code processes(1)}
     * @param workerRssBytes resident memory of an idle worker JVM
     * @param copyNanosPerMiB serializing and deserializing one MiB
     * @param processError why process costs are missing, or null
     */
    record Costs(
            long threadStartNanos,
            long virtualStartNanos,
            long threadRoundTripNanos,
            long virtualRoundTripNanos,
            long processStartNanos,
            long processRoundTripNanos,
            long workerRssBytes,
            long copyNanosPerMiB,
            String processError) {}

    static Costs measure() {
        long platform = median(
                () -> {
                    Thread t = Thread.ofPlatform().start(() -> {});
                    join(t);
                },
                200);
        long virtual = median(() -> join(Thread.ofVirtual().start(() -> {})), 2000);
        long threadRt;
        long virtualRt;
        try (TaskPool pool = Tandem.threads(1).start()) {
            threadRt = roundTrip(pool, 5000);
        }
        try (TaskPool pool = Tandem.virtualThreads().start()) {
            virtualRt = roundTrip(pool, 5000);
        }
        long copy = copyNanosPerMiB();
        long start = -1;
        long processRt = -1;
        long rss = -1;
        String error = null;
        TaskPool pool = null;
        try {
            long t0 = System.nanoTime();
            pool = Tandem.processes(1)
                    .workerStartTimeout(Duration.ofSeconds(20))
                    .forwardOutput(false)
                    .start();
            start = System.nanoTime() - t0;
            processRt = roundTrip(pool, 2000);
            rss = pool.workerPids().stream()
                    .map(ProcStat::of)
                    .flatMap(Optional::stream)
                    .mapToLong(ProcStat.Usage::rssBytes)
                    .findFirst()
                    .orElse(-1);
        } catch (RuntimeException e) {
            error = Units.abbreviate(e.getMessage(), 300);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
                try {
                    pool.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return new Costs(platform, virtual, threadRt, virtualRt, start, processRt, rss, copy, error);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    private static long median(Runnable r, int max) {
        long[] times = new long[max];
        long end = System.nanoTime() + LOOP_NANOS;
        int n = 0;
        while (n < max && (n < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            r.run();
            times[n++] = System.nanoTime() - t0;
        }
        long[] done = Arrays.copyOf(times, n);
        Arrays.sort(done);
        return Stats.percentile(done, 50);
    }

    private static long roundTrip(TaskPool pool, int max) {
        Task<Integer> empty = () -> 1;
        return median(
                () -> {
                    try {
                        pool.submit(empty).get(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CancellationException("interrupted");
                    } catch (ExecutionException | TimeoutException e) {
                        throw new IllegalStateException("an empty task failed: " + e, e);
                    }
                },
                max);
    }

    private static long copyNanosPerMiB() {
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 7);
        List<Object> payload = List.of(data, "x".repeat(1000));
        return median(
                () -> {
                    try (ObjectInputStream in =
                            new ObjectInputStream(new ByteArrayInputStream(Trials.encode(payload)))) {
                        in.readObject();
                    } catch (IOException | ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                },
                50);
    }
}
