package dev.tandem.advisor;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.Mode;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.TandemLog;
import dev.tandem.measure.Units;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Orchestrates one run: probe the task in a child JVM, instantiate it here, plan the trials, split
 * the remaining budget among them, run them one after another, and ask {@link Rules} for the
 * verdict; when the two models that decide it cannot be told apart or were measured while other
 * programs took CPU, measure them again side by side ({@link Trials#duel}) before deciding.
 *
 * <p>Budget ({@link Budget}: {@code --time} bounds the whole run): the probe calls the task for a
 * tenth of the budget (0.5 to 5 s) and has a deadline at that plus a quarter of the budget (3 to 10 s, for
 * the JVM's start and a slow last call), stretched by the machine's pace when it is busy; the task is called
 * hung, whenever that is, once the probe has made no progress for a stall limit drawn from its calls, not
 * counting the time its JVM waited for a CPU ({@link ChildProbe#watch}), and a probe still advancing at its
 * deadline is waited for up to twice that; the trials
 * share what is left in equal slices of at least 0.4 s, after a fifth is kept back for a duel; a trial
 * is skipped when less than 0.4 s is left for the trials, and so is a duel with less than 1 s left. A
 * phase
 * that takes longer than its share is noted with the reason, and the advice carries the run's wall
 * time. Each trial is bounded by {@link Trials}. Not thread-safe; one per run.
 */
final class Conductor {
    private static final long DEFAULT_PROBE_HEAP = 256L << 20;
    /** The share of the budget kept back to measure two undecided models again, side by side. */
    private static final double DUEL_SHARE = 0.2;
    /** The least a trial needs on a quiet machine: a pool's start, a warm-up and a measured phase. */
    private static final long MIN_TRIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(400);
    /** The least left for a side-by-side measurement: seven rounds of two pools, of 100 ms at least. */
    private static final long MIN_DUEL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Kept at the end of the budget for the verdict and the report. */
    private static final long CLOSING_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** The least time the probe calls the task. */
    private static final long MIN_PROBE_CALLS_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** A probe JVM's start and heap measurements on a quiet machine, for {@link #leastBudgetNanos}. */
    private static final long QUIET_PROBE_JVM_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Subject subject;
    private final Advisor.Options options;
    private final Consumer<String> progress;
    private final LongSupplier clock;

    Conductor(Subject subject, Advisor.Options options) {
        this(subject, options, s -> {});
    }

    Conductor(Subject subject, Advisor.Options options, Consumer<String> progress) {
        this(subject, options, progress, System::nanoTime);
    }

    Conductor(Subject subject, Advisor.Options options, Consumer<String> progress, LongSupplier clock) {
        this.subject = subject;
        this.options = options;
        this.progress = progress;
        this.clock = clock;
    }

    Advice run() {
        // a task that crashes, leaks or hangs takes worker JVMs down: that is measured, not logged
        TandemLog quiet = TandemLog.onlyFailures();
        Orphans orphans = Orphans.watch();
        Thread reaper = orphans.hook();
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            return measure(orphans);
        } finally {
            // on an error too: nothing the task started outlives the run
            orphans.reap();
            quiet.close();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook reaps
            }
        }
    }

    private Advice measure(Orphans orphans) {
        Budget budget = new Budget(options.time().toNanos(), clock);
        long total = budget.total();
        Load.Meter whole = Load.start();
        Advice.Machine machine = machine();
        Pace pace = Pace.measure();
        long callNanos = Math.clamp(total / 10, MIN_PROBE_CALLS_NANOS, TimeUnit.SECONDS.toNanos(5));
        long allowance = Math.clamp(total / 4, TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(10));
        // stretched by the pace, but to no more than half the budget (or the quiet deadline, if longer): a busy
        // machine's pace of up to 16x once made the probe's deadline alone longer than --time
        long hardNanos = probeDeadlineNanos(callNanos + allowance, pace.factor(), total);
        long heap = options.heapPerTaskBytes() > 0 ? options.heapPerTaskBytes() : DEFAULT_PROBE_HEAP;
        progress.accept("probe: calling the task alone in a child JVM");
        long probeStart = budget.now();
        Advice.Probe probe = ChildProbe.run(subject, options.inputs(), callNanos, hardNanos, heap);
        boolean pastDeadline = budget.now() - probeStart > hardNanos;
        budget.ran(
                "the probe",
                probeStart,
                callNanos + allowance,
                probeWhy(probe, callNanos, allowance, pace, pastDeadline));
        if (probe.calls() > 0 && probe.failures() == probe.calls()) {
            throw new IllegalArgumentException(subject.className() + " threw on every one of its " + probe.calls()
                    + " probe calls: " + probe.firstFailure()
                    + "; fix the task so that calls succeed, then run the advisor again");
        }
        Subject.Instance inst = subject.instantiate(options.inputs());
        List<Trials.Plan> plans = ordered(
                fitted(Trials.plan(probe, machine.cores(), inst.inputs().size()), options, machine),
                probe,
                options,
                machine);
        int inProcess = (int) plans.stream().filter(p -> !p.mode().isolated()).count();
        Trials runner = new Trials(subject, inst, probe, options, inProcess, orphans);
        long duelReserve = (long) (total * DUEL_SHARE);
        List<Advice.Trial> trials = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Trials.Plan plan = plans.get(i);
            String notRun = runner.notRun(plan);
            if (notRun != null) {
                trials.add(runner.skip(plan, notRun));
                continue;
            }
            int runnable = (int) plans.subList(i, plans.size()).stream()
                    .filter(p -> runner.notRun(p) == null)
                    .count();
            // a pool's start is not in its slice: the starts still to come, estimated from the slowest seen so far,
            // are kept out of the time the slices share, so that the run stays near its budget
            long starts = plan.mode().isolated()
                    ? slowestStart(trials, true)
                            * plans.subList(i, plans.size()).stream()
                                    .filter(p -> p.mode().isolated() && runner.notRun(p) == null)
                                    .count()
                    : slowestStart(trials, false) * runnable;
            // a trial runs while the time left for the trials holds its minimum: an equal share, at least that
            long forTrials = budget.slice(duelReserve + CLOSING_NANOS, 1);
            if (forTrials < MIN_TRIAL_NANOS) {
                // a trial before a duel: the share kept for measuring two models again gives way to measuring one
                forTrials = budget.slice(CLOSING_NANOS, 1);
            }
            // the starts shorten the slices, never skip a trial that fits
            long slice = Math.max(MIN_TRIAL_NANOS, Math.max(0, forTrials - starts) / runnable);
            String phase = "trial " + (i + 1) + "/" + plans.size() + ": " + plan.label();
            if (!budget.fits(phase, forTrials, MIN_TRIAL_NANOS)) {
                trials.add(runner.skip(
                        plan,
                        Budget.trialSkipped(forTrials, trials.stream().anyMatch(Advice.Trial::ran), MIN_TRIAL_NANOS)));
                continue;
            }
            progress.accept(phase);
            long t0 = budget.now();
            Advice.Trial trial = runner.run(plan, slice);
            trials.add(trial);
            budget.ran(phase, t0, slice, trialWhy(trial, slice));
        }
        String unmeasured = noModelRan(subject.className(), probe, trials);
        if (unmeasured != null) {
            throw new IllegalArgumentException(unmeasured);
        }
        Trials.Duel duel = null;
        // the run's load so far: a run whose banner will call the machine busy trusts no close call
        Optional<Advice.Trial[]> contest = Comparisons.contest(
                probe, trials, options.requirements(), machine, Advice.MachineLoad.of(whole.stop()));
        if (contest.isPresent()) {
            Advice.Trial a = contest.get()[0];
            Advice.Trial b = contest.get()[1];
            long share = budget.left();
            String phase = "measuring " + a.label() + " and " + b.label() + " again side by side";
            // its rounds are measurement windows, which do not stretch with the pace; a round holds a few calls
            if (budget.fits(phase, share, Math.max(MIN_DUEL_NANOS, Trials.minDuelNanos(probe)))) {
                progress.accept("again, side by side: " + a.label() + " and " + b.label()
                        + " (too close to call, or measured on a busy machine)");
                long t0 = budget.now();
                duel = runner.duel(plan(plans, a), plan(plans, b), share);
                budget.ran(phase, t0, share, "starting and stopping both pools took longer than its share");
                if (duel == null) {
                    // one concrete reason: "too little was left ..., or a pool did not start" offered two
                    budget.note(phase + " gave no figures: " + runner.duelFailure);
                }
            }
        }
        // one reading of the run's load for the verdict and the banner, so that they never disagree
        Advice.MachineLoad runLoad = Advice.MachineLoad.of(whole.stop());
        Advice.Verdict verdict = Rules.decide(probe, trials, options.requirements(), machine, duel, runLoad);
        // every pool is closed: the processes still running are the ones the task started and left
        verdict = withOrphans(duel == null ? verdict : withDuel(verdict, duel), orphans.reap());
        verdict = verdict.withCode(ExampleCode.forResult(verdict.code(), verdict.batch(), subject.resultType()));
        List<String> time = new ArrayList<>();
        time.add(budget.summary());
        time.addAll(budget.notes());
        return new Advice(
                subject.className(),
                machine,
                options.requirements(),
                total,
                probe,
                trials,
                runLoad,
                verdict,
                budget.elapsed(),
                time,
                duel == null ? List.of() : List.of(duel.a(), duel.b()),
                Standings.of(trials, duel));
    }

    /**
     * {@return why no model can be recommended for a task that no model could run, in one line, or null if that is
     * not so} The probe saw no call return: the task ended its JVM, or a call was still running at the probe's
     * deadline and was killed. Then no thread model ran it (each would have run it in this JVM, where neither can be
     * stopped), and every isolated model that ran completed no task: each call took its worker JVM down or hit the
     * trial's task timeout; or none ran, when the probe's deadline took the budget on a busy machine. No model was measured, so there is nothing to recommend; a timeout drawn from nothing
     * would fail every task (was: "Use processes(2)" with {@code taskTimeout(30000 ms)} for a task that never
     * returns).
     */
    static String noModelRan(String className, Advice.Probe probe, List<Advice.Trial> trials) {
        boolean noneReturned = probe.jvmEnded() && probe.medianCallNanos() < 0;
        List<Advice.Trial> ran = trials.stream().filter(Advice.Trial::ran).toList();
        if (!noneReturned || ran.stream().anyMatch(Rules::measured)) {
            return null;
        }
        boolean exits = probe.exitCode() >= 0;
        String then;
        if (ran.isEmpty()) {
            // a busy machine can spend the budget on the probe's deadline: nothing ran, and nothing returned
            then = "no trial ran"
                    + trials.stream()
                            .map(Advice.Trial::skipped)
                            .filter(Objects::nonNull)
                            .findFirst()
                            .map(why -> ": " + why)
                            .orElse("");
        } else {
            Map<String, Long> kinds = new TreeMap<>();
            ran.forEach(t -> t.failureKinds().forEach((k, n) -> kinds.merge(k, n, Long::sum)));
            List<String> counts = new ArrayList<>();
            kinds.forEach((k, n) -> counts.add(n + " " + k));
            then = String.join(", ", ran.stream().map(Advice.Trial::label).toList()) + " completed no task"
                    + (counts.isEmpty() ? "" : ": " + String.join(", ", counts));
        }
        String what = ran.isEmpty()
                ? (exits ? " ended its JVM on its first call" : " did not return from its first call")
                : (exits ? " ends its JVM on every call" : " never returned from a call");
        return className + what + " and no model could be measured, so there is no recommendation (in the probe: "
                + probe.endedHow() + "; then " + then + "): "
                + (exits
                        ? "make the task return or throw instead of ending its JVM"
                        : "make the task return (the advisor calls a task hung once its probe has made no progress"
                                + " for its stall limit)")
                + ", then run the advisor again";
    }

    /**
     * {@return the probe's deadline: {@code quietNanos} stretched by the pace {@code paceFactor}, but to no more than
     * half the budget {@code totalNanos}, unless the quiet deadline is longer}
     */
    static long probeDeadlineNanos(long quietNanos, double paceFactor, long totalNanos) {
        long paced = (long) (quietNanos * Math.max(1, paceFactor));
        return Math.min(paced, Math.max(quietNanos, totalNanos / 2));
    }

    /** {@return the longest pool start among the trials that ran in worker JVMs ({@code isolated}) or not, ns} */
    private static long slowestStart(List<Advice.Trial> trials, boolean isolated) {
        return trials.stream()
                .filter(t -> t.ran() && t.mode().isolated() == isolated)
                .mapToLong(t -> Math.max(0, t.poolStartNanos()))
                .max()
                .orElse(0);
    }

    /**
     * {@return the least budget in which, on a quiet machine, the probe, {@code trials} trials at their least
     * each, the duel's share and the closing fit, ns}
     */
    static long leastBudgetNanos(int trials) {
        long needed = QUIET_PROBE_JVM_NANOS + MIN_PROBE_CALLS_NANOS + trials * MIN_TRIAL_NANOS + CLOSING_NANOS;
        return (long) (needed / (1 - DUEL_SHARE));
    }

    /** {@return why the probe took longer than its share: a call that never returned, a slow JVM start, the pace} */
    private static String probeWhy(
            Advice.Probe probe, long callNanos, long allowance, Pace pace, boolean pastDeadline) {
        String paced = pace.factor() > 1.05
                ? ", stretched " + Units.ratio(pace.factor()) + " because this JVM got "
                        + Units.percent(pace.cpuShare()) + " of a CPU (other programs took the rest), to at most half"
                        + " the budget"
                : "";
        if (probe.endedHow() != null && probe.endedHow().contains("still running")) {
            return "a call did not return, and the probe calls the task hung once it has made no progress for its"
                    + " stall limit, not counting the time its JVM waited for a CPU meanwhile";
        }
        if (pastDeadline) {
            return "the probe was still advancing at its deadline (" + Units.nanos(callNanos) + " of calls plus "
                    + Units.nanos(allowance) + paced + "), so it was waited for, up to twice that, instead of calling"
                    + " a slow call a hang";
        }
        return "starting the probe JVM took " + Units.nanos(probe.jvmStartNanos()) + ", and the heap was measured"
                + " after full collections" + paced;
    }

    /**
     * {@return the plans in the order they run: when the probe's findings or the stated requirements rule models out
     * ({@link Rules#ruledOut}), threads(1) (the reference) first, then the models that may run the task, then the
     * ruled-out models in worker JVMs and those in the caller's JVM, so that a short budget goes to models that may be
     * recommended} Was: {@code --heap-per-task} ran four thread models first; and a task whose heap grew 24.8 KiB per
     * call (a leak the probe had found) spent a 12 s budget on threads(1), threads(2), threads(52) and virtual(208),
     * then skipped processes(2) and hybrid(1x52), the only models it allows: "no model that may run the task was
     * measured".
     */
    static List<Trials.Plan> ordered(
            List<Trials.Plan> plans, Advice.Probe probe, Advisor.Options options, Advice.Machine machine) {
        Advice.Requirements req = options.requirements();
        Rules rules = new Rules(probe, List.of(), req, machine, null, null);
        Predicate<Trials.Plan> allowed = p -> rules.ruledOut(new TrialOutcome(p).skip("planned"), req) == null;
        if (plans.stream().allMatch(allowed)) {
            return plans;
        }
        Predicate<Trials.Plan> reference = p -> p.mode() == Mode.THREADS && p.workers() == 1 && !p.batched();
        List<Trials.Plan> out = new ArrayList<>();
        plans.stream().filter(reference).forEach(out::add);
        plans.stream().filter(allowed.and(reference.negate())).forEach(out::add);
        plans.stream()
                .filter(p -> !allowed.test(p) && !reference.test(p) && p.mode().isolated())
                .forEach(out::add);
        plans.stream()
                .filter(p -> !allowed.test(p) && !reference.test(p) && !p.mode().isolated())
                .forEach(out::add);
        return List.copyOf(out);
    }

    /**
     * {@return the plans with no more worker JVMs of one task each than {@code --heap-per-task} fits in the machine's
     * memory ({@link Rules#workersThatFit}), so that the model measured is the one the verdict may recommend}
     * processes(2) with -Xmx12288m each was once measured and recommended on a 23.5 GiB machine.
     */
    static List<Trials.Plan> fitted(List<Trials.Plan> plans, Advisor.Options options, Advice.Machine machine) {
        int fit = Rules.workersThatFit(
                options.heapPerTaskBytes(), Rules.WORKER_BASE_BYTES, machine.memoryBytes(), machine.cores());
        return plans.stream()
                .map(p -> p.mode() == Mode.PROCESSES && p.workers() > fit
                        ? new Trials.Plan(p.mode(), fit, 1, p.batched() ? 0 : fit, p.batched())
                        : p)
                .distinct()
                .toList();
    }

    /**
     * {@return why a trial took longer than its slice: the pool's start (which its slice does not include), waiting
     * for its last tasks, worker JVMs the task ended, its stop}
     */
    static String trialWhy(Advice.Trial t, long slice) {
        List<String> why = new ArrayList<>();
        if (t.poolStartNanos() > slice / 4) {
            why.add("starting the pool took " + Units.nanos(t.poolStartNanos())
                    + " (its slice begins once it started)");
        }
        if (t.failureKinds().containsKey(TrialOutcome.NO_RESULT)) {
            why.add("tasks still running at its end were waited for up to its grace, then stopped");
        }
        if (t.failureKinds().containsKey(TrialOutcome.WORKER_ENDED)) {
            why.add("the task ended worker JVMs, and calls lost with them were waited for up to its grace");
        }
        t.notes().stream().filter(n -> n.contains("did not terminate")).forEach(why::add);
        return why.isEmpty()
                ? "its pool's start and stop, and a measured phase of at least 300 ms"
                : String.join("; ", why);
    }

    private static Trials.Plan plan(List<Trials.Plan> plans, Advice.Trial t) {
        return plans.stream()
                .filter(p -> p.label().equals(t.label()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no plan for trial " + t.label()));
    }

    /** {@return the verdict, its decision telling how the duel went} */
    private static Advice.Verdict withDuel(Advice.Verdict v, Trials.Duel duel) {
        return v.withFirstDecision(duel.a() + " and " + duel.b() + " were measured again side by side, in "
                + Trials.DUEL_ROUNDS + " alternating rounds under the same load ("
                + duel.load().describe()
                + "): " + Comparisons.roundsText(duel));
    }

    /** {@return the verdict, warning of the {@code left} child processes the task left running, if any} */
    static Advice.Verdict withOrphans(Advice.Verdict v, int left) {
        return left == 0 ? v : v.withFirstWarning(orphansText(left));
    }

    /** {@return the warning for a task that left {@code left} child processes running} */
    static String orphansText(int left) {
        return "the task leaves child processes behind: " + left + (left == 1 ? " was" : " were")
                + " still running after the trials ended and the advisor killed "
                + (left == 1 ? "it" : "them")
                + "; under threads they are your application's children, under processes a worker's, and nothing"
                + " ends them: wait for (or destroy) each process the task starts";
    }

    static Advice.Machine machine() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new Advice.Machine(
                Runtime.getRuntime().availableProcessors(),
                memory,
                Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
