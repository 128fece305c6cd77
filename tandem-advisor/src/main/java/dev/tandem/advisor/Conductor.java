package dev.tandem.advisor;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.TandemLog;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Orchestrates one run: probe the task in a child JVM, instantiate it here, plan the trials, split
 * the remaining budget among them, run them one after another, and ask {@link Rules} for the
 * verdict; when the two models that decide it cannot be told apart or were measured while other
 * programs took CPU, measure them again side by side ({@link Trials#duel}) before deciding.
 *
 * <p>Budget: the probe calls the task for a tenth of the budget (0.5 to 5 s) and is killed at that
 * plus a quarter of the budget (5 to 10 s, for JVM start and a slow last call), stretched by the
 * machine's pace when it is busy; the trials share what is left in equal slices of at least 0.4 s,
 * after a fifth is kept back for a duel. Each trial is bounded by {@link Trials}. Not thread-safe;
 * one per run.
 */
final class Conductor {
    private static final long DEFAULT_PROBE_HEAP = 256L << 20;
    /** The share of the budget kept back to measure two undecided models again, side by side. */
    private static final double DUEL_SHARE = 0.2;

    private final Subject subject;
    private final Advisor.Options options;
    private final Consumer<String> progress;

    Conductor(Subject subject, Advisor.Options options) {
        this(subject, options, s -> {});
    }

    Conductor(Subject subject, Advisor.Options options, Consumer<String> progress) {
        this.subject = subject;
        this.options = options;
        this.progress = progress;
    }

    Advice run() {
        // a task that crashes, leaks or hangs takes worker JVMs down: that is measured, not logged
        TandemLog quiet = TandemLog.onlyFailures();
        try {
            return measure();
        } finally {
            quiet.close();
        }
    }

    private Advice measure() {
        long start = System.nanoTime();
        long budget = options.time().toNanos();
        Load.Meter whole = Load.start();
        Advice.Machine machine = machine();
        Pace pace = Pace.measure();
        long callNanos = Math.clamp(budget / 10, TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(5));
        long hardNanos = pace.scaleNanos(
                callNanos + Math.clamp(budget / 4, TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10)));
        long heap = options.heapPerTaskBytes() > 0 ? options.heapPerTaskBytes() : DEFAULT_PROBE_HEAP;
        progress.accept("probe: calling the task alone in a child JVM");
        Advice.Probe probe = ChildProbe.run(subject, options.inputs(), callNanos, hardNanos, heap);
        if (probe.calls() > 0 && probe.failures() == probe.calls()) {
            throw new IllegalArgumentException(subject.className() + " threw on every one of its " + probe.calls()
                    + " probe calls: " + probe.firstFailure()
                    + "; fix the task so that calls succeed, then run the advisor again");
        }
        Subject.Instance inst = subject.instantiate(options.inputs());
        List<Trials.Plan> plans =
                Trials.plan(probe, machine.cores(), inst.inputs().size());
        int inProcess = (int) plans.stream().filter(p -> !p.mode().isolated()).count();
        Trials runner = new Trials(subject, inst, probe, options, inProcess);
        long duelReserve = (long) (budget * DUEL_SHARE);
        List<Advice.Trial> trials = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            long left = budget - duelReserve - (System.nanoTime() - start) - TimeUnit.MILLISECONDS.toNanos(300);
            long slice = Math.max(TimeUnit.MILLISECONDS.toNanos(400), left / (plans.size() - i));
            progress.accept("trial " + (i + 1) + "/" + plans.size() + ": "
                    + plans.get(i).label());
            trials.add(runner.run(plans.get(i), slice));
        }
        Trials.Duel duel = null;
        Optional<Advice.Trial[]> contest = Rules.contest(probe, trials, options.requirements(), machine);
        if (contest.isPresent()) {
            Advice.Trial a = contest.get()[0];
            Advice.Trial b = contest.get()[1];
            long left = Math.max(
                    TimeUnit.MILLISECONDS.toNanos(1500),
                    budget - (System.nanoTime() - start) - TimeUnit.MILLISECONDS.toNanos(300));
            progress.accept("again, side by side: " + a.label() + " and " + b.label()
                    + " (too close to call, or measured on a busy machine)");
            duel = runner.duel(plan(plans, a), plan(plans, b), left);
        }
        Advice.Verdict verdict = Rules.decide(probe, trials, options.requirements(), machine, duel);
        return new Advice(
                subject.className(),
                machine,
                options.requirements(),
                budget,
                probe,
                trials,
                Advice.MachineLoad.of(whole.stop()),
                duel == null ? verdict : withDuel(verdict, duel));
    }

    private static Trials.Plan plan(List<Trials.Plan> plans, Advice.Trial t) {
        return plans.stream()
                .filter(p -> p.label().equals(t.label()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no plan for trial " + t.label()));
    }

    /** {@return the verdict, its decision telling how the duel went} */
    private static Advice.Verdict withDuel(Advice.Verdict v, Trials.Duel duel) {
        List<String> decision = new ArrayList<>(v.decision());
        decision.add(
                0,
                duel.a() + " and " + duel.b() + " were measured again side by side, in "
                        + Trials.DUEL_ROUNDS + " alternating rounds under the same load ("
                        + duel.load().describe()
                        + "): " + Rules.roundsText(duel));
        return new Advice.Verdict(
                v.mode(),
                v.workers(),
                v.threadsPerWorker(),
                v.batch(),
                v.code(),
                v.summary(),
                v.reasons(),
                v.requirementEffects(),
                v.warnings(),
                decision,
                v.inconclusive());
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
