package dev.tandem.advisor;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.ipc.SharedByteArray;
import dev.tandem.measure.ProcFs;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
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
 * platform thread, a virtual thread and a worker JVM, the round trip of an empty task through each
 * pool (steady state, measured as the lab and the JMH benchmarks measure it: {@link RoundTrips}), the
 * resident memory of an idle worker JVM, the speed of Java serialization, and what it takes a task
 * to attach data that lives in a {@link SharedByteArray} instead of copying it. Takes a few seconds;
 * every loop is bounded by a count and a deadline, and pools and arrays are closed in a
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
     * @param sharedNanosPerMiB attaching one MiB of a {@link SharedByteArray} and touching each of its
     *        pages: what a worker pays instead of a copy when the data already lives in shared memory
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
            long sharedNanosPerMiB,
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
            threadRt = roundTrip(pool);
        }
        try (TaskPool pool = Tandem.virtualThreads().start()) {
            virtualRt = roundTrip(pool);
        }
        long copy = copyNanosPerMiB();
        long shared = sharedNanosPerMiB();
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
            processRt = roundTrip(pool);
            rss = pool.workerPids().stream()
                    .map(ProcFs::usage)
                    .flatMap(Optional::stream)
                    .mapToLong(ProcFs.Usage::rssBytes)
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
        return new Costs(platform, virtual, threadRt, virtualRt, start, processRt, rss, copy, shared, error);
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
        return Stats.quantile(done, 0.5);
    }

    /** {@return the steady-state median round trip of an empty task, ns, measured as the lab does} */
    private static long roundTrip(TaskPool pool) {
        try {
            return Math.round(RoundTrips.steady(pool, RoundTrips.Settings.QUICK).p50() * 1e3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("an empty task failed: " + e, e);
        }
    }

    /** {@return attaching 16 MiB of a shared byte array and touching every page, per MiB, or -1} */
    private static long sharedNanosPerMiB() {
        int mib = 16;
        long page = Math.max(1024, ProcFs.pageSize());
        try (SharedByteArray data = SharedByteArray.create((long) mib << 20)) {
            data.set(((long) mib << 20) - 1, (byte) 1);
            long total = median(
                    () -> {
                        try (SharedByteArray a = SharedByteArray.attach(data.handle())) {
                            long sum = 0;
                            for (long i = 0; i < a.length(); i += page) {
                                sum += a.get(i);
                            }
                            if (sum == Long.MIN_VALUE) {
                                throw new IllegalStateException("unreachable");
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    20);
            return total / mib;
        } catch (IOException | UncheckedIOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static long copyNanosPerMiB() {
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 7);
        List<Object> payload = List.of(data, "x".repeat(1000));
        return median(
                () -> {
                    try (ObjectInputStream in =
                            new ObjectInputStream(new ByteArrayInputStream(Calls.encode(payload)))) {
                        in.readObject();
                    } catch (IOException | ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                },
                50);
    }
}
