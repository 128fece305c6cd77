package dev.tandem.measure;

import dev.tandem.Task;
import dev.tandem.TaskPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The round trip of an empty task through a pool, {@code submit(() -> 1).get()}, measured the way
 * the JMH benchmark {@code core.RoundTripBenchmark} measures it, so that the lab, the advisor and
 * the benchmarks tell one truth about Tandem's own cost:
 *
 * <ul>
 *   <li><b>Steady state.</b> Warm-up iterations of a fixed time (the JIT compiles the path of a
 *       round trip, the pool's threads and worker JVMs settle), then measurement iterations of a
 *       fixed time in which every round trip is timed ({@code System.nanoTime()} around submit and
 *       get), as JMH's {@code Mode.SampleTime} samples single invocations. The figure is the median
 *       of the samples, which JMH reports as {@code p0.50}; each iteration's median is kept as a
 *       sample of the spread.</li>
 *   <li><b>Cold start</b>, measured separately and named as such: from {@code start()} to the first
 *       result, and the median of the first {@link #COLD_TRIPS} round trips of a new pool.</li>
 * </ul>
 * A mean would mix the rare long round trip (a garbage collection, a worker descheduled) into the
 * typical one; the median does not. Not thread-safe; the caller's thread does the round trips.
 */
public final class RoundTrips {
    /** Round trips of a new pool that count as its cold start. */
    public static final int COLD_TRIPS = 100;

    /** The task every round trip submits; serializable, so that it crosses to a worker JVM. */
    private static final Task<Integer> EMPTY = () -> 1;

    private RoundTrips() {}

    /**
     * How long to warm up and to measure.
     *
     * @param warmupIterations untimed iterations
     * @param warmup the length of each
     * @param iterations timed iterations
     * @param iteration the length of each
     */
    public record Settings(int warmupIterations, Duration warmup, int iterations, Duration iteration) {
        /** A full lab run: 3 x 1 s of warm-up, 5 x 1 s measured. */
        public static final Settings FULL = new Settings(3, Duration.ofSeconds(1), 5, Duration.ofSeconds(1));
        /** A quick lab run and the advisor's questionnaire: 2 x 0.5 s of warm-up, 5 x 0.3 s measured. */
        public static final Settings QUICK = new Settings(2, Duration.ofMillis(500), 5, Duration.ofMillis(300));

        /** Validates. */
        public Settings {
            if (warmupIterations < 0 || iterations < 1 || warmup.isNegative() || iteration.isNegative()) {
                throw new IllegalArgumentException("bad round-trip settings " + warmupIterations + " x " + warmup + ", "
                        + iterations + " x " + iteration);
            }
        }

        /** {@return the JMH options that measure the same way: -wi, -w, -i, -r} */
        public List<String> jmhOptions() {
            return List.of(
                    "-wi",
                    Integer.toString(warmupIterations),
                    "-w",
                    warmup.toMillis() + "ms",
                    "-i",
                    Integer.toString(iterations),
                    "-r",
                    iteration.toMillis() + "ms");
        }
    }

    /**
     * A steady-state measurement.
     *
     * @param iterationMedians the median round trip of each measurement iteration, µs
     * @param p50 the median of all timed round trips, µs
     * @param p90 their 90th percentile, µs
     * @param trips how many were timed
     */
    public record Steady(List<Double> iterationMedians, double p50, double p90, long trips) {
        /** Copies the list. */
        public Steady {
            iterationMedians = List.copyOf(iterationMedians);
        }
    }

    /**
     * A new pool's first moments.
     *
     * @param startMillis from {@code start()} until it returned
     * @param firstResultMicros from {@code start()} returning until the first result
     * @param firstTripsMedianMicros the median of the first {@link #COLD_TRIPS} round trips, the first included
     */
    public record Cold(double startMillis, double firstResultMicros, double firstTripsMedianMicros) {}

    /**
     * Starts a pool and measures its cold start; the pool is returned for the steady-state
     * measurement and must be closed by the caller.
     *
     * @param start starts the pool
     * @param cold receives the cold-start figures
     * @return the started pool
     * @throws ExecutionException if an empty task failed
     * @throws TimeoutException if a round trip took longer than Pace.Limit.ROUND_TRIP stretched by the machine's pace
     * @throws InterruptedException if interrupted
     */
    public static TaskPool startCold(Supplier<TaskPool> start, List<Cold> cold)
            throws ExecutionException, TimeoutException, InterruptedException {
        long bound = Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(); // before anything is timed
        long t0 = System.nanoTime();
        TaskPool pool = start.get();
        long t1 = System.nanoTime();
        long[] first = new long[COLD_TRIPS];
        try {
            for (int i = 0; i < COLD_TRIPS; i++) {
                long a = System.nanoTime();
                pool.submit(EMPTY).get(bound, TimeUnit.NANOSECONDS);
                first[i] = System.nanoTime() - a;
            }
        } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
        double firstResult = first[0] / 1e3;
        Arrays.sort(first);
        cold.add(new Cold((t1 - t0) / 1e6, firstResult, Stats.quantile(first, 0.5) / 1e3));
        return pool;
    }

    /**
     * Measures the steady-state round trip of {@code pool}.
     *
     * @param pool a started pool
     * @param settings warm-up and measurement
     * @return the figures
     * @throws ExecutionException if an empty task failed
     * @throws TimeoutException if a round trip took longer than Pace.Limit.ROUND_TRIP stretched by the machine's pace
     * @throws InterruptedException if interrupted
     */
    public static Steady steady(TaskPool pool, Settings settings)
            throws ExecutionException, TimeoutException, InterruptedException {
        long bound = Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(); // before anything is timed
        for (int i = 0; i < settings.warmupIterations(); i++) {
            iteration(pool, settings.warmup(), null, bound);
        }
        List<Double> medians = new ArrayList<>();
        long[] all = new long[0];
        for (int i = 0; i < settings.iterations(); i++) {
            long[] samples = iteration(pool, settings.iteration(), new long[1 << 14], bound);
            medians.add(Stats.quantile(samples, 0.5) / 1e3);
            int old = all.length;
            all = Arrays.copyOf(all, old + samples.length);
            System.arraycopy(samples, 0, all, old, samples.length);
        }
        Arrays.sort(all);
        return new Steady(medians, Stats.quantile(all, 0.5) / 1e3, Stats.quantile(all, 0.9) / 1e3, all.length);
    }

    /** Round trips for {@code length}; returns their sorted times in ns, or nothing when {@code buffer} is null. */
    private static long[] iteration(TaskPool pool, Duration length, long[] buffer, long boundNanos)
            throws ExecutionException, TimeoutException, InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        long[] times = buffer;
        int n = 0;
        while (true) {
            long a = System.nanoTime();
            if (a >= end && n > 0) {
                break;
            }
            pool.submit(EMPTY).get(boundNanos, TimeUnit.NANOSECONDS);
            if (times != null) {
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n] = System.nanoTime() - a;
            }
            n++;
        }
        if (times == null) {
            return new long[0];
        }
        long[] done = Arrays.copyOf(times, n);
        Arrays.sort(done);
        return done;
    }
}
