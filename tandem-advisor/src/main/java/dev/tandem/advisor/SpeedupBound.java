package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;
import java.util.List;

/**
 * The most a model can physically run faster than one thread or one worker JVM: no more than the tasks it
 * runs at once, and for a task that computes no more than the cores can serve at its CPU share
 * (min(workers, cores) for a task that computes all the time), plus a tolerance of {@link #TOLERANCE}. A
 * speed-up above it is an artefact of the measurement (a baseline slowed by a neighbour, a burst of timing),
 * never a result: the same bound as the lab's scaling experiment ({@code ScalingExperiment.SPEEDUP_TOLERANCE},
 * {@code Section.atMost}). Immutable.
 */
final class SpeedupBound {
    /** How far above the physical bound a speed-up may lie before it is an artefact. */
    static final double TOLERANCE = 0.10;

    /** Fewer tasks than this in a trial measured in one window are too few to be a figure without saying so. */
    static final long FEW_TASKS = 100;

    private final List<Advice.Trial> trials;
    private final Advice.Trial base;
    private final int cores;
    private final double cpuShare;
    /**
     * The most a {@code map} trial's batches can gain over one task per submit: the baseline's time per task over
     * the task's own (the probe's median call), at least 1; infinite when either is unknown. Batches save the
     * per-task costs the baseline paid, never the task's own time: a 1.7 ms computing task ran 4.50× threads(1)
     * with map() on 2 cores, unflagged.
     */
    private final double batchGain;

    /**
     * @param trials the trials of a run
     * @param base the one-thread (or one-worker) trial speed-ups are measured against, or null
     * @param cores the machine's cores
     * @param cpuShare the task's CPU share from the probe, or negative if unknown
     */
    SpeedupBound(List<Advice.Trial> trials, Advice.Trial base, int cores, double cpuShare) {
        this(trials, base, cores, cpuShare, -1);
    }

    /**
     * @param taskNanos the task's own time, the probe's median call, or 0 or less if unknown (then a {@code map}
     *     trial is not bounded)
     */
    SpeedupBound(List<Advice.Trial> trials, Advice.Trial base, int cores, double cpuShare, long taskNanos) {
        this.trials = trials;
        this.base = base;
        this.cores = cores;
        this.cpuShare = cpuShare;
        this.batchGain = base == null || base.throughput() <= 0 || taskNanos <= 0
                ? Double.POSITIVE_INFINITY
                : Math.max(1, 1e9 / base.throughput() / taskNanos);
    }

    /** {@return {@code t}'s throughput over the baseline's, or NaN} */
    double speedup(Advice.Trial t) {
        return base == null || !Rules.measured(t) || base.throughput() <= 0
                ? Double.NaN
                : t.throughput() / base.throughput();
    }

    /** {@return true if {@code t}'s speed-up over the baseline lies above {@link #of}: an artefact, never a result} */
    boolean artefact(Advice.Trial t) {
        return t != base && speedup(t) > bound(t);
    }

    /** {@return the first trial whose speed-up is an artefact, or null} */
    Advice.Trial first() {
        return trials.stream().filter(this::artefact).findFirst().orElse(null);
    }

    /** {@return true if {@code t}'s windows cannot rank it: its speed-up is an artefact, or it is the baseline of one} */
    boolean suspect(Advice.Trial t) {
        return artefact(t) || t == base && first() != null;
    }

    /** {@return why {@code t}'s speed-up is not quoted, in words} */
    String text(Advice.Trial t) {
        return t.label() + "'s speed-up over " + base.label() + " lies above the " + bound(t, "")
                + ": an artefact of the measurement (a slowed baseline or a timing burst), not a result";
    }

    /**
     * {@return {@code t}'s figure flagged where a sentence quotes it: "557/s (an artefact: above the 1.10× over
     * threads(1) that 1 task at once allows)", or the plain figure when it is none} A reason never rests on a
     * figure the report calls an artefact without saying so in the same sentence.
     */
    String rate(Advice.Trial t) {
        return Units.rate(t.throughput()) + (flag(t).isEmpty() ? "" : " (" + flag(t) + ")");
    }

    /**
     * {@return the flags of a figure: "an artefact: above the 1.10× over threads(1) that ...", "one window of 3 tasks
     * in 2.22 ms", both, or ""} A verdict once said "threads(2) measured fastest at 1,354/s" of 3 tasks in 2 ms.
     */
    String flag(Advice.Trial t) {
        String few = few(t);
        String art = artefact(t) ? "an artefact: above the " + bound(t, " over " + base.label()) : "";
        return art.isEmpty() ? few : few.isEmpty() ? art : art + "; " + few;
    }

    /** {@return "one window of 3 tasks in 2.22 ms" when {@code t}'s figure rests on one window of few tasks, else ""} */
    static String few(Advice.Trial t) {
        if (!Rules.measured(t) || t.throughputSamples().size() >= 2 || t.completed() >= FEW_TASKS) {
            return "";
        }
        return "one window of " + Units.count(t.completed(), "task", "tasks") + " in "
                + Units.nanos((long) (t.seconds() * 1e9));
    }

    /** {@return the bound in words, its verb agreeing with its number: "1.10× that 1 task at once allows"} */
    private String bound(Advice.Trial t, String over) {
        String why = why(t, cores, cpuShare);
        return Units.ratio(bound(t)) + over + " that " + why + (why.startsWith("1 ") ? " allows" : " allow")
                + (t.batched()
                        ? ", times the " + Units.ratio(batchGain) + " that map()'s batches can gain (" + base.label()
                                + "'s time per task over the task's own)"
                        : "");
    }

    /** {@return {@code t}'s bound: {@link #of}, and for a {@code map} trial the same times {@link #batchGain}} */
    double bound(Advice.Trial t) {
        if (!t.batched() || Double.isInfinite(batchGain)) {
            return of(t, cores, cpuShare);
        }
        return Math.max(1, parallel(t, cores, cpuShare)) * batchGain * (1 + TOLERANCE);
    }

    /**
     * {@return the bound of {@code t}'s speed-up over one thread; infinite for a {@code map} trial, whose
     * batches save per-task costs the one-thread baseline paid} The cores bound only a task that computes (a
     * CPU share of at least a half): the probe's share of a task that mostly waits is too small a number to
     * divide by.
     *
     * @param cpuShare the task's CPU share from the probe, or negative if unknown (then only the tasks at once
     *     bound it)
     */
    static double of(Advice.Trial t, int cores, double cpuShare) {
        if (t.batched()) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.max(1, parallel(t, cores, cpuShare)) * (1 + TOLERANCE);
    }

    /** {@return how many of {@code t}'s tasks can run at once: its slots, and for a computing task the cores} */
    private static double parallel(Advice.Trial t, int cores, double cpuShare) {
        return cpuShare >= 0.5 ? Math.min(atOnce(t), cores / cpuShare) : atOnce(t);
    }

    /** {@return what the bound of {@link #of} comes from, in words: "2 cores" or "8 tasks at once"} */
    static String why(Advice.Trial t, int cores, double cpuShare) {
        int atOnce = atOnce(t);
        if (cpuShare >= 0.5 && cores / cpuShare < atOnce + 0.5) { // the cores bind
            return Units.count(cores, "core", "cores")
                    + (cpuShare < 0.95 ? " at the task's " + Units.percent(cpuShare) + " CPU" : "");
        }
        return Units.count(atOnce, "task", "tasks") + " at once";
    }

    /** {@return the tasks {@code t} runs at once: its callers for virtual threads (unbounded if not known), else its slots} */
    static int atOnce(Advice.Trial t) {
        if (t.mode() == Mode.VIRTUAL_THREADS) {
            return t.concurrency() > 0 ? t.concurrency() : Integer.MAX_VALUE;
        }
        return t.workers() * t.threadsPerWorker();
    }
}
