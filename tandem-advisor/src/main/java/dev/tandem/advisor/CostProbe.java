package dev.tandem.advisor;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.ipc.SharedByteArray;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Measures what the execution models cost on this machine, for the questionnaire: starting a
 * platform thread, a virtual thread and a worker JVM, the round trip of an empty task through each
 * pool (steady state, measured as the lab and the JMH benchmarks measure it: {@link RoundTrips}), the
 * resident memory of an idle worker JVM, the speed of Java serialization, and what it takes a task
 * to attach data that lives in a {@link SharedByteArray} instead of copying it. Each measurement keeps
 * its samples and the machine's load before and after it ({@link Load}, as the lab and the advisor's
 * trials record it), so that the questionnaire can tell a figure it may rank models by from one that
 * is noise or was taken while other programs took the CPUs. Takes a few seconds;
 * every loop is bounded by a count and a deadline, and pools and arrays are closed in a
 * {@code finally}.
 */
final class CostProbe {
    /** What each measurement is called in the figures and the report. */
    static final String THREAD_START = "start a platform thread";

    static final String VIRTUAL_START = "start a virtual thread";
    static final String ROUND_TRIP_THREADS = "round trip, threads(1)";
    static final String ROUND_TRIP_VIRTUAL = "round trip, virtual threads";
    static final String ROUND_TRIP_PROCESSES = "round trip, processes(1)";
    static final String WORKER_START = "start a worker JVM";
    static final String COPY = "serialize and read back 1 MiB";
    static final String SHARED = "attach 1 MiB of a SharedByteArray";

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
     * @param figures every measurement with its samples, spread and the machine's load while it ran
     *        (empty when the costs were not measured here)
     * @param load how busy the machine was over all the measurements, or null
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
            String processError,
            List<Figure> figures,
            Advice.MachineLoad load) {

        /** Copies the list. */
        Costs {
            figures = List.copyOf(figures);
        }

        /** {@return the measurement of this name, or null} */
        Figure figure(String what) {
            return figures.stream()
                    .filter(f -> f.what().equals(what))
                    .findFirst()
                    .orElse(null);
        }

        /** {@return true if other programs took CPU during the measurements, or during one of them} */
        boolean busy() {
            return Rules.busy(busiest());
        }

        /**
         * {@return the load over all the measurements if the machine was busy then, else the busiest
         * single measurement's if one was busy, else the load over all of them (or null)}
         */
        Advice.MachineLoad busiest() {
            if (Rules.busy(load)) {
                return load;
            }
            return figures.stream()
                    .map(Figure::load)
                    .filter(Rules::busy)
                    .max(Comparator.comparingDouble(Advice.MachineLoad::othersCpus))
                    .orElse(load);
        }
    }

    /**
     * One measured cost: its samples (ns), their median and interquartile range, whether it is noise (the
     * IQR wider than half the median, {@link Stats#tooWide()}, as in the lab and the advisor's trials),
     * and the machine's load before and after it was measured.
     *
     * @param what what was measured, such as {@value CostProbe#ROUND_TRIP_PROCESSES}
     * @param samples the samples, ns
     * @param median their median, ns
     * @param q1 their first quartile, ns
     * @param q3 their third quartile, ns
     * @param noise the spread is too wide to conclude from
     * @param load the machine's load while it was measured, or null
     */
    record Figure(
            String what,
            List<Double> samples,
            double median,
            double q1,
            double q3,
            boolean noise,
            Advice.MachineLoad load) {
        /** Copies the list. */
        Figure {
            samples = List.copyOf(samples);
        }

        static Figure of(String what, List<Double> samples, Load load) {
            Stats s = Stats.of(samples);
            return new Figure(what, samples, s.median(), s.q1(), s.q3(), s.tooWide(), Advice.MachineLoad.of(load));
        }
    }

    static Costs measure() {
        Load.Meter whole = Load.start();
        List<Figure> figures = new ArrayList<>();
        long platform = timed(
                figures,
                THREAD_START,
                () -> samples(
                        () -> {
                            Thread t = Thread.ofPlatform().start(() -> {});
                            join(t);
                        },
                        200));
        long virtual = timed(
                figures,
                VIRTUAL_START,
                () -> samples(() -> join(Thread.ofVirtual().start(() -> {})), 2000));
        long threadRt;
        long virtualRt;
        try (TaskPool pool = Tandem.threads(1).start()) {
            threadRt = timed(figures, ROUND_TRIP_THREADS, () -> roundTrip(pool));
        }
        try (TaskPool pool = Tandem.virtualThreads().start()) {
            virtualRt = timed(figures, ROUND_TRIP_VIRTUAL, () -> roundTrip(pool));
        }
        long copy = timed(figures, COPY, CostProbe::copySamples);
        long shared = timed(figures, SHARED, CostProbe::sharedSamples);
        long start = -1;
        long processRt = -1;
        long rss = -1;
        String error = null;
        TaskPool pool = null;
        try {
            Load.Meter meter = Load.start();
            long t0 = System.nanoTime();
            pool = Tandem.processes(1)
                    .workerStartTimeout(Pace.measure().limit(Pace.Limit.WORKER_START))
                    .forwardOutput(false)
                    .start();
            start = System.nanoTime() - t0;
            figures.add(Figure.of(WORKER_START, List.of((double) start), meter.stop()));
            TaskPool started = pool;
            processRt = timed(figures, ROUND_TRIP_PROCESSES, () -> roundTrip(started));
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
                TaskPool stopping = pool;
                try {
                    Pace.await(Pace.Limit.POOL_TERMINATION, ns -> stopping.awaitTermination(ns, TimeUnit.NANOSECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return new Costs(
                platform,
                virtual,
                threadRt,
                virtualRt,
                start,
                processRt,
                rss,
                copy,
                shared,
                error,
                figures,
                Advice.MachineLoad.of(whole.stop()));
    }

    /**
     * Runs one measurement between two readings of the machine's load and adds it to {@code figures}.
     *
     * @return its median, ns, or -1 when nothing was measured
     */
    private static long timed(List<Figure> figures, String what, Supplier<List<Double>> measurement) {
        Load.Meter meter = Load.start();
        List<Double> samples = measurement.get();
        if (samples.isEmpty()) {
            return -1;
        }
        Figure f = Figure.of(what, samples, meter.stop());
        figures.add(f);
        return Math.round(f.median());
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /** {@return the times of up to {@code max} runs of {@code r} (at least 5) within {@link #LOOP_NANOS}, ns} */
    private static List<Double> samples(Runnable r, int max) {
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + LOOP_NANOS;
        while (times.size() < max && (times.size() < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            r.run();
            times.add((double) (System.nanoTime() - t0));
        }
        return times;
    }

    /**
     * {@return the median round trip of an empty task in each measurement iteration, ns: steady state,
     * measured as the lab does}
     */
    private static List<Double> roundTrip(TaskPool pool) {
        try {
            return RoundTrips.steady(pool, RoundTrips.Settings.QUICK).iterationMedians().stream()
                    .map(us -> us * 1e3)
                    .toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("an empty task failed: " + e, e);
        }
    }

    /** {@return attaching 16 MiB of a shared byte array and touching every page, per MiB, ns; empty if unavailable} */
    private static List<Double> sharedSamples() {
        int mib = 16;
        long page = Math.max(1024, ProcFs.pageSize());
        try (SharedByteArray data = SharedByteArray.create((long) mib << 20)) {
            data.set(((long) mib << 20) - 1, (byte) 1);
            return samples(
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
                            20)
                    .stream()
                    .map(ns -> ns / mib)
                    .toList();
        } catch (IOException | UncheckedIOException | UnsupportedOperationException e) {
            return List.of();
        }
    }

    private static List<Double> copySamples() {
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 7);
        List<Object> payload = List.of(data, "x".repeat(1000));
        return samples(
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

    /** Prints the measured costs, the machine's load while they were measured, and a banner if it was busy. */
    static void print(PrintStream out, Costs c) {
        out.println();
        if (c.load() != null) {
            out.println(Terminal.wrap("Load while measuring: " + c.load().description() + ".", "  "));
            List<String> each = c.figures().stream()
                    .filter(f -> f.load() != null && !Double.isNaN(f.load().othersCpus()))
                    .map(f -> f.what() + " " + Units.num(f.load().othersCpus()))
                    .toList();
            if (!each.isEmpty()) {
                out.println(Terminal.wrap(
                        "CPUs other programs took during each measurement: " + String.join("; ", each) + ".", "  "));
            }
            if (c.busy()) {
                out.println(Terminal.busyBanner(c.busiest(), Report.INTERVIEW_BUSY));
            }
        }
        List<String> noisy = c.figures().stream()
                .filter(Figure::noise)
                .map(Interview::spread)
                .toList();
        if (!noisy.isEmpty()) {
            out.println(Terminal.wrap(
                    "Noise (too few samples, or the spread is wider than half the median): " + String.join("; ", noisy)
                            + ".",
                    "  "));
        }
        out.println("Measured on this machine: thread start " + Units.nanos(c.threadStartNanos())
                + ", virtual thread start "
                + Units.nanos(c.virtualStartNanos()) + ", worker JVM start " + Units.nanos(c.processStartNanos())
                + " (" + Units.bytes(c.workerRssBytes()) + " resident);");
        out.println("round trip of an empty task: threads " + Units.nanos(c.threadRoundTripNanos()) + ", virtual "
                + Units.nanos(c.virtualRoundTripNanos()) + ", processes " + Units.nanos(c.processRoundTripNanos())
                + "; serialization " + Units.nanos(c.copyNanosPerMiB()) + " per MiB, attaching shared memory "
                + Units.nanos(c.sharedNanosPerMiB()) + " per MiB."
                + (c.processError() != null ? " (processes: " + c.processError() + ")" : ""));
        out.println();
    }
}
