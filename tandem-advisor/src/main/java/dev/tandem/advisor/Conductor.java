package dev.tandem.advisor;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Orchestrates one run: probe the task in a child JVM, instantiate it here, plan the trials, split
 * the remaining budget among them, run them one after another, and ask {@link Rules} for the
 * verdict.
 *
 * <p>Budget: the probe calls the task for a tenth of the budget (0.5 to 5 s) and is killed at that
 * plus a quarter of the budget (5 to 10 s, for JVM start and a slow last call); the trials share what is left in equal slices of at least 0.4 s, each bounded by
 * {@link Trials}. Not thread-safe; one per run.
 */
final class Conductor {
    private static final long DEFAULT_PROBE_HEAP = 256L << 20;

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
        long start = System.nanoTime();
        long budget = options.time().toNanos();
        Advice.Machine machine = machine();
        long callNanos = Math.clamp(budget / 10, TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(5));
        long hardNanos = callNanos + Math.clamp(budget / 4, TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10));
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
        List<Advice.Trial> trials = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            long left = budget - (System.nanoTime() - start) - TimeUnit.MILLISECONDS.toNanos(300);
            long slice = Math.max(TimeUnit.MILLISECONDS.toNanos(400), left / (plans.size() - i));
            progress.accept("trial " + (i + 1) + "/" + plans.size() + ": "
                    + plans.get(i).label());
            trials.add(runner.run(plans.get(i), slice));
        }
        Advice.Verdict verdict = Rules.decide(probe, trials, options.requirements(), machine);
        return new Advice(subject.className(), machine, options.requirements(), budget, probe, trials, verdict);
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
