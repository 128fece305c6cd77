package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns one run's measurements into a verdict. Pure: the same probe, trials, requirements (and
 * duel) give the same verdict, which is what the tests feed it.
 *
 * <h2>The rule: the fastest model, unless something rules it out</h2>
 * <ol>
 *   <li><b>What may run the task.</b> A measured risk (the task ended or hung its JVM, leaks, loads
 *       native code, or gave different results under threads than alone while being deterministic)
 *       or a stated requirement ({@code --isolate}, {@code --heap-per-task}) leaves only worker JVMs;
 *       a task that can take its JVM down, needs its own heap or races gets one task per JVM
 *       ({@code processes}, not a hybrid). {@code --max-latency} leaves the models whose p99 met it.</li>
 *   <li><b>The fastest of those</b>, by measured throughput, batched ({@code map}) or not.</li>
 *   <li><b>Unless within the noise.</b> Two models are told apart only when the spreads of their
 *       throughputs (five windows of each trial, or alternating rounds of a duel) do not overlap.
 *       Among models within the noise of the fastest, the cheaper wins: no worker JVM before a hybrid
 *       before one JVM per worker; for a task that mostly waits, virtual threads; for one that
 *       computes, one task per core at once (threads, worker JVMs, or a hybrid's JVMs times threads);
 *       one task per submit before {@code map}.</li>
 * </ol>
 * Every model that measured faster than the recommendation is listed in
 * {@link Advice.Verdict#decision()} with the reason and the numbers, so a CPU-bound task never gets
 * a slower model without one. Java has no global interpreter lock: threads already run Java code on
 * every core, so worker JVMs buy isolation, not parallelism. When the machine was busy while the
 * deciding models ran and they stayed within the noise, the verdict is marked inconclusive.
 * Each requirement is then removed in turn to report how it changed the verdict.
 */
final class Rules {
    static final long DEFAULT_WORKER_HEAP = 256L << 20;
    static final long BATCH_LATENCY_FLOOR = 50_000_000L;
    /** What a worker JVM holds beside its heap, when no worker JVM was measured. */
    static final long WORKER_BASE_BYTES = 48L << 20;

    /**
     * How far a model that does not suit the task must lead one that does before it is recommended: its
     * lower quartile at least this much above the other's upper quartile. Separated quartiles alone are
     * too weak a test for that: in CI (stop 17, six rounds each while another program burnt a CPU)
     * {@code virtual(8)} and {@code threads(2)}, which run a computing task on the same two cores, measured
     * 315/s (IQR 311-319) against 280/s (IQR 239-310).
     */
    static final double UNSUITED_MARGIN = 0.10;

    /** Why a verdict on a busy machine is inconclusive, as {@link Choice#doubt()} begins. */
    static final String BUSY_DOUBT = "other programs took CPU while they were measured";

    /** Why a verdict resting on single measurements is inconclusive, as {@link Choice#doubt()} begins. */
    static final String ONE_MEASUREMENT_DOUBT = "one measurement has no spread to rank them";

    final Advice.Probe probe;
    final List<Advice.Trial> trials;
    final Advice.Requirements req;
    final Advice.Machine machine;
    final int cores;
    final Comparisons cmp;

    /** How busy the machine was over the run as a whole (the report's banner), or null if not measured. */
    final Advice.MachineLoad runLoad;
    /** Which speed-ups over one thread are physically impossible: artefacts, never quoted. */
    final SpeedupBound speedups;

    Rules(
            Advice.Probe probe,
            List<Advice.Trial> trials,
            Advice.Requirements req,
            Advice.Machine machine,
            Trials.Duel duel,
            Advice.MachineLoad runLoad) {
        this.probe = probe;
        this.trials = trials;
        this.req = req;
        this.machine = machine;
        this.cores = machine.cores();
        this.runLoad = runLoad;
        this.speedups = new SpeedupBound(trials, baseline(), cores, probe.cpuShare(), probe.medianCallNanos());
        this.cmp = new Comparisons(duel, busy(runLoad), speedups::suspect);
    }

    static Advice.Verdict decide(
            Advice.Probe probe, List<Advice.Trial> trials, Advice.Requirements req, Advice.Machine machine) {
        return decide(probe, trials, req, machine, null);
    }

    static Advice.Verdict decide(
            Advice.Probe probe,
            List<Advice.Trial> trials,
            Advice.Requirements req,
            Advice.Machine machine,
            Trials.Duel duel) {
        return decide(probe, trials, req, machine, duel, null);
    }

    /**
     * The verdict of a run whose load as a whole was {@code runLoad}: when that was busy (the report opens
     * with the busy banner), no comparison of the run counts as taken on a quiet machine.
     */
    static Advice.Verdict decide(
            Advice.Probe probe,
            List<Advice.Trial> trials,
            Advice.Requirements req,
            Advice.Machine machine,
            Trials.Duel duel,
            Advice.MachineLoad runLoad) {
        return new Rules(probe, trials, req, machine, duel, runLoad).verdict();
    }

    // ---- facts -------------------------------------------------------------------------------

    boolean exits() {
        return probe.jvmEnded();
    }

    /** The probe had to kill a call that did not return: only a process can stop such a task. */
    boolean hangs() {
        return probe.jvmEnded() && probe.exitCode() < 0;
    }

    boolean leaks() {
        return probe.retainedBytesPerCall() >= Trials.LEAK_BYTES_PER_CALL;
    }

    boolean natives() {
        return !probe.nativeLibraries().isEmpty();
    }

    Optional<Advice.Trial> racyTrial() {
        return probe.deterministic()
                ? trials.stream().filter(t -> t.resultsDiffering() > 0).findFirst()
                : Optional.empty();
    }

    double cpuShare() {
        return probe.cpuShare() < 0 ? 1 : probe.cpuShare();
    }

    boolean blocking() {
        return cpuShare() < 0.5;
    }

    boolean tiny() {
        return probe.medianCallNanos() >= 0 && probe.medianCallNanos() < Trials.TINY_TASK_NANOS;
    }

    /** {@return true if {@code t} gave a figure: it ran and completed tasks (else it is a failed measurement)} */
    static boolean measured(Advice.Trial t) {
        return t != null && t.ran() && TrialFailures.failedMeasurement(t) == null;
    }

    Advice.Trial find(Predicate<Advice.Trial> p) {
        return trials.stream().filter(p).filter(Rules::measured).findFirst().orElse(null);
    }

    Advice.Trial planned(Predicate<Advice.Trial> p) {
        return trials.stream().filter(p).findFirst().orElse(null);
    }

    Advice.Trial threads1() {
        return find(t -> t.mode() == Mode.THREADS && t.workers() == 1 && !t.batched());
    }

    Advice.Trial threadsCores() {
        return find(t -> t.mode() == Mode.THREADS && t.workers() == cores && !t.batched());
    }

    Advice.Trial bestThreads() {
        return trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode() == Mode.THREADS && !t.batched())
                .max(Comparator.comparingDouble(Advice.Trial::throughput))
                .orElse(null);
    }

    Advice.Trial virtual() {
        return find(t -> t.mode() == Mode.VIRTUAL_THREADS && !t.batched());
    }

    Advice.Trial processes() {
        return trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode() == Mode.PROCESSES && !t.batched())
                .max(Comparator.comparingInt(Advice.Trial::workers))
                .orElse(null);
    }

    Advice.Trial processes1() {
        return find(t -> t.mode() == Mode.PROCESSES && t.workers() == 1 && !t.batched());
    }

    Advice.Trial hybrid() {
        return find(t -> t.mode() == Mode.HYBRID && !t.batched());
    }

    Advice.Trial mapFor(Mode mode) {
        return find(t -> t.mode() == mode && t.batched());
    }

    Advice.Trial baseline() {
        Advice.Trial t1 = threads1();
        return t1 != null ? t1 : processes1();
    }

    /**
     * {@return true if {@code a} displaces {@code b} from the choice: it beats it and, if {@code a} does not
     * suit the task while {@code b} does, the two were compared on a quiet machine and {@code a} leads by
     * {@link #UNSUITED_MARGIN} beyond the quartiles}
     * On a busy machine such a lead is not trusted: how other programs' load falls on a trial's threads
     * (in CI, a computing task's {@code threads(2)} with two callers against {@code virtual(8)} with eight,
     * at load 7.7: 1,338-1,732/s against 2,398-2,825/s) decides it more than the model does.
     */
    boolean displaces(Advice.Trial a, Advice.Trial b) {
        if (!cmp.beats(a, b)) {
            return false;
        }
        return suitability(a) <= suitability(b) || !cmp.untrusted(a, b) && cmp.leadsBy(UNSUITED_MARGIN, a, b);
    }

    /**
     * {@return a trial's throughput as the table shows it: one source for every figure a verdict quotes,
     * the duel's rounds being quoted separately, as the side-by-side measurement}
     */
    double speed(Advice.Trial t) {
        return t.throughput();
    }

    // ---- the choice --------------------------------------------------------------------------

    /** A model, the trial it rests on, and why it was chosen over faster ones. */
    record Choice(
            Mode mode,
            int workers,
            int threadsPerWorker,
            boolean batch,
            Advice.Trial basis,
            Advice.Trial fastest,
            List<String> latencyNotes,
            List<String> decision,
            boolean inconclusive,
            String doubt) {
        String label() {
            return Trials.label(mode, workers, threadsPerWorker, 0, false) + (batch ? " + map()" : "");
        }
    }

    boolean needsIsolation(Advice.Requirements r) {
        return exits() || leaks() || natives() || racyTrial().isPresent() || r.isolate() || r.heapPerTaskBytes() > 0;
    }

    /** One task per worker JVM: a task that takes its JVM down, needs its own heap or races. */
    boolean onePerJvm(Advice.Requirements r) {
        return r.heapPerTaskBytes() > 0 || exits() || racyTrial().isPresent();
    }

    /**
     * {@return true if a measured risk or stated requirement other than a race needs a process boundary}
     * A race alone does not: one thread cannot race with itself.
     */
    boolean needsBoundary(Advice.Requirements r) {
        return exits() || leaks() || natives() || r.isolate() || r.heapPerTaskBytes() > 0;
    }

    /** {@return true if {@code t} runs one task at a time in the caller's JVM: a task that races cannot race there} */
    static boolean oneAtATime(Advice.Trial t) {
        return t.mode() == Mode.THREADS && t.workers() == 1;
    }

    /** {@return why {@code t} may not run the task under {@code r}, or null if it may} */
    String ruledOut(Advice.Trial t, Advice.Requirements r) {
        if (!t.mode().isolated() && needsBoundary(r)) {
            return "it runs tasks in the caller's JVM, and " + isolationReason(r, false);
        }
        if (!t.mode().isolated() && racyTrial().isPresent() && !oneAtATime(t)) {
            return "it runs tasks concurrently in the caller's JVM, and " + isolationReason(r);
        }
        if (leaks() && t.mode().isolated() && t.batched()) {
            return "the task retains " + Units.bytes(probe.retainedBytesPerCall()) + " per call and map() sends a"
                    + " whole batch of inputs as one worker task, so maxTasksPerWorker cannot bound what a batch retains";
        }
        if (onePerJvm(r) && t.mode() == Mode.HYBRID) {
            return "it runs several tasks in one worker JVM, and " + isolationReason(r)
                    + ", which would take those tasks down together";
        }
        return null;
    }

    /** {@return the first measured risk or stated requirement that needs a process boundary, in words} */
    String isolationReason(Advice.Requirements r) {
        return isolationReason(r, true);
    }

    /** {@return as {@link #isolationReason(Advice.Requirements)}, leaving out a race unless {@code race}} */
    String isolationReason(Advice.Requirements r, boolean race) {
        Advice.Trial racy = race ? racyTrial().orElse(null) : null;
        if (hangs()) {
            return "a call did not return in the probe (" + probe.endedHow() + ")";
        } else if (exits()) {
            return "the task ended its JVM in the probe (" + probe.endedHow() + ")";
        } else if (leaks()) {
            return "the task retains " + Units.bytes(probe.retainedBytesPerCall()) + " per call";
        } else if (natives()) {
            return "the task loads native code (" + probe.nativeLibraries().getFirst() + ")";
        } else if (racy != null) {
            return "results under " + racy.label() + " differed from the single-thread run for "
                    + racy.resultsDiffering() + " of " + racy.resultsCompared() + " inputs";
        } else if (r.heapPerTaskBytes() > 0) {
            return "--heap-per-task " + Units.bytes(r.heapPerTaskBytes()) + " needs a JVM of its own per task";
        }
        return "--isolate asks for tasks outside the caller's JVM";
    }

    /** The trials that may run the task under {@code r}; with {@code latency}, only those that met --max-latency (if any did). */
    List<Advice.Trial> allowed(Advice.Requirements r, boolean latency) {
        // A model whose tasks failed when measured again side by side is left out. One that only completed nothing
        // in time there is not ranked by that duel (it compares nothing, see Comparisons.dueled) but keeps its
        // trial: dropping it made the verdict call the other side "the only model measured" beside its own table.
        // The verdict is inconclusive instead (decide's doubt).
        List<Advice.Trial> fit = trials.stream()
                .filter(Rules::measured)
                .filter(t -> ruledOut(t, r) == null && !cmp.failedForRealSideBySide(t))
                .toList();
        // a model whose tasks failed (other than by the trial's own timeout, or by ending a worker JVM that was
        // replaced) is allowed only if every model's did
        List<Advice.Trial> sound = fit.stream()
                .filter(t -> TrialFailures.uncontained(t, exits()) == 0)
                .toList();
        List<Advice.Trial> ok = sound.isEmpty() ? fit : sound;
        if (latency && r.maxLatencyNanos() > 0) {
            // map() holds each result until its batch (about 20 ms) is done: too late for a tighter limit
            List<Advice.Trial> timely = ok.stream()
                    .filter(t -> !t.batched() || r.maxLatencyNanos() >= BATCH_LATENCY_FLOOR)
                    .toList();
            List<Advice.Trial> met = timely.stream()
                    .filter(t -> t.batched() || (t.p99Nanos() >= 0 && t.p99Nanos() <= r.maxLatencyNanos()))
                    .toList();
            return met.isEmpty() ? timely : met;
        }
        return ok;
    }

    /**
     * {@return true if {@code r} states a --max-latency that no model allowed to run the task met: then the models the
     * figures do not rank are taken closest to it first ({@link Preferred#why})}
     */
    boolean latencyDecides(Advice.Requirements r) {
        return r.maxLatencyNanos() > 0
                && allowed(r, true).stream()
                        .noneMatch(t -> !t.batched() && t.p99Nanos() >= 0 && t.p99Nanos() <= r.maxLatencyNanos());
    }

    Advice.Trial fastest(List<Advice.Trial> ts) {
        return ts.stream().max(Comparator.comparingDouble(this::speed)).orElse(null);
    }

    /**
     * What suits the task first (virtual threads for a task that mostly waits, one thread or worker per
     * core for one that computes), then the cheaper: no worker JVM, then a hybrid, then one JVM per
     * worker; one task per submit before {@code map}.
     */
    Comparator<Advice.Trial> preference() {
        return rank().thenComparing(Comparator.comparingDouble(this::speed).reversed());
    }

    /** {@return {@link #preference()} without the figures: what suits the task, then the cost, then one per submit} */
    private Comparator<Advice.Trial> rank() {
        Comparator<Advice.Trial> byCost =
                Comparator.comparingInt(t -> t.mode() == Mode.PROCESSES ? 2 : t.mode() == Mode.HYBRID ? 1 : 0);
        Comparator<Advice.Trial> bySuit = Comparator.comparingInt(t -> suitability(t));
        return bySuit.thenComparing(byCost).thenComparing(Advice.Trial::batched);
    }

    /** {@return true if the rule prefers {@code a} to {@code b} whatever their figures, so a tie leaves {@code a}} */
    boolean favours(Advice.Trial a, Advice.Trial b) {
        return rank().compare(a, b) < 0;
    }

    /**
     * {@return true if {@code chosen}'s place before {@code t} rests on figures that a busy machine does not
     * settle: they were taken while other programs took CPU, and either {@code chosen} does not beat {@code t}
     * or, where only the figures put it first, its lead is within {@link #UNSUITED_MARGIN} at the quartiles}
     */
    boolean busyNearTie(Advice.Trial chosen, Advice.Trial t) {
        return t != chosen
                && cmp.busy(chosen, t)
                && (!cmp.beats(chosen, t) || !favours(chosen, t) && !cmp.leadsBy(UNSUITED_MARGIN, chosen, t));
    }

    /** {@return 0 if the model suits the task (see {@link #preference()}), 1 if not} */
    int suitability(Advice.Trial t) {
        if (oneAtATime(t) && racyTrial().isPresent()) {
            return 0; // the one model in this JVM that a task that races may use
        }
        if (blocking()) {
            return t.mode() == Mode.VIRTUAL_THREADS ? 0 : 1;
        }
        // one task per core at once (Preferred.COMPUTES_SUITS): was workers alone, so hybrid(1x2) "did not suit"
        // or as many worker JVMs as --heap-per-task fits: processes(1) "did not suit" where one 12 GiB heap fits
        int slots = t.mode().isolated() ? Math.min(cores, workersThatFit(req)) : cores;
        return t.mode() != Mode.VIRTUAL_THREADS && SpeedupBound.atOnce(t) == slots ? 0 : 1;
    }

    Choice choose(Advice.Requirements r) {
        List<Advice.Trial> allowed = allowed(r, true);
        List<String> decision = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (allowed.isEmpty()) {
            return ProbeOnly.choose(this, r, notes);
        }
        // The models no allowed model measured clearly faster, each pair by one method ("within the noise" is not
        // transitive); a figure the duel contradicts puts no model behind a third (PassedOver.contradictedLead).
        List<Advice.Trial> unbeaten = allowed.stream()
                .filter(t -> allowed.stream()
                        .noneMatch(o -> o != t && displaces(o, t) && PassedOver.contradictedLead(this, o, t) == null))
                .toList();
        if (unbeaten.isEmpty()) {
            unbeaten = List.of(fastest(allowed));
        }
        Advice.Trial fastest = fastest(unbeaten);
        Advice.Trial byRule = unbeaten.stream().min(preference()).orElse(fastest);
        // a stated limit that no model met decides among the models the figures do not rank, before what suits the
        // task: virtual(764) at p99 238 ms was once recommended against a --max-latency of 25 ms over threads(191)
        // at 81.6 ms, within the noise of it on tasks/s
        Advice.Trial chosen = latencyDecides(r)
                ? unbeaten.stream()
                        .min(Comparator.comparingLong(LatencyNotes::p99OrMax).thenComparing(preference()))
                        .orElse(byRule)
                : byRule;
        Preferred preferred = new Preferred(this);
        if (chosen != fastest && cmp.beats(fastest, chosen)) {
            decision.add(fastest.label() + " measured " + speedups.rate(fastest) + " against "
                    + chosen.label() + "'s " + speedups.rate(chosen) + ", but "
                    + new Reasons(this).shortLead(fastest, chosen)
                    + ", so " + preferred.why(chosen, fastest));
        } else if (chosen != fastest) {
            decision.add(fastest.label() + " measured " + speedups.rate(fastest)
                    + (Comparisons.samePrinted(fastest, chosen)
                            ? ", as " + chosen.label() + " did"
                            : " against " + chosen.label() + "'s " + speedups.rate(chosen))
                    + ", but "
                    + (cmp.thin(fastest, chosen) ? "not told apart" : "within the noise") + " ("
                    + cmp.tie(fastest, chosen) + "), so " + preferred.why(chosen, fastest));
        }
        if (chosen != byRule && byRule != fastest) {
            decision.add(new LatencyNotes(this).closer(r, chosen, byRule, preferred));
        }
        if (suitability(chosen) > 0 && chosen == byRule) {
            String head = chosen.label() + " does not suit a task that "
                    + (blocking()
                            ? "mostly waits (virtual threads do)"
                            : "computes (" + Preferred.COMPUTES_SUITS + " does)")
                    + ", but it measured " + speedups.rate(chosen);
            List<Advice.Trial> unmeasuredSuited = ProbeOnly.notMeasured(this, r).stream()
                    .filter(t -> suitability(t) == 0)
                    .toList();
            String missing = unmeasuredSuited.isEmpty() ? "" : ProbeOnly.notMeasuredText(unmeasuredSuited);
            if (allowed.stream().anyMatch(t -> suitability(t) == 0)) {
                decision.add(head + " and every model that suits the task measured clearly slower:"
                        + " behind it by more than " + Math.round(UNSUITED_MARGIN * 100)
                        + "% at the quartiles, or behind another model" + (missing.isEmpty() ? "" : "; " + missing));
            } else {
                decision.add(head + ", and no model that suits the task was compared with it"
                        + (!missing.isEmpty()
                                ? ": " + missing
                                : trials.stream().anyMatch(t -> measured(t) && suitability(t) == 0)
                                        ? " (those that do were ruled out: see below)"
                                        : " (none could run it here)")
                        + "; so it is recommended as the " + (allowed.size() == 1 ? "only model" : "fastest model")
                        + " measured that may run the task, not for beating one that suits it");
            }
        }
        if (TrialFailures.uncontained(chosen, exits()) > 0) {
            decision.add(chosen.label() + " is recommended although " + TrialFailures.failuresText(chosen)
                    + ": every model that could run the task had failures");
        } else if (TrialFailures.contained(chosen, exits()) > 0) {
            decision.add(
                    chosen.label() + " lost " + Units.count(TrialFailures.contained(chosen, exits()), "task", "tasks")
                            + " with the worker JVMs the task ended, and replaced the workers ("
                            + TrialFailures.failuresText(chosen)
                            + "): that is the failure a process boundary contains, and why the task"
                            + " needs one; isolated models were compared on throughput");
        }
        if (racyTrial().isPresent() && oneAtATime(chosen)) {
            decision.add(chosen.label() + " may run a task that races: it runs one task at a time, and one thread"
                    + " cannot race with itself (" + isolationReason(r) + "); more threads need the race fixed"
                    + " or one task per worker JVM");
        }
        String doubt = Doubts.of(this, chosen, allowed, decision, preferred);
        boolean inconclusive = doubt != null;
        for (Advice.Trial t : allowed) {
            if (t != chosen
                    && t != fastest
                    && speed(t) > speed(chosen)
                    && cmp.beats(chosen, t)
                    && cmp.dueled(chosen, t)) {
                decision.add(t.label() + " measured " + speedups.rate(t) + " against " + chosen.label() + "'s "
                        + speedups.rate(chosen) + " in the table, but measured again side by side "
                        + chosen.label() + " was clearly faster (" + cmp.spread(chosen, t) + " against "
                        + cmp.spread(t, chosen)
                        + ")");
            }
        }
        PassedOver passed = new PassedOver(this, r);
        for (Advice.Trial t : trials) {
            if (!measured(t) || t == chosen || t == fastest || speed(t) <= speed(chosen)) {
                continue;
            }
            String why = passed.why(t, chosen);
            if (why != null) {
                decision.add(t.label() + " measured " + speedups.rate(t) + " against " + chosen.label() + "'s "
                        + speedups.rate(chosen) + ", but " + why);
            }
        }
        if (r.maxLatencyNanos() > 0) {
            new LatencyNotes(this).notes(r, chosen, allowed, notes);
        }
        // the count the Resources reason computes (processes(2), -Xmx12288m each, once stood beside "fits 1")
        int workers = chosen.workers();
        if (chosen.mode().isolated() && workersThatFit(r) < workers) {
            workers = workersThatFit(r);
            decision.add(RequirementEffects.heapCap(this, chosen, workers));
        }
        return new Choice(
                chosen.mode(),
                workers,
                chosen.threadsPerWorker(),
                chosen.batched(),
                chosen,
                fastest,
                notes,
                decision,
                inconclusive,
                doubt);
    }

    static boolean busy(Advice.Trial t) {
        return busy(t.load());
    }

    /** {@return true if other programs took CPU in this window: the one test of a busy machine here and in the interview} */
    static boolean busy(Advice.MachineLoad load) {
        return load != null && load.busy();
    }

    int workersThatFit(Advice.Requirements r) {
        if (r.heapPerTaskBytes() <= 0 || machine.memoryBytes() <= 0) {
            return cores;
        }
        Advice.Trial pc = processes();
        long base = pc != null && pc.meanWorkerRssBytes() > 0 ? pc.meanWorkerRssBytes() : WORKER_BASE_BYTES;
        return workersThatFit(r.heapPerTaskBytes(), base, machine.memoryBytes(), cores);
    }

    /**
     * {@return how many worker JVMs of {@code heap} each, beside {@code base} resident, fit in three quarters of
     * {@code memory}: at least 1, at most {@code cores}} The one count of the plan, the verdict and its reason.
     */
    static int workersThatFit(long heap, long base, long memory, int cores) {
        if (heap <= 0 || memory <= 0) {
            return cores;
        }
        return (int) Math.max(1, Math.min(cores, memory * 3 / 4 / (heap + base)));
    }

    long recycleAfter(Advice.Requirements r) {
        long heap = r.heapPerTaskBytes() > 0 ? r.heapPerTaskBytes() : DEFAULT_WORKER_HEAP;
        return Math.max(1, heap / 2 / Math.max(1, probe.retainedBytesPerCall()));
    }

    // ---- the verdict -------------------------------------------------------------------------

    private Advice.Verdict verdict() {
        Choice c = choose(req);
        Reasons words = new Reasons(this);
        List<Advice.Reason> reasons = new ArrayList<>();
        words.resources(c, reasons);
        words.concurrency(c, reasons);
        words.dataSharing(reasons);
        words.failure(c, reasons);
        words.structure(c, reasons);
        words.overhead(c, reasons);
        return new Advice.Verdict(
                c.mode(),
                c.workers(),
                c.threadsPerWorker(),
                c.batch(),
                new ExampleCode(this).of(c, req),
                words.summary(c),
                reasons,
                new RequirementEffects(this).of(c),
                words.warnings(),
                c.decision(),
                c.inconclusive());
    }
}
