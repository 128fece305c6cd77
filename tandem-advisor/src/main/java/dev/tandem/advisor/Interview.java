package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code tandem advise --interactive}: a short questionnaire for someone without runnable code yet,
 * answered with a verdict that uses this machine's measured costs ({@link CostProbe}), not
 * constants.
 *
 * <p>The questions and how their answers are read are the {@link Questionnaire}'s; this class turns
 * the answers into a verdict. Stateless.
 */
final class Interview {
    /** Estimates below this ratio of each other are too close to tell apart: the cheaper model wins. */
    static final double TIE = 1.10;

    /**
     * The recycling bound the questionnaire's code shows for a task that may leak: it has no leak to measure, so
     * the reason beside it says how to choose one (the measured path computes it: {@code Rules.recycleAfter}).
     */
    static final int RECYCLE_GUESS = 1000;

    /** The heap cap, MiB, the questionnaire's code gives each worker JVM of a task that needs one: a worker's default. */
    static final long HEAP_GUESS_MIB = Rules.DEFAULT_WORKER_HEAP >> 20;

    private Interview() {}

    /**
     * The answers.
     *
     * @param cpuShare share of a task's time on the CPU, 0 to 1
     * @param taskNanos typical time of one task
     * @param inFlight tasks that should run at once
     * @param sharedBytes data all tasks read
     * @param mutableShared tasks update state that other tasks must see
     * @param crashRisk a task may crash or end the JVM (native code, System.exit)
     * @param leakRisk a task may leak memory, or needs a heap cap of its own
     * @param untrustedOrUnsafe the code is untrusted or not thread-safe
     * @param maxLatencyNanos the latency limit per task, or 0
     */
    record Answers(
            double cpuShare,
            long taskNanos,
            int inFlight,
            long sharedBytes,
            boolean mutableShared,
            boolean crashRisk,
            boolean leakRisk,
            boolean untrustedOrUnsafe,
            long maxLatencyNanos) {}

    /**
     * One model as the questionnaire sees it: its estimated throughput from the measured costs.
     *
     * @param cpuPerTaskNanos the CPU a task needs at least: its computing plus an empty task's hand-off
     * @param capped the estimate is what the cores can do, below what the parallelism alone would give
     */
    private record Estimate(
            Mode mode,
            int workers,
            int threadsPerWorker,
            long roundTripNanos,
            double perSecond,
            double cpuPerTaskNanos,
            boolean capped) {
        Estimate(Mode mode, int workers, int threadsPerWorker, long roundTripNanos, double perSecond) {
            this(mode, workers, threadsPerWorker, roundTripNanos, perSecond, 0, false);
        }

        String label() {
            return Trials.label(mode, workers, threadsPerWorker, 0, false);
        }
    }

    /**
     * The verdict for these answers, with reasons citing the measured costs. The same rule as for a
     * measured task ({@link Rules}): the fastest model, estimated from this machine's round trips and
     * the task's length and CPU share, unless a stated risk rules it out; within {@link #TIE} of each
     * other, the cheaper model.
     */
    static Advice.Verdict verdict(Answers a, CostProbe.Costs c, Advice.Machine m) {
        int cores = m.cores();
        boolean blocking = a.cpuShare() < 0.5;
        // a heap cap of its own (or a leak held under one) is a JVM per task: a hybrid's tasks would share the heap
        boolean onePerJvm = a.crashRisk() || a.untrustedOrUnsafe() || a.leakRisk();
        boolean isolate = onePerJvm || a.leakRisk();
        // One rule for every share of CPU: about cores / share tasks at once keep the cores busy (the
        // estimate's own bound), so a pool gets that many workers, at least one per core. Was: below 50 %
        // threads and processes got up to inFlight, at 50 % and above one per core, so 50 % CPU gave
        // processes(2) on 2 cores, where 4 tasks half waiting fit.
        int fill = fill(a, cores);
        List<Estimate> all = new ArrayList<>();
        all.add(estimate(a, cores, Mode.THREADS, Math.min(fill, 256), 1, c.threadRoundTripNanos()));
        all.add(estimate(a, cores, Mode.VIRTUAL_THREADS, 0, 1, c.virtualRoundTripNanos()));
        if (c.processRoundTripNanos() > 0) {
            int procs = Math.min(fill, 4 * cores);
            all.add(estimate(a, cores, Mode.PROCESSES, procs, 1, c.processRoundTripNanos()));
            int p = Math.max(1, cores / 2);
            int t = Math.max(2, Math.min(256, (fill + p - 1) / p));
            all.add(estimate(a, cores, Mode.HYBRID, p, t, c.processRoundTripNanos()));
        }
        List<Estimate> allowed = all.stream()
                .filter(e -> !isolate || e.mode().isolated())
                .filter(e -> !onePerJvm || e.mode() != Mode.HYBRID)
                .toList();
        if (allowed.isEmpty()) { // processes unavailable: say so below, recommend what isolation needs
            allowed = List.of(new Estimate(Mode.PROCESSES, cores, 1, -1, 0));
        }
        Estimate fastest = allowed.stream()
                .max(Comparator.comparingDouble(Estimate::perSecond))
                .orElseThrow();
        Comparator<Estimate> cheaper = Comparator.comparingInt(
                        (Estimate e) -> e.mode() == Mode.PROCESSES ? 2 : e.mode() == Mode.HYBRID ? 1 : 0)
                .thenComparingInt(e -> blocking == (e.mode() == Mode.VIRTUAL_THREADS) ? 0 : 1);
        Estimate chosen = allowed.stream()
                .filter(e -> e.perSecond() * TIE >= fastest.perSecond())
                .min(cheaper.thenComparing(
                        Comparator.comparingDouble(Estimate::perSecond).reversed()))
                .orElse(fastest);
        Mode mode = chosen.mode();
        int workers = chosen.workers();
        int tpw = chosen.threadsPerWorker();
        long roundTrip = chosen.roundTripNanos();
        boolean batch = roundTrip > 0
                && a.taskNanos() < 20 * roundTrip
                && (a.maxLatencyNanos() == 0 || a.maxLatencyNanos() >= Rules.BATCH_LATENCY_FLOOR);
        String label = chosen.label();
        List<Advice.Reason> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> decision = new ArrayList<>();
        String unsettled = unsettled(a, c, cores, allowed, chosen, cheaper, decision);
        for (Estimate e : all) {
            if (e == chosen || e.perSecond() <= chosen.perSecond()) {
                continue;
            }
            String why = !allowed.contains(e)
                    ? (a.crashRisk()
                                    ? "a task can end its JVM"
                                    : a.untrustedOrUnsafe()
                                            ? "the code is untrusted or not thread-safe"
                                            : "a task can leak or needs its own heap cap")
                            + (e.mode() == Mode.HYBRID ? ", and a hybrid runs several tasks in one worker JVM" : "")
                    : "it is within " + Units.percent(TIE - 1) + " of " + label + " (an estimate from this machine's"
                            + " costs), and " + label + " costs less";
            decision.add(e.label() + " would complete about " + tasksPer(e.perSecond()) + " against " + label + "'s "
                    + tasksPer(chosen.perSecond()) + " (estimates), but " + why);
        }

        String rss = Units.bytes(c.workerRssBytes());
        reasons.add(new Advice.Reason(
                Advice.Angle.RESOURCES,
                fill > cores
                        ? (a.cpuShare() > 0
                                        ? "tasks compute " + share(a.cpuShare()) + " of the time and wait the rest, so "
                                                + Units.count(cores, "core serves", "cores serve") + " about "
                                                + Units.count(fill, "task", "tasks") + " at once"
                                        : "tasks only wait (0% CPU), so the cores set no bound on how many run at once:"
                                                + " all " + Units.count(fill, "task", "tasks") + " in flight do, and"
                                                + " only each hand-off's CPU limits the rate")
                                + "; each worker JVM here holds " + rss
                                + " resident when idle, a thread none of that."
                        : "tasks compute: " + Units.count(cores, "core runs", "cores run") + " " + cores
                                + " at once, and Java threads already use every core (no GIL: processes buy isolation,"
                                + " not CPU parallelism), so worker JVMs would add " + rss
                                + " each (measured, idle) without adding speed."));
        reasons.add(new Advice.Reason(
                Advice.Angle.CONCURRENCY,
                Units.count(a.inFlight(), "task", "tasks") + " in flight, "
                        + share(1 - a.cpuShare()) + " of their time waiting: starting a virtual thread took "
                        + Units.nanos(c.virtualStartNanos()) + " here against " + Units.nanos(c.threadStartNanos())
                        + " for a platform thread, and a blocked virtual thread frees its carrier"
                        + (mode == Mode.VIRTUAL_THREADS
                                ? ", so virtual threads carry that many waiting tasks cheaply."
                                : a.cpuShare() <= 0
                                        ? "; at 0% CPU the cores set no bound, so all of them may run at once."
                                        : fill > cores
                                                ? "; about " + String.format(Locale.ROOT, "%,d", fill)
                                                        + " at once keep the "
                                                        + Units.count(cores, "core", "cores")
                                                        + " busy, and more gain nothing."
                                                : "; computing tasks gain nothing from more threads than cores.")
                        + (a.cpuShare() <= 0
                                ? " Assumed: what the tasks wait on serves all of them at once; if it serves fewer (a"
                                        + " connection pool, a rate limit), that is the bound, and the pool need not"
                                        + " be larger."
                                : "")));
        reasons.add(new Advice.Reason(Advice.Angle.DATA_SHARING, SharedData.reason(a, c, mode, isolate, warnings)));
        reasons.add(new Advice.Reason(
                Advice.Angle.FAILURE,
                a.crashRisk()
                        ? "a task that crashes or calls System.exit ends every thread of its JVM, your application included;"
                                + " a process pool replaces just that worker, which takes about "
                                + Units.nanos(c.processStartNanos())
                                + " here (measured start of a worker JVM)."
                        : a.leakRisk()
                                ? "a leak in one JVM grows until OutOfMemoryError takes everything down; worker JVMs have their own"
                                        + " heap caps (jvmOptions(\"-Xmx" + HEAP_GUESS_MIB
                                        + "m\")) and are replaced after"
                                        + " maxTasksPerWorker tasks, each"
                                        + " replacement costing about " + Units.nanos(c.processStartNanos())
                                        + " here. The "
                                        + RECYCLE_GUESS
                                        + " in the code below is a starting point, not a measurement: pick N"
                                        + " so that N times what one task leaks stays under half a worker's heap;"
                                        + " tandem advise --task YourTask measures the leak and computes N."
                                : a.untrustedOrUnsafe()
                                        // the verdict's own why: "nothing you describe needs a process boundary" once
                                        // stood
                                        // under "Use processes(2): untrusted or non-thread-safe code needs a JVM of its
                                        // own"
                                        ? "untrusted or non-thread-safe code can fail in ways no catch block contains (a"
                                                + " corrupted static, System.exit, an exhausted heap): one task per worker JVM"
                                                + " keeps each failure to its worker, which the pool replaces in about "
                                                + Units.nanos(c.processStartNanos())
                                                + " here (measured start of a worker JVM)."
                                        : "nothing you describe needs a process boundary: an exception in a task fails only its Future"
                                                + " in every model, and a worker JVM ("
                                                + Units.nanos(c.processStartNanos())
                                                + " to start here) would buy nothing."));
        reasons.add(new Advice.Reason(
                Advice.Angle.STRUCTURE,
                a.untrustedOrUnsafe()
                        ? "untrusted or non-thread-safe code gets a JVM of its own per task in processes(n); Java has no"
                                + " SecurityManager any more, so a process (plus OS limits) is the smallest boundary. The code"
                                + " stays the same TaskPool calls either way."
                        : "with Tandem the code is the same TaskPool in every model (moving from " + label + " to "
                                + (mode.isolated() ? "threads(n)" : "processes(n)")
                                + " later is one line), but shared state must be thread-safe under"
                                + " threads and is copied under processes."));
        String rt =
                "an empty task's round trip measured " + Units.nanos(c.threadRoundTripNanos()) + " through threads(1), "
                        + Units.nanos(c.virtualRoundTripNanos()) + " through virtual threads, "
                        + (c.processRoundTripNanos() > 0
                                ? Units.nanos(c.processRoundTripNanos()) + " through processes(1)"
                                : "processes unavailable (" + c.processError() + ")")
                        + " (steady state, as the lab measures it); against a " + Units.nanos(a.taskNanos())
                        + " task the chosen model's hand-off is "
                        + (roundTrip > 0 ? share(Math.min(1, (double) roundTrip / a.taskNanos())) : "n/a")
                        + (batch ? ", so batch with pool.map(fn, inputs)" : "");
        reasons.add(new Advice.Reason(Advice.Angle.OVERHEAD, rt + "."));

        List<String> effects = new ArrayList<>();
        if (a.maxLatencyNanos() > 0) {
            long floor = roundTrip > 0 ? a.taskNanos() + roundTrip : a.taskNanos();
            if (floor > a.maxLatencyNanos()) {
                effects.add("a latency of " + Units.nanos(a.maxLatencyNanos()) // the answer to question 9, not a flag
                        + " cannot be met: the task plus one hand-off is already " + Units.nanos(floor)
                        + "; make tasks shorter");
            } else {
                effects.add("latency " + Units.nanos(a.maxLatencyNanos()) + ": task plus hand-off is about "
                        + Units.nanos(floor)
                        + (batch ? "" : "; batching stays off because map() holds results per batch"));
            }
            if (mode.isolated() && c.processStartNanos() > a.maxLatencyNanos()) {
                effects.add("a worker JVM takes " + Units.nanos(c.processStartNanos())
                        + " to start, more than the latency limit: start the pool before the first task and keep it"
                        + " running");
            }
        }
        String code = "try (TaskPool pool = "
                + switch (mode) {
                    case THREADS -> "Tandem.threads(" + workers + ")";
                    case VIRTUAL_THREADS -> "Tandem.virtualThreads()";
                    case PROCESSES -> "Tandem.processes(" + workers + ")";
                    case HYBRID -> "Tandem.hybrid(" + workers + ", " + tpw + ")";
                    case CLUSTER -> "Tandem.localCluster(1).perNode(" + workers + ", " + tpw + ")";
                }
                + (mode.isolated() && a.leakRisk()
                        ? "\n        .maxTasksPerWorker(" + RECYCLE_GUESS + ")\n        .jvmOptions(\"-Xmx"
                                + HEAP_GUESS_MIB + "m\")"
                        : "")
                + ".start()) {\n"
                + (batch ? "    List<R> results = pool.map(fn, inputs);\n" : "    Future<R> f = pool.submit(task);\n")
                + "}";
        String why = a.crashRisk()
                ? "a task can end its JVM, and only a process boundary contains that"
                : a.untrustedOrUnsafe()
                        ? "untrusted or non-thread-safe code needs a JVM of its own"
                        : a.leakRisk()
                                ? "leaks and heap caps are contained per worker JVM"
                                : mode == Mode.VIRTUAL_THREADS
                                        ? Units.count(a.inFlight(), "mostly waiting task", "mostly waiting tasks")
                                                + " at once fit virtual threads"
                                        : blocking
                                                ? "a few waiting tasks fit as many platform threads"
                                                : fill > cores
                                                        ? "tasks that wait " + share(1 - a.cpuShare())
                                                                + " of their time keep " + cores + " cores busy with"
                                                                + " about " + fill + " threads"
                                                        : "CPU-bound Java runs on every core with threads (Java has no GIL);"
                                                                + " processes would add " + rss + " per worker and "
                                                                + Units.nanos(c.processRoundTripNanos()) + " per task";
        String estimateText = chosen.perSecond() > 0
                // whose rate: "about 200/s" read as a rate the user had asked for; it is what the model would do
                ? " (" + label + " would complete about " + tasksPer(chosen.perSecond())
                        + ", an estimate from this machine's costs, not a measurement of your task"
                        + capText(a, cores, chosen) + ")"
                : "";
        return new Advice.Verdict(
                mode,
                workers,
                tpw,
                batch,
                code,
                "Use " + label + ": " + (unsettled == null ? "" : unsettled) + why + estimateText
                        + (batch ? "; batch tasks this short with map()" : "")
                        + (unsettled == null ? "" : "; " + Reasons.RERUN)
                        + ".",
                reasons,
                effects,
                warnings,
                decision,
                unsettled != null);
    }

    /**
     * Marks the verdict inconclusive as the advisor marks a measured one ({@link Rules}): when the
     * chosen model and an allowed contender are not told apart by the figures they rest on, and those
     * figures were taken while other programs took CPU or are noise. The figures decide a pair only when
     * the same model wins at both ends of their spreads (the chosen model's estimate at its round trip's
     * third quartile against the contender's at its first, and the other way round), winning as
     * {@link #verdict} decides: the faster beyond {@link #TIE}, else the cheaper.
     *
     * @return the prefix of an inconclusive summary, such as "inconclusive (machine busy): ", or null;
     *         each unsettled pair is added to {@code decision} with its figures and load
     */
    private static String unsettled(
            Answers a,
            CostProbe.Costs c,
            int cores,
            List<Estimate> allowed,
            Estimate chosen,
            Comparator<Estimate> cheaper,
            List<String> decision) {
        String prefix = null;
        for (Estimate e : allowed) {
            if (e == chosen) {
                continue;
            }
            double[] x = range(a, c, cores, chosen);
            double[] y = range(a, c, cores, e);
            CostProbe.Figure fx = c.figure(roundTripOf(chosen.mode()));
            CostProbe.Figure fy = c.figure(roundTripOf(e.mode()));
            // two models priced by the same round trip (processes and hybrids) move together with it
            boolean settled = fx == fy
                    ? wins(chosen, x[0], e, y[0], cheaper) == wins(chosen, x[1], e, y[1], cheaper)
                    : wins(chosen, x[0], e, y[1], cheaper) == wins(chosen, x[1], e, y[0], cheaper);
            if (settled || fx == null || fy == null) {
                continue;
            }
            boolean busy = Rules.busy(fx.load()) || Rules.busy(fy.load());
            if (!busy && !fx.noise() && !fy.noise()) {
                continue;
            }
            prefix = busy ? Reasons.INCONCLUSIVE_BUSY : Reasons.INCONCLUSIVE_NOISE;
            decision.add(chosen.label() + " and " + e.label() + " are not told apart by this machine's costs: their"
                    + " estimates span from " + Units.rate(x[0]) + " to " + Units.rate(x[1]) + " and from "
                    + Units.rate(y[0]) + " to " + Units.rate(y[1]) + " over the spreads of their round trips ("
                    + spread(fx) + ", "
                    + spread(fy) + "), and "
                    + (busy
                            ? "other programs took CPU while they were measured ("
                                    + (Rules.busy(fx.load()) ? fx.load() : fy.load()).description() + ")"
                            : "a round trip's spread is wider than half its median (noise)"));
        }
        return prefix;
    }

    /** {@return true if {@code x} at {@code rx} tasks/s wins over {@code y} at {@code ry}: the faster beyond the tie, else the cheaper} */
    private static boolean wins(Estimate x, double rx, Estimate y, double ry, Comparator<Estimate> cheaper) {
        if (rx * TIE >= ry && ry * TIE >= rx) {
            int c = cheaper.compare(x, y);
            return c != 0 ? c < 0 : rx >= ry;
        }
        return rx > ry;
    }

    /** {@return the estimate's tasks/s at the third and the first quartile of its round trip: low, high} */
    private static double[] range(Answers a, CostProbe.Costs c, int cores, Estimate e) {
        CostProbe.Figure f = c.figure(roundTripOf(e.mode()));
        if (f == null || e.roundTripNanos() < 0 || f.samples().isEmpty()) {
            return new double[] {e.perSecond(), e.perSecond()};
        }
        double low = estimate(a, cores, e.mode(), e.workers(), e.threadsPerWorker(), Math.round(f.q3()))
                .perSecond();
        double high = estimate(a, cores, e.mode(), e.workers(), e.threadsPerWorker(), Math.round(f.q1()))
                .perSecond();
        return new double[] {low, high};
    }

    private static String roundTripOf(Mode mode) {
        return switch (mode) {
            case THREADS -> CostProbe.ROUND_TRIP_THREADS;
            case VIRTUAL_THREADS -> CostProbe.ROUND_TRIP_VIRTUAL;
            case PROCESSES, HYBRID, CLUSTER -> CostProbe.ROUND_TRIP_PROCESSES;
        };
    }

    static String spread(CostProbe.Figure f) {
        if (f.samples().size() < 2) {
            return f.what() + " (one sample)";
        }
        return f.what() + " IQR from " + Units.nanos(Math.round(f.q1())) + " to " + Units.nanos(Math.round(f.q3()));
    }

    /**
     * {@return how many tasks at once keep {@code cores} busy: cores over the CPU share, rounded, at least
     * the cores and at most the tasks in flight (when those exceed the cores); at 0 % CPU the tasks in flight,
     * since a task that only waits leaves the cores free however many wait} Was: the share was taken as at
     * least 1 %, so a task at 0 % (or 0.2 %) was held to 100 tasks per core, a cap of nothing the user said.
     */
    static int fill(Answers a, int cores) {
        double keep = a.cpuShare() > 0 ? Math.round(cores / a.cpuShare()) : Double.POSITIVE_INFINITY;
        return (int) Math.max(cores, Math.min(keep, a.inFlight()));
    }

    /** {@return the tasks at once the cores allow at this share: cores over the share, unbounded at 0 %} */
    private static double coresAllow(Answers a, int cores) {
        return a.cpuShare() > 0 ? cores / a.cpuShare() : Double.POSITIVE_INFINITY;
    }

    /**
     * {@return a share of time as people read it: "50%", and below 1 % or above 99 % with the digits that
     * tell it from 0 % and 100 % ("0.2%", "99.5%")}
     */
    static String share(double s) {
        double p = 100 * s;
        if (p == Math.rint(p) || (p > 1 && p < 99)) {
            return Units.percent(s);
        }
        BigDecimal exact = new BigDecimal(p);
        return (p < 1 ? exact.round(new MathContext(2)) : exact.setScale(2, RoundingMode.HALF_UP))
                        .stripTrailingZeros()
                        .toPlainString()
                + "%";
    }

    /**
     * {@return tasks per second a model would complete: its parallelism over the task plus one hand-off, but
     * never more than the cores can do, each task needing its own computing plus an empty task's hand-off of
     * CPU} Was uncapped: 23.7 million tasks/s on 2 cores for a 1 µs task that computes 1% of its time, where
     * the hand-off alone (7.4 µs) caps it near 270,000/s.
     */
    private static Estimate estimate(Answers a, int cores, Mode mode, int workers, int tpw, long roundTrip) {
        int slots = mode == Mode.VIRTUAL_THREADS ? a.inFlight() : workers * tpw;
        double parallel = Math.min(Math.min(slots, a.inFlight()), coresAllow(a, cores));
        double perTask = a.taskNanos() + Math.max(0, roundTrip);
        if (roundTrip < 0) {
            return new Estimate(mode, workers, tpw, roundTrip, 0);
        }
        double wanted = parallel * 1e9 / perTask;
        double cpu = a.cpuShare() * a.taskNanos() + roundTrip;
        double cores1e9 = cpu > 0 ? cores * 1e9 / cpu : Double.POSITIVE_INFINITY;
        return new Estimate(mode, workers, tpw, roundTrip, Math.min(wanted, cores1e9), cpu, wanted > cores1e9);
    }

    /** {@return an estimated rate of tasks: "399 tasks/s", "2.00 tasks/h"} */
    static String tasksPer(double perSecond) {
        return Units.rate(perSecond).replaceFirst("/", " tasks/");
    }

    /** {@return how an estimate was capped by the cores, in words, or "" when it was not} */
    private static String capText(Answers a, int cores, Estimate e) {
        if (!e.capped()) {
            return "";
        }
        return "; capped at what " + Units.count(cores, "core", "cores") + " can do: a task needs about "
                + Units.nanos(Math.round(e.cpuPerTaskNanos())) + " of CPU ("
                + share(a.cpuShare()) + " of its " + Units.nanos(a.taskNanos())
                + ", plus an empty task's hand-off of "
                + Units.nanos(e.roundTripNanos()) + ")";
    }
}
