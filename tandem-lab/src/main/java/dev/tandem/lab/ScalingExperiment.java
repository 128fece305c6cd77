package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Mode;
import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * <b>scaling</b>: the note's open question, "CPU-bound: threads? IO-bound: threads?", answered for
 * Java and, where {@code python3} exists, for Python beside it. A fixed batch of tasks (CPU-bound
 * or blocking) runs on 1..N workers in every mode; the speed-up is the one-worker time over the
 * N-worker time of the same mode.
 *
 * <p>Virtual threads have no worker count, so N workers are N virtual threads pulling tasks from a
 * shared counter. Hybrid pools use P processes of T threads with P x T = N.
 */
final class ScalingExperiment implements Experiment {
    static final List<Mode> MODES = List.of(Mode.THREADS, Mode.VIRTUAL_THREADS, Mode.PROCESSES, Mode.HYBRID);
    static final List<String> WORKLOADS = List.of("cpu", "io");
    /**
     * How far above the core count a CPU-bound speed-up may lie before it is an artefact (a timer's
     * jitter, a one-worker baseline slowed by a neighbour), not a speed-up: work on {@code c} cores cannot
     * run more than {@code c} times faster.
     */
    static final double SPEEDUP_TOLERANCE = 0.10;

    /** The load while each (mode, workload, workers) was timed: CPU-bound speed-ups need free CPUs to show. */
    private final Map<String, Load> loads = new HashMap<>();

    /** Which Python ran the comparison, and whether its GIL was on; null until it ran. */
    private PythonComparison.Python python;

    @Override
    public String id() {
        return "scaling";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Scaling: CPU-bound and IO-bound work over 1..N workers",
                "The note ends on an open question: for CPU-bound work use threads, and for IO-bound work use threads?",
                "计算密集型使用多线程，IO密集型使用多线程?");
    }

    static List<Integer> workers(boolean quick) {
        return quick ? List.of(1, 2, 4) : List.of(1, 2, 4, 8);
    }

    private static int tasks(boolean quick) {
        return quick ? 8 : 32;
    }

    private static double taskMillis(boolean quick) {
        return quick ? 6 : 10;
    }

    private static int repeats(Bench bench) {
        return bench.quick() ? 3 : 5;
    }

    @Override
    public int steps(Bench bench) {
        return MODES.size() * workers(bench.quick()).size() + 1;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        boolean quick = bench.quick();
        int tasks = tasks(quick);
        double millis = taskMillis(quick);
        long iterations = Workloads.calibrate(millis);
        s.method = String.format(
                Locale.ROOT,
                "%d tasks per batch, each CPU-bound (%,d xorshift iterations, about %s ms on one core "
                        + "here) or IO-bound (a %s ms blocking sleep), on %s workers; %d timed batches after a warm-up batch, per mode "
                        + "and worker count. Speed-up = median one-worker time / N-worker time, same mode. Modes: Tandem.threads(N), "
                        + "N virtual threads, Tandem.processes(N), Tandem.hybrid(P, T) with P x T = N. Python: the same kernel (in "
                        + "tasks of about 25 ms, calibrated as the fastest of five timings) and sleep with ThreadPoolExecutor and"
                        + " ProcessPoolExecutor (pool.map, started and warmed before timing; %d timed batches, the worker"
                        + " counts taking turns batch by batch so that the one-worker baseline meets the same load as the"
                        + " others; each CPU-bound task records its own thread CPU time).",
                tasks,
                iterations,
                Units.num(millis),
                Units.num(millis),
                workers(quick),
                repeats(bench),
                repeats(bench));
        s.note(String.format(
                Locale.ROOT,
                "This machine has %d cores: CPU-bound work cannot speed up more than %dx.",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors()));
        List<String> unavailable = new ArrayList<>();
        for (Mode mode : MODES) {
            for (int n : workers(quick)) {
                bench.step(modeLabel(mode) + ", " + n + " worker" + (n > 1 ? "s" : ""));
                if (unavailable.contains(mode.name())) {
                    continue;
                }
                try {
                    measure(bench, s, mode, n, tasks, iterations, (long) millis);
                } catch (Bench.Unavailable e) {
                    unavailable.add(mode.name());
                    s.note(modeLabel(mode) + " was not measured: " + e.getMessage());
                }
            }
        }
        bench.step("Python threads vs processes");
        python = PythonComparison.run(bench, s, tasks, millis, repeats(bench), workers(quick));
        speedups(s, workers(quick), python == null ? null : python.gil());
        chart(s, workers(quick));
        verdict(s, workers(quick));
    }

    static String modeLabel(Mode mode) {
        return switch (mode) {
            case THREADS -> "threads";
            case VIRTUAL_THREADS -> "virtual threads";
            case PROCESSES -> "processes";
            case HYBRID -> "hybrid";
            case CLUSTER -> "cluster";
        };
    }

    private static Tandem.Builder builder(Bench bench, Mode mode, int n) {
        return switch (mode) {
            case THREADS -> Tandem.threads(n);
            case VIRTUAL_THREADS -> Tandem.virtualThreads();
            case PROCESSES ->
                Tandem.processes(n)
                        .forwardOutput(false)
                        .jvmOptions(bench.workerJvmOptions().toArray(String[]::new));
            case HYBRID ->
                Tandem.hybrid(Math.max(1, n / 2), n / Math.max(1, n / 2))
                        .forwardOutput(false)
                        .jvmOptions(bench.workerJvmOptions().toArray(String[]::new));
            case CLUSTER -> throw new IllegalArgumentException("the scaling experiment does not measure clusters");
        };
    }

    private void measure(Bench bench, Section s, Mode mode, int n, int tasks, long iterations, long millis)
            throws Exception {
        try (TaskPool pool = Bench.start(builder(bench, mode, n))) {
            for (String workload : WORKLOADS) {
                Task<Long> task = workload.equals("cpu") ? new Workloads.Cpu(iterations) : new Workloads.Io(millis);
                batch(pool, mode, n, tasks, task); // warm-up: start workers, compile the kernel
                List<Double> ms = new ArrayList<>();
                Load.Meter meter = Load.start();
                for (int r = 0; r < repeats(bench); r++) {
                    long t0 = System.nanoTime();
                    batch(pool, mode, n, tasks, task);
                    ms.add((System.nanoTime() - t0) / 1e6);
                }
                loads.put(mode.name() + "." + workload + "." + n, meter.stop());
                s.add(
                        "time." + mode.name() + "." + workload + "." + n,
                        modeLabel(mode) + ", " + workload + "-bound, " + workerCount(n) + ": batch time",
                        "ms",
                        ms,
                        Map.of(
                                "mode",
                                mode.name(),
                                "workload",
                                workload,
                                "workers",
                                n,
                                "tasks",
                                tasks,
                                "taskMillis",
                                millis));
            }
        }
    }

    /** Runs {@code tasks} copies of {@code task} on {@code n} workers of {@code pool} and waits for all. */
    private static void batch(TaskPool pool, Mode mode, int n, int tasks, Task<Long> task) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        if (mode == Mode.VIRTUAL_THREADS) {
            AtomicInteger next = new AtomicInteger();
            for (int w = 0; w < n; w++) {
                futures.add(pool.submit((Task<Long>) () -> {
                    long sum = 0;
                    while (next.getAndIncrement() < tasks) {
                        sum += task.call();
                    }
                    return sum;
                }));
            }
        } else {
            for (int i = 0; i < tasks; i++) {
                futures.add(pool.submit(task));
            }
        }
        for (Future<?> f : futures) {
            // the quiet limit first, so that no pace is measured inside the timed batch unless it is late
            if (!Pace.await(Pace.Limit.BATCH, ns -> done(f, ns))) {
                throw new TimeoutException("a batch of " + tasks + " tasks on " + n + " workers did not finish within "
                        + Pace.Limit.BATCH.quiet().toMinutes() + " minutes stretched by the machine's pace");
            }
            f.get(); // done: returns at once, or throws the task's failure
        }
    }

    /** {@return true once {@code f} is done (a failure included), false if not within {@code nanos}} */
    private static boolean done(Future<?> f, long nanos) throws InterruptedException {
        try {
            f.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** The series of the chart and verdict: Java modes and Python pools. */
    private static List<String[]> series() {
        List<String[]> out = new ArrayList<>();
        for (Mode m : MODES) {
            out.add(new String[] {"time." + m.name(), "Java " + modeLabel(m)});
        }
        out.add(new String[] {"py.threads", "Python threads"});
        out.add(new String[] {"py.processes", "Python processes"});
        return out;
    }

    /**
     * Adds speed-up metrics: median one-worker time over each N-worker sample, each bounded by what is
     * physically possible (N workers, and for CPU-bound work the cores): a median above it is an artefact.
     */
    static void speedups(Section s, List<Integer> ws) {
        speedups(s, ws, null);
    }

    /**
     * Adds speed-up metrics as {@link #speedups(Section, List)} does; with {@code gil} true, CPU-bound Python
     * threads are bounded by {@link PythonComparison#GIL_BOUND}, and so are their CPU seconds per wall second: above it, the
     * ratio contradicts the GIL (a baseline slowed by a neighbour, not parallelism), and is an artefact. Was: 1.86x
     * for CPU-bound Python threads under CPython 3.11's GIL, quoted with no flag.
     *
     * @param gil true if the Python that ran had its GIL on, false if off, null if unknown or no Python ran
     */
    static void speedups(Section s, List<Integer> ws, Boolean gil) {
        for (String[] series : series()) {
            for (String workload : WORKLOADS) {
                double base = s.median(series[0] + "." + workload + ".1");
                for (int n : ws) {
                    var m = s.metric(series[0] + "." + workload + "." + n);
                    if (m.isEmpty() || Double.isNaN(base)) {
                        continue;
                    }
                    String key = speedupKey(series[0], workload, n);
                    s.add(
                            key,
                            series[1] + ", " + workload + "-bound, " + workerCount(n) + ": speed-up",
                            "x",
                            m.get().samples().stream().map(t -> base / t).toList(),
                            m.get().params());
                    // n workers cannot run more than n times faster than one, nor CPU-bound work faster than the cores
                    int cores = Runtime.getRuntime().availableProcessors();
                    boolean underGil =
                            Boolean.TRUE.equals(gil) && series[0].equals("py.threads") && workload.equals("cpu");
                    if (underGil) {
                        s.atMost(key, PythonComparison.GIL_BOUND * (1 + SPEEDUP_TOLERANCE), PythonComparison.GIL_WHY);
                        s.atMost(
                                PythonComparison.parallelKey(series[0], workload, n),
                                PythonComparison.GIL_BOUND * (1 + SPEEDUP_TOLERANCE),
                                PythonComparison.GIL_WHY);
                        continue;
                    }
                    int bound = workload.equals("cpu") ? Math.min(n, cores) : n;
                    s.atMost(
                            key,
                            bound * (1 + SPEEDUP_TOLERANCE),
                            bound < n ? Section.count(cores, "core", "cores") : workerCount(n));
                }
            }
        }
    }

    static String speedupKey(String seriesKey, String workload, int n) {
        String base = seriesKey.startsWith("py.") ? "speedup." + seriesKey : seriesKey.replace("time.", "speedup.");
        return base + "." + workload + "." + n;
    }

    private void chart(Section s, List<Integer> ws) {
        ObjectNode o = Charts.base("Speed-up over one worker");
        Charts.twoGrids(o, "CPU-bound", "IO-bound", "51%", "30%");
        ArrayNode xs = o.putArray("xAxis");
        ArrayNode ys = o.putArray("yAxis");
        for (int g = 0; g < 2; g++) {
            Charts.valueAxis(xs.addObject().put("gridIndex", g), false, "workers", false)
                    .put("min", 0)
                    .put("max", ws.get(ws.size() - 1) + 0.5)
                    .put("interval", 1)
                    .put("nameGap", 22);
            Charts.valueAxis(ys.addObject().put("gridIndex", g), true, "speed-up (×)", false)
                    .put("min", 0);
        }
        for (int g = 0; g < 2; g++) {
            String workload = WORKLOADS.get(g);
            for (String[] series : series()) {
                List<double[]> pts = new ArrayList<>();
                for (int n : ws) {
                    pts.add(new double[] {n, s.median(speedupKey(series[0], workload, n))});
                }
                if (pts.stream().allMatch(p -> Double.isNaN(p[1]))) {
                    continue;
                }
                ObjectNode line = Charts.line(o, series[1], pts);
                line.put("xAxisIndex", g).put("yAxisIndex", g);
                if (series[1].startsWith("Python")) {
                    line.putObject("lineStyle").put("type", "dashed");
                }
            }
            List<double[]> ideal = new ArrayList<>();
            int cores = Runtime.getRuntime().availableProcessors();
            for (int n : ws) {
                ideal.add(new double[] {n, workload.equals("cpu") ? Math.min(n, cores) : n});
            }
            ObjectNode line = Charts.line(o, "ideal", ideal);
            line.put("xAxisIndex", g).put("yAxisIndex", g).put("symbol", "none");
            line.putObject("lineStyle").put("type", "dotted").put("color", "#999");
            line.putObject("itemStyle").put("color", "#999");
        }
        o.put("_height", 620);
        s.chart = o;
        s.chartCaption = "Median speed-up per mode (Java: solid, Python: dashed); dotted: the ideal on this machine "
                + "(CPU-bound work cannot beat the core count).";
    }

    /**
     * {@return why the load kept a CPU-bound speed-up of {@code workers} from showing, or null if it did not} The
     * verdict needs a speed-up above 0.7 of the workers' count; with fewer free CPUs it cannot show. A speed-up that
     * showed anyway was not kept from showing: was "too few to show a speed-up of 1.40×" of threads that measured
     * 1.93× in the table above the sentence.
     *
     * @param load the load while the mode ran its workers, or null if not measured
     * @param shown the speed-up measured, or NaN
     */
    static String contention(String mode, int workers, int cores, Load load, double shown) {
        double needed = 0.7 * Math.min(workers, cores);
        if (load == null || load.freeCpus() >= needed + 0.3 || shown >= needed) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "while %s ran %d CPU-bound workers, other processes took %s of %d CPUs (steal %s), leaving %s:"
                        + " too few to show a speed-up of %s",
                mode,
                workers,
                Units.num(load.othersCpus()),
                cores,
                Units.percent(load.steal()),
                Units.num(load.freeCpus()),
                Units.ratio(needed));
    }

    private void verdict(Section s, List<Integer> ws) {
        int cores = Runtime.getRuntime().availableProcessors();
        int nCpu = ws.stream().filter(n -> n <= cores).max(Integer::compare).orElse(1);
        int nMax = ws.get(ws.size() - 1);
        List<List<String>> rows = new ArrayList<>();
        for (String[] series : series()) {
            List<String> row = new ArrayList<>();
            row.add(series[1]);
            for (String workload : WORKLOADS) {
                for (int n : ws) {
                    row.add(s.ratio(speedupKey(series[0], workload, n)));
                }
            }
            rows.add(row);
        }
        List<String> cols = new ArrayList<>(List.of("mode"));
        for (String workload : WORKLOADS) {
            for (int n : ws) {
                cols.add(workload.toUpperCase(Locale.ROOT) + " x" + n);
            }
        }
        s.tables.add(new Table("Speed-up over one worker of the same mode (medians)", cols, rows));
        s.restsOn(
                speedupKey("time.THREADS", "cpu", nCpu),
                speedupKey("time.PROCESSES", "cpu", nCpu),
                speedupKey("time.THREADS", "io", nMax),
                speedupKey("time.VIRTUAL_THREADS", "io", nMax));
        for (String mode : List.of("THREADS", "PROCESSES")) {
            String why = contention(
                    modeLabel(Mode.valueOf(mode)),
                    nCpu,
                    cores,
                    loads.get(mode + ".cpu." + nCpu),
                    s.median(speedupKey("time." + mode, "cpu", nCpu)));
            if (why != null) {
                s.contended(why);
            }
        }

        double thrCpu = s.median(speedupKey("time.THREADS", "cpu", nCpu));
        double procCpu = s.median(speedupKey("time.PROCESSES", "cpu", nCpu));
        double thrIo = s.median(speedupKey("time.THREADS", "io", nMax));
        double pyThrCpu = s.median(speedupKey("py.threads", "cpu", nCpu));
        StringBuilder v = new StringBuilder();
        String thrKey = speedupKey("time.THREADS", "cpu", nCpu);
        String procKey = speedupKey("time.PROCESSES", "cpu", nCpu);
        v.append(String.format(
                Locale.ROOT, "CPU-bound, %d workers on %d cores: Java threads %s", nCpu, cores, s.ratio(thrKey)));
        if (!Double.isNaN(procCpu)) {
            v.append(String.format(Locale.ROOT, ", Java processes %s", s.ratio(procKey)));
        }
        v.append(". ");
        boolean noGil = !Double.isNaN(thrCpu)
                && !s.artefact(thrKey)
                && !s.artefact(procKey)
                && thrCpu > 0.7 * Math.min(nCpu, cores)
                && (Double.isNaN(procCpu) || thrCpu >= 0.85 * procCpu);
        if (noGil) {
            v.append(
                    "Java threads use every core for CPU-bound work: Java has no GIL, so in Java processes buy isolation, "
                            + "not CPU parallelism. ");
        } else {
            v.append("Threads did not reach the cores' speed-up here; the machine was likely busy (see the spreads). ");
        }
        v.append(String.format(
                Locale.ROOT,
                "IO-bound, %d workers: Java threads %s, virtual threads %s: blocking work scales with the "
                        + "number of workers, not cores, and virtual threads make many workers cheap. ",
                nMax,
                s.ratio(speedupKey("time.THREADS", "io", nMax)),
                s.ratio(speedupKey("time.VIRTUAL_THREADS", "io", nMax))));
        v.append(PythonComparison.verdict(s, python, nCpu, nMax));
        v.append("So for Java: threads for both CPU-bound (about one per core) and IO-bound work (virtual threads); "
                + "processes when isolation is worth their cost.");
        Outcome outcome = noGil && thrIo > 0.5 * nMax ? Outcome.SUPPORTED : Outcome.INCONCLUSIVE;
        s.verdict(outcome, v.toString());
        s.headline = String.format(
                Locale.ROOT,
                "CPU x%d: threads %s, processes %s; IO x%d: virtual %s%s",
                nCpu,
                s.ratio(speedupKey("time.THREADS", "cpu", nCpu)),
                s.ratio(speedupKey("time.PROCESSES", "cpu", nCpu)),
                nMax,
                s.ratio(speedupKey("time.VIRTUAL_THREADS", "io", nMax)),
                Double.isNaN(pyThrCpu)
                        ? ""
                        : "; Python CPU threads " + s.ratio(speedupKey("py.threads", "cpu", nCpu)) + " vs processes "
                                + s.ratio(speedupKey("py.processes", "cpu", nCpu)));
    }

    private static String workerCount(int n) {
        return Section.count(n, "worker", "workers");
    }
}
