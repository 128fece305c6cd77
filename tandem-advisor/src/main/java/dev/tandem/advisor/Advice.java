package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Load;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run of the advisor measured and what it recommends. Plain data: every number a reason
 * cites is also a field here, so a program can make its own decision from the same measurements.
 *
 * <p>Times are in nanoseconds, memory in bytes, throughput in completed tasks per second. A value
 * that was not measured is {@code -1} (or {@code null} for text).
 *
 * <p>Immutable and thread-safe.
 *
 * @param task the class that was measured
 * @param machine the machine and JDK the numbers come from
 * @param requirements what the user required
 * @param budgetNanos the time budget of the whole run
 * @param probe what a child JVM learned by calling the task alone, before any trial
 * @param trials one entry per execution model tried, skipped ones included with the reason
 * @param load how busy the machine was over the whole run
 * @param verdict the recommendation
 * @param wallNanos how long the run took, from its start to the verdict
 * @param time the run's wall time against its budget in one sentence, then each phase that was skipped
 *        because the budget could not fit it, or took longer than its share, with the reason
 * @param dueled the two models measured again side by side in this run, or empty when none was
 * @param sideBySide every model of the run, side by side: its tasks per second, spread, workers and status
 *        (measured, failed or skipped), in the order of {@code trials}
 */
public record Advice(
        String task,
        Machine machine,
        Requirements requirements,
        long budgetNanos,
        Probe probe,
        List<Trial> trials,
        MachineLoad load,
        Verdict verdict,
        long wallNanos,
        List<String> time,
        List<String> dueled,
        List<Standing> sideBySide) {

    /** Copies the lists. */
    public Advice {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(requirements, "requirements");
        trials = List.copyOf(trials);
        Objects.requireNonNull(verdict, "verdict");
        time = List.copyOf(time);
        dueled = List.copyOf(dueled);
        sideBySide = List.copyOf(sideBySide);
    }

    /**
     * The advice of a run, every model side by side as its trial measured it.
     *
     * @param task the class that was measured
     * @param machine the machine and JDK the numbers come from
     * @param requirements what the user required
     * @param budgetNanos the time budget of the whole run
     * @param probe what a child JVM learned by calling the task alone
     * @param trials one entry per execution model tried
     * @param load how busy the machine was over the whole run
     * @param verdict the recommendation
     * @param wallNanos how long the run took
     * @param time the run's wall time against its budget, then each phase skipped or over its share
     * @param dueled the two models measured again side by side, or empty
     */
    public Advice(
            String task,
            Machine machine,
            Requirements requirements,
            long budgetNanos,
            Probe probe,
            List<Trial> trials,
            MachineLoad load,
            Verdict verdict,
            long wallNanos,
            List<String> time,
            List<String> dueled) {
        this(
                task,
                machine,
                requirements,
                budgetNanos,
                probe,
                trials,
                load,
                verdict,
                wallNanos,
                time,
                dueled,
                Standings.of(trials, null));
    }

    /**
     * One model of a run, as {@code results.json} lists every model side by side.
     *
     * @param label such as {@code threads(2)}, {@code hybrid(2x2)}, {@code processes(2)+map}
     * @param mode the execution model
     * @param workers its workers in words: "2 threads", "2 worker JVMs", "2 worker JVMs x 2 threads",
     *        "virtual threads, 256 callers"
     * @param workerCount threads or worker JVMs; 0 for virtual threads
     * @param threadsPerWorker tasks a worker JVM runs at once
     * @param batched the inputs went through {@code map}
     * @param tasksPerSecond completed tasks per second, or -1 when the model gave no figure (failed or skipped)
     * @param spreadLow the lower quartile of its throughput samples, or -1 with fewer than two
     * @param spreadHigh the upper quartile, or -1 with fewer than two
     * @param samples how many throughput samples were taken
     * @param spread the spread in words: "IQR from 854 to 1,997/s", "one sample", or "none"
     * @param status "measured"; "failed: why" when it completed no task (no figure, left out of the ranking);
     *        or "skipped: why"
     */
    public record Standing(
            String label,
            Mode mode,
            String workers,
            int workerCount,
            int threadsPerWorker,
            boolean batched,
            double tasksPerSecond,
            double spreadLow,
            double spreadHigh,
            int samples,
            String spread,
            String status) {
        /** {@return this standing with another status} */
        public Standing withStatus(String newStatus) {
            return new Standing(
                    label,
                    mode,
                    workers,
                    workerCount,
                    threadsPerWorker,
                    batched,
                    tasksPerSecond,
                    spreadLow,
                    spreadHigh,
                    samples,
                    spread,
                    newStatus);
        }

        /** {@return true if this model gave a figure that may be ranked} */
        public boolean measured() {
            return status.startsWith("measured");
        }
    }

    /**
     * The six angles of the threads-or-processes question, in the order reasons are given.
     */
    public enum Angle {
        /** CPU and memory use: scaling over cores, memory per worker. */
        RESOURCES("Resources"),
        /** How many tasks run at once, and whether they compute or wait. */
        CONCURRENCY("Concurrency"),
        /** What is shared, and what must be copied between processes. */
        DATA_SHARING("Data sharing & IPC"),
        /** What a failing task takes down with it, and how the pool recovers. */
        FAILURE("Failure isolation & recovery"),
        /** Thread safety, native code, and how much the code must change. */
        STRUCTURE("Code structure & maintenance"),
        /** Dispatch, serialization and IPC cost against the task's own time. */
        OVERHEAD("Overhead & performance");

        private final String title;

        Angle(String title) {
            this.title = title;
        }

        /** {@return the heading of this angle in reports} */
        public String title() {
            return title;
        }
    }

    /**
     * The machine the measurements come from.
     *
     * @param cores available processors
     * @param memoryBytes physical memory, or -1
     * @param jdk the running JDK's version and VM
     * @param os operating system name, version and architecture
     * @param loadAverage the one-minute load average when the run began, or -1: above the number of
     *        cores, other work shared the CPUs and the scaling numbers understate this machine
     */
    public record Machine(int cores, long memoryBytes, String jdk, String os, double loadAverage) {}

    /**
     * What else the machine did while something was measured, from {@code /proc}: CPU that other
     * processes took and time the hypervisor stole. On a busy machine times are inflated and the
     * advisor repeats a comparison it would otherwise decide on.
     *
     * @param seconds the length of the window
     * @param cores the CPUs this JVM may use
     * @param loadAverageBefore the 1-minute load average when the window opened, or NaN
     * @param loadAverageAfter the same when it closed, or NaN
     * @param othersCpus CPUs used on average by processes other than the advisor and its workers, or NaN
     * @param steal the share of CPU time the hypervisor gave to other guests, or NaN
     * @param busy other processes used at least half a CPU, or steal took at least 10%
     * @param description the same in one sentence
     */
    public record MachineLoad(
            double seconds,
            int cores,
            double loadAverageBefore,
            double loadAverageAfter,
            double othersCpus,
            double steal,
            boolean busy,
            String description) {
        static MachineLoad of(Load l) {
            return new MachineLoad(
                    l.seconds(),
                    l.cores(),
                    l.loadBefore(),
                    l.loadAfter(),
                    l.othersCpus(),
                    l.steal(),
                    l.busy(),
                    l.describe());
        }
    }

    /**
     * Requirements stated by the user; each one can change the verdict.
     *
     * @param isolate tasks must not share a JVM with the caller
     * @param heapPerTaskBytes each task must have a heap of its own of this size, or 0
     * @param maxLatencyNanos no task may take longer than this from submit to result, or 0
     */
    public record Requirements(boolean isolate, long heapPerTaskBytes, long maxLatencyNanos) {
        /** No requirement. */
        public static final Requirements NONE = new Requirements(false, 0, 0);

        /** {@return true if no requirement is set} */
        public boolean none() {
            return !isolate && heapPerTaskBytes == 0 && maxLatencyNanos == 0;
        }
    }

    /**
     * What a child JVM learned by calling the task one call at a time, before any pool ran it. The
     * probe runs in its own JVM so that a task that ends its JVM cannot end the advisor.
     *
     * @param calls calls made
     * @param failures calls that threw
     * @param firstFailure the first exception a call threw, with its top frames, or null
     * @param medianCallNanos median wall time of a successful call
     * @param maxCallNanos longest call
     * @param cpuShare CPU time over wall time of the calls, 0 to 1, or -1; time the thread was
     *        runnable but waiting for a CPU (another process's load) is left out of the wall time
     * @param allocatedBytesPerCall heap allocated per call, or -1
     * @param retainedBytesPerCall growth of the heap after full GC per call: a leak or a growing
     *        cache when positive
     * @param deterministic the same inputs gave equal results when called again
     * @param taskBytes serialized size of the task (or function and one input), or -1 if it cannot
     *        be serialized
     * @param resultBytes serialized size of one result, or -1
     * @param serializationError why the task or result cannot be copied to another JVM, or null
     * @param jvmEnded the task ended the probe JVM ({@code System.exit}, {@code Runtime.halt}, a
     *        crash) or hung past the probe's deadline
     * @param endedHow how the probe JVM ended, such as "System.exit(3) during call #7", or null
     * @param exitCode the probe JVM's exit code if the task ended it, or -1
     * @param nativeLibraries native libraries outside the JDK that the task loaded
     * @param jvmStartNanos from spawning the probe JVM to its main method
     */
    public record Probe(
            int calls,
            int failures,
            String firstFailure,
            long medianCallNanos,
            long maxCallNanos,
            double cpuShare,
            long allocatedBytesPerCall,
            long retainedBytesPerCall,
            boolean deterministic,
            long taskBytes,
            long resultBytes,
            String serializationError,
            boolean jvmEnded,
            String endedHow,
            int exitCode,
            List<String> nativeLibraries,
            long jvmStartNanos) {

        /** Copies the list. */
        public Probe {
            nativeLibraries = List.copyOf(nativeLibraries);
        }
    }

    /**
     * One execution model, measured: the task submitted once per input by a fixed number of
     * concurrent callers (each waiting for its result before submitting the next), or handed to
     * {@code map} when {@code batched}.
     *
     * @param label such as {@code threads(2)}, {@code virtual(256)}, {@code hybrid(1x2)+map}
     * @param mode the execution model
     * @param workers threads or worker JVMs; 0 for virtual threads
     * @param threadsPerWorker tasks a worker JVM runs at once
     * @param concurrency tasks in flight at once (callers); 0 for {@code map}
     * @param batched the inputs went through {@code TaskPool.map}, which batches small tasks
     * @param skipped why this model was not run, or null
     * @param completed tasks that returned a result in the measured phase
     * @param failed tasks that failed in the measured phase
     * @param failureKinds failures counted by exception class
     * @param firstFailure the first failure's message, or null
     * @param seconds length of the measured phase
     * @param throughput completed tasks per second
     * @param p50Nanos median latency, submit to result, or -1 when batched
     * @param p90Nanos 90th percentile latency
     * @param p99Nanos 99th percentile latency
     * @param maxNanos largest latency
     * @param taskNanos median time inside the task itself
     * @param overheadNanos median latency minus the task's own time: dispatch, queueing,
     *        serialization and IPC; -1 when batched
     * @param callerCpuUserNanos user CPU time of the calling JVM in the measured phase
     * @param callerCpuSystemNanos system CPU time of the calling JVM
     * @param workerCpuUserNanos user CPU time of all worker JVMs
     * @param workerCpuSystemNanos system CPU time of all worker JVMs
     * @param callerRssBytes largest resident set of the calling JVM
     * @param workerRssBytes largest resident set of each worker JVM
     * @param poolStartNanos from {@code start()} until the pool was ready
     * @param resultsCompared results compared with the single-thread run, for the same inputs
     * @param resultsDiffering of those, how many differed
     * @param notes what else happened, such as a call cap
     * @param throughputSamples tasks per second in each of five equal windows of the measured phase
     *        (when batched, of one {@code map} call per window): the spread of {@code throughput}
     * @param load how busy the machine was during this trial, or null if it did not run
     */
    public record Trial(
            String label,
            Mode mode,
            int workers,
            int threadsPerWorker,
            int concurrency,
            boolean batched,
            String skipped,
            long completed,
            long failed,
            Map<String, Long> failureKinds,
            String firstFailure,
            double seconds,
            double throughput,
            long p50Nanos,
            long p90Nanos,
            long p99Nanos,
            long maxNanos,
            long taskNanos,
            long overheadNanos,
            long callerCpuUserNanos,
            long callerCpuSystemNanos,
            long workerCpuUserNanos,
            long workerCpuSystemNanos,
            long callerRssBytes,
            List<Long> workerRssBytes,
            long poolStartNanos,
            long resultsCompared,
            long resultsDiffering,
            List<String> notes,
            List<Double> throughputSamples,
            MachineLoad load) {

        /** Copies the collections. */
        public Trial {
            failureKinds = Map.copyOf(failureKinds);
            workerRssBytes = List.copyOf(workerRssBytes);
            notes = List.copyOf(notes);
            throughputSamples = List.copyOf(throughputSamples);
        }

        /** {@return true if this model ran} */
        public boolean ran() {
            return skipped == null;
        }

        /** {@return CPU time, user plus system, of caller and workers per completed task, or -1} */
        public long cpuPerTaskNanos() {
            long all = callerCpuUserNanos + callerCpuSystemNanos + workerCpuUserNanos + workerCpuSystemNanos;
            return completed == 0 ? -1 : all / completed;
        }

        /** {@return the mean resident set of a worker JVM, or 0 in thread modes} */
        public long meanWorkerRssBytes() {
            return workerRssBytes.isEmpty()
                    ? 0
                    : (long) workerRssBytes.stream()
                            .mapToLong(Long::longValue)
                            .average()
                            .orElse(0);
        }
    }

    /**
     * One reason for the verdict, under one angle, citing a number from this run.
     *
     * @param angle the angle of the note
     * @param text the reason
     */
    public record Reason(Angle angle, String text) {}

    /**
     * The recommendation.
     *
     * @param mode the execution model to use
     * @param workers threads or worker JVMs (0 for virtual threads)
     * @param threadsPerWorker tasks each worker JVM runs at once
     * @param batch hand the inputs to {@code TaskPool.map}, which batches small tasks, instead of
     *        submitting one task per input
     * @param code the Java that builds the recommended pool
     * @param summary the verdict in one sentence
     * @param reasons the reasons, ordered by {@link Angle}
     * @param requirementEffects how each stated requirement changed the verdict
     * @param warnings what needs fixing regardless of the model, such as a task that always fails
     * @param decision how the recommendation was reached: each model that measured faster than it and
     *        why it was not chosen (a requirement, a measured risk, or a difference within the noise),
     *        with the numbers, and any pair of models measured again side by side
     * @param inconclusive the machine was too busy for the measurements to rank the models: the
     *        recommendation then follows the cost of each model, and says so
     */
    public record Verdict(
            Mode mode,
            int workers,
            int threadsPerWorker,
            boolean batch,
            String code,
            String summary,
            List<Reason> reasons,
            List<String> requirementEffects,
            List<String> warnings,
            List<String> decision,
            boolean inconclusive) {

        /** Copies the lists. */
        public Verdict {
            reasons = List.copyOf(reasons);
            requirementEffects = List.copyOf(requirementEffects);
            warnings = List.copyOf(warnings);
            decision = List.copyOf(decision);
        }

        /**
         * {@return this verdict with {@code warning} first among its warnings}
         *
         * @param warning the warning
         */
        public Verdict withFirstWarning(String warning) {
            List<String> w = new ArrayList<>(warnings);
            w.addFirst(warning);
            return new Verdict(
                    mode,
                    workers,
                    threadsPerWorker,
                    batch,
                    code,
                    summary,
                    reasons,
                    requirementEffects,
                    w,
                    decision,
                    inconclusive);
        }

        /**
         * {@return this verdict with {@code step} first in its decision}
         *
         * @param step how a step of the decision went
         */
        public Verdict withFirstDecision(String step) {
            List<String> d = new ArrayList<>(decision);
            d.addFirst(step);
            return new Verdict(
                    mode,
                    workers,
                    threadsPerWorker,
                    batch,
                    code,
                    summary,
                    reasons,
                    requirementEffects,
                    warnings,
                    d,
                    inconclusive);
        }

        /**
         * {@return this verdict with {@code newCode} as its example code}
         *
         * @param newCode the example code
         */
        public Verdict withCode(String newCode) {
            return new Verdict(
                    mode,
                    workers,
                    threadsPerWorker,
                    batch,
                    newCode,
                    summary,
                    reasons,
                    requirementEffects,
                    warnings,
                    decision,
                    inconclusive);
        }

        /** {@return the recommended model as a label, such as {@code processes(2)}} */
        public String label() {
            return Trials.label(mode, workers, threadsPerWorker, 0, false) + (batch ? " + map()" : "");
        }
    }
}
