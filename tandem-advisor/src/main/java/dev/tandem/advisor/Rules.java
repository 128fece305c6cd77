package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Stats;
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
 *       computes, a thread per core; one task per submit before {@code map}.</li>
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

    final Advice.Probe probe;
    final List<Advice.Trial> trials;
    final Advice.Requirements req;
    final Advice.Machine machine;
    final int cores;
    private final Trials.Duel duel;

    private Rules(
            Advice.Probe probe,
            List<Advice.Trial> trials,
            Advice.Requirements req,
            Advice.Machine machine,
            Trials.Duel duel) {
        this.probe = probe;
        this.trials = trials;
        this.req = req;
        this.machine = machine;
        this.cores = machine.cores();
        this.duel = duel;
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
        return new Rules(probe, trials, req, machine, duel).verdict();
    }

    /**
     * {@return the two trials whose order decides the verdict but whose measurements cannot tell them
     * apart, or were taken on a busy machine: the fastest allowed model and the cheaper one it would
     * otherwise give way to; empty if the decision is clear}
     */
    static Optional<Advice.Trial[]> contest(
            Advice.Probe probe, List<Advice.Trial> trials, Advice.Requirements req, Advice.Machine machine) {
        Rules r = new Rules(probe, trials, req, machine, null);
        List<Advice.Trial> allowed = r.allowed(req, true);
        if (allowed.size() < 2) {
            return Optional.empty();
        }
        Advice.Trial fastest = r.fastest(allowed);
        Advice.Trial cheap =
                allowed.stream().filter(t -> t != fastest).min(r.preference()).orElse(null);
        if (cheap == null || r.preference().compare(fastest, cheap) < 0) {
            return Optional.empty(); // the fastest is also the cheapest
        }
        boolean busy = (fastest.load() != null && fastest.load().busy())
                || (cheap.load() != null && cheap.load().busy());
        return busy || !r.separated(fastest, cheap)
                ? Optional.of(new Advice.Trial[] {fastest, cheap})
                : Optional.empty();
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

    static boolean measured(Advice.Trial t) {
        return t != null && t.ran() && t.completed() > 0;
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

    /** {@return the throughput samples of a trial: the duel's rounds if it fought one, else its windows} */
    List<Double> samples(Advice.Trial t) {
        List<Double> d = duel == null ? null : duel.samples(t.label());
        return d != null ? d : t.throughputSamples();
    }

    /** {@return true if the throughputs of {@code a} and {@code b} are told apart: their IQRs do not overlap} */
    boolean separated(Advice.Trial a, Advice.Trial b) {
        Stats x = Stats.of(samples(a));
        Stats y = Stats.of(samples(b));
        return x.n() >= 2 && y.n() >= 2 && x.separatedFrom(y);
    }

    /** {@return a trial's median throughput: of its duel rounds when it fought one} */
    double speed(Advice.Trial t) {
        List<Double> d = duel == null ? null : duel.samples(t.label());
        return d != null ? Stats.of(d).median() : t.throughput();
    }

    /** {@return each side of a duel as "label: median/s (IQR q1-q3)"} */
    static String roundsText(Trials.Duel duel) {
        Stats a = Stats.of(duel.aThroughputs());
        Stats b = Stats.of(duel.bThroughputs());
        return duel.a() + " " + Units.rate(a.median()) + " (IQR " + Units.num(a.q1()) + "-" + Units.num(a.q3()) + "), "
                + duel.b() + " " + Units.rate(b.median()) + " (IQR " + Units.num(b.q1()) + "-" + Units.num(b.q3()) + ")"
                + (a.separatedFrom(b) ? "" : ": within the noise of each other");
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
            boolean inconclusive) {
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

    /** {@return why {@code t} may not run the task under {@code r}, or null if it may} */
    String ruledOut(Advice.Trial t, Advice.Requirements r) {
        if (needsIsolation(r) && !t.mode().isolated()) {
            return "it runs tasks in the caller's JVM, and " + isolationReason(r);
        }
        if (onePerJvm(r) && t.mode() == Mode.HYBRID) {
            return "it runs several tasks in one worker JVM, and " + isolationReason(r)
                    + ", which would take those tasks down together";
        }
        return null;
    }

    /** {@return the first measured risk or stated requirement that needs a process boundary, in words} */
    String isolationReason(Advice.Requirements r) {
        Advice.Trial racy = racyTrial().orElse(null);
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
        List<Advice.Trial> ok = trials.stream()
                .filter(Rules::measured)
                .filter(t -> ruledOut(t, r) == null)
                .toList();
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

    Advice.Trial fastest(List<Advice.Trial> ts) {
        return ts.stream().max(Comparator.comparingDouble(this::speed)).orElse(null);
    }

    /** Cheaper first: no worker JVM, then a hybrid, then one JVM per worker; then what suits the task. */
    Comparator<Advice.Trial> preference() {
        Comparator<Advice.Trial> byCost =
                Comparator.comparingInt(t -> t.mode() == Mode.PROCESSES ? 2 : t.mode() == Mode.HYBRID ? 1 : 0);
        Comparator<Advice.Trial> bySuit = Comparator.comparingInt(t -> suitability(t));
        return byCost.thenComparing(bySuit)
                .thenComparing(Advice.Trial::batched)
                .thenComparing(Comparator.comparingDouble(this::speed).reversed());
    }

    private int suitability(Advice.Trial t) {
        if (blocking()) {
            return t.mode() == Mode.VIRTUAL_THREADS ? 0 : 1;
        }
        return t.mode() == Mode.THREADS && t.workers() == cores || t.mode().isolated() && t.workers() == cores ? 0 : 1;
    }

    /** Why a cheaper model wins a tie, in words. */
    String cheaper(Advice.Trial chosen, Advice.Trial other) {
        if (!chosen.mode().isolated() && other.mode().isolated()) {
            return chosen.label() + " runs in this JVM: no worker JVM"
                    + (other.meanWorkerRssBytes() > 0 ? " (" + Units.bytes(other.meanWorkerRssBytes()) + " each)" : "")
                    + " and no copy of tasks and results";
        }
        if (chosen.mode() == Mode.HYBRID && other.mode() == Mode.PROCESSES) {
            return chosen.label() + " needs fewer worker JVMs";
        }
        if (chosen.mode() == Mode.VIRTUAL_THREADS) {
            return "virtual threads carry waiting tasks at the cost of a few carrier threads";
        }
        if (!chosen.batched() && other.batched()) {
            return "submitting one task per input keeps each result as soon as it is ready";
        }
        return chosen.label() + " matches the task ("
                + (blocking() ? "it mostly waits" : "a thread per core for a" + " task that computes") + ")";
    }

    Choice choose(Advice.Requirements r) {
        List<Advice.Trial> allowed = allowed(r, true);
        List<String> decision = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (allowed.isEmpty()) {
            return unmeasured(r, notes);
        }
        Advice.Trial fastest = fastest(allowed);
        // Within the noise of the fastest, and measurably slower than no allowed model ("within the noise"
        // is not transitive: a model close to the fastest can still be clearly slower than a third one).
        List<Advice.Trial> tied = allowed.stream()
                .filter(t -> t == fastest || !separated(t, fastest))
                .filter(t -> allowed.stream().noneMatch(o -> speed(o) > speed(t) && separated(o, t)))
                .toList();
        Advice.Trial chosen = tied.stream().min(preference()).orElse(fastest);
        boolean inconclusive = false;
        if (chosen != fastest) {
            decision.add(fastest.label() + " measured " + Units.rate(speed(fastest)) + " against "
                    + chosen.label() + "'s " + Units.rate(speed(chosen)) + ", but within the noise (their spreads, "
                    + spread(fastest) + " and " + spread(chosen) + ", overlap), so the cheaper one: "
                    + cheaper(chosen, fastest));
            boolean busy = busy(fastest) || busy(chosen);
            // the tie that matters: worker JVMs or none, decided by noise on a busy machine
            inconclusive = busy && chosen.mode().isolated() != fastest.mode().isolated();
        }
        for (Advice.Trial t : trials) {
            if (!measured(t) || t == chosen || t == fastest || speed(t) <= speed(chosen)) {
                continue;
            }
            String why = ruledOut(t, r);
            if (why == null && r.maxLatencyNanos() > 0 && !allowed.contains(t)) {
                why = t.batched()
                        ? "map() holds each result until its batch of about 20 ms is done, more than --max-latency "
                                + Units.nanos(r.maxLatencyNanos()) + " allows"
                        : "its p99 of " + Units.nanos(t.p99Nanos()) + " missed --max-latency "
                                + Units.nanos(r.maxLatencyNanos());
            }
            if (why == null && !separated(t, chosen)) {
                why = "within the noise of " + chosen.label() + " (" + spread(t) + " against " + spread(chosen) + ")";
            }
            if (why != null) {
                decision.add(t.label() + " measured " + Units.rate(speed(t)) + " against " + chosen.label() + "'s "
                        + Units.rate(speed(chosen)) + ", but " + why);
            }
        }
        if (r.maxLatencyNanos() > 0) {
            latencyNotes(r, chosen, allowed, notes);
        }
        return new Choice(
                chosen.mode(),
                chosen.workers(),
                chosen.threadsPerWorker(),
                chosen.batched(),
                chosen,
                fastest,
                notes,
                decision,
                inconclusive);
    }

    private static boolean busy(Advice.Trial t) {
        return t.load() != null && t.load().busy();
    }

    /** {@return the interquartile range of a trial's throughput samples, such as "IQR 854-1,997/s"} */
    String spread(Advice.Trial t) {
        Stats s = Stats.of(samples(t));
        return s.n() < 2 ? "one sample" : "IQR " + Units.num(s.q1()) + "-" + Units.num(s.q3()) + "/s";
    }

    private void latencyNotes(
            Advice.Requirements r, Advice.Trial chosen, List<Advice.Trial> allowed, List<String> notes) {
        long limit = r.maxLatencyNanos();
        boolean metAny = allowed.stream().anyMatch(t -> !t.batched() && t.p99Nanos() >= 0 && t.p99Nanos() <= limit);
        if (chosen.batched()) {
            return;
        }
        Advice.Trial free = fastest(allowed(r, false));
        if (free != null && free.batched() && limit < BATCH_LATENCY_FLOOR) {
            notes.add("batching is off: map() holds each result until its batch of about 20 ms is done, "
                    + "more than --max-latency " + Units.nanos(limit) + " allows");
        }
        if (metAny) {
            if (free != null && free != chosen && !free.batched() && free.p99Nanos() > limit) {
                notes.add(free.label() + " had p99 " + Units.nanos(free.p99Nanos()) + " > " + Units.nanos(limit) + "; "
                        + chosen.label() + " met it with p99 " + Units.nanos(chosen.p99Nanos()) + " at "
                        + Units.rate(chosen.throughput()));
            }
            return;
        }
        Advice.Trial lowest = trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.p99Nanos() >= 0)
                .filter(t -> ruledOut(t, r) == null)
                .min(Comparator.comparingLong(Advice.Trial::p99Nanos))
                .orElse(chosen);
        Advice.Trial here = trials.stream()
                .filter(Rules::measured)
                .filter(t -> !t.mode().isolated())
                .filter(t -> t.p99Nanos() >= 0 && t.p99Nanos() <= limit)
                .findFirst()
                .orElse(null);
        boolean isolate = needsIsolation(r);
        notes.add("no " + (isolate ? "isolated " : "") + "model met --max-latency " + Units.nanos(limit)
                + ": the lowest p99 measured was " + Units.nanos(lowest.p99Nanos()) + " (" + lowest.label()
                + ") for a task of " + Units.nanos(probe.medianCallNanos()) + " (median)"
                + (isolate && here != null
                        ? "; in this JVM " + here.label() + " met it with p99 " + Units.nanos(here.p99Nanos())
                                + ", so weigh the isolation against the limit"
                        : "; make the task shorter or relax the limit"));
    }

    /** No model could be measured: decide by the probe alone. */
    private Choice unmeasured(Advice.Requirements r, List<String> notes) {
        Mode mode;
        int workers;
        int tpw = 1;
        if (needsIsolation(r)) {
            Advice.Trial hy = planned(t -> t.mode() == Mode.HYBRID);
            if (!onePerJvm(r) && blocking() && hy != null) {
                mode = Mode.HYBRID;
                workers = hy.workers();
                tpw = hy.threadsPerWorker();
            } else {
                mode = Mode.PROCESSES;
                workers = Math.min(cores, workersThatFit(r));
            }
        } else if (blocking()) {
            mode = Mode.VIRTUAL_THREADS;
            workers = 0;
        } else {
            mode = Mode.THREADS;
            workers = cores;
        }
        return new Choice(mode, workers, tpw, false, null, null, notes, List.of(), false);
    }

    int workersThatFit(Advice.Requirements r) {
        if (r.heapPerTaskBytes() <= 0 || machine.memoryBytes() <= 0) {
            return cores;
        }
        Advice.Trial pc = processes();
        long base = pc != null && pc.meanWorkerRssBytes() > 0 ? pc.meanWorkerRssBytes() : 48L << 20;
        long fit = machine.memoryBytes() * 3 / 4 / (r.heapPerTaskBytes() + base);
        return (int) Math.max(1, Math.min(cores, fit));
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
                words.code(c, req),
                words.summary(c),
                reasons,
                words.requirementEffects(c),
                words.warnings(),
                c.decision(),
                c.inconclusive());
    }
}
