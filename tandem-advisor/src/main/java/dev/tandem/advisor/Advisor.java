package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs a task under threads, virtual threads, worker processes and hybrids on this machine, measures
 * each, and recommends one with reasons:
 *
 * <pre>{@code
 * Advice advice = Advisor.advise("com.acme.Resize", List.of(Path.of("target/classes")),
 *         Advisor.Options.defaults().withTime(Duration.ofSeconds(20)));
 * System.out.println(advice.verdict().summary());
 * }</pre>
 *
 * <p><b>Safety.</b> The task is first called in a child JVM. A task that ends its JVM there
 * ({@code System.exit}, {@code Runtime.halt}, a crash) or hangs is never run in the advisor's own
 * JVM, only in worker processes; a task that leaks is run here only up to a small share of the heap.
 * Every trial has a hard deadline, and every pool and process it starts is stopped before the trial
 * ends, on failure too.
 *
 * <p><b>Thread safety.</b> Runs may be made from several threads, but they then compete for the
 * same cores and distort each other's numbers.
 */
public final class Advisor {
    /**
     * The shortest {@code --time}: on a quiet machine it holds the probe (a JVM's start and half a second
     * of calls), the most trials a plan has at their least each, the share kept for a duel and the
     * closing ({@code BudgetTest} checks the sum). Was 2 s: a 2.5 s run skipped every trial and
     * gave a verdict from the probe alone.
     */
    public static final Duration MIN_TIME = Duration.ofSeconds(8);

    /** Why {@link #MIN_TIME} is the least, for the messages that refuse less. */
    static final String WHY_MIN_TIME = "the probe and the trials need about 8 s on a quiet machine";

    /**
     * The most inputs a run takes: a trial makes at most this many calls, and a {@link Workload}'s
     * {@code inputs(n)} runs in this JVM before any budget can stop it (2,000,000,000 inputs ran for
     * 323 s of a 10 s budget and took 6.3 GB).
     */
    static final int MAX_INPUTS = 1_000_000;

    /** Why {@link #MAX_INPUTS} is the most, for the messages that refuse more. */
    static final String WHY_MAX_INPUTS = "a trial makes at most that many calls, and the inputs are made before the"
            + " time budget can stop anything";

    private Advisor() {}

    /**
     * Measures and advises.
     *
     * @param className the binary name of a {@link dev.tandem.Task} or {@link Workload} with a public
     *        no-argument constructor
     * @param classPath where the class and its dependencies are, besides this JVM's class path
     * @param options inputs, time budget and requirements
     * @return the measurements and the verdict
     * @throws IllegalArgumentException if the class cannot be found, is not a task, cannot be
     *         constructed, fails on every call, or ends its JVM on every call (then no model could be
     *         measured, and nothing is recommended); the message says what to fix
     * @throws java.util.concurrent.CancellationException if this thread is interrupted; the
     *         interrupt status is restored
     */
    public static Advice advise(String className, List<Path> classPath, Options options) {
        Objects.requireNonNull(options, "options");
        Subject subject = Subject.locate(className, classPath);
        return new Conductor(subject, options).run();
    }

    /**
     * Measures and advises for a class that this JVM can already load.
     *
     * @param taskOrWorkload a {@link dev.tandem.Task} or {@link Workload} class with a public
     *        no-argument constructor
     * @param options inputs, time budget and requirements
     * @return the measurements and the verdict
     * @throws IllegalArgumentException as {@link #advise(String, List, Options)}
     */
    public static Advice advise(Class<?> taskOrWorkload, Options options) {
        Objects.requireNonNull(options, "options");
        return new Conductor(Subject.of(taskOrWorkload), options).run();
    }

    /**
     * How to run the advisor. Immutable; start from {@link #defaults()}.
     *
     * @param inputs how many inputs a {@link Workload} makes, and the most calls per trial
     * @param time the time budget of the whole run, probe and trials included
     * @param isolate require that tasks never share the caller's JVM
     * @param heapPerTaskBytes require a heap of this many bytes per task (one task per worker JVM,
     *        {@code -Xmx}), or 0
     * @param maxLatency require every task to finish within this time of its submission, or null
     */
    public record Options(int inputs, Duration time, boolean isolate, long heapPerTaskBytes, Duration maxLatency) {

        /** Validates; messages name the value and the fix. */
        public Options {
            if (inputs < 1 || inputs > MAX_INPUTS) {
                throw new IllegalArgumentException("inputs must be between 1 and " + Units.whole(MAX_INPUTS) + ", was "
                        + Units.whole(inputs) + "; " + WHY_MAX_INPUTS);
            }
            Objects.requireNonNull(time, "time");
            if (time.compareTo(MIN_TIME) < 0 || time.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(
                        "time must be between 8s and 1h, was " + Units.duration(time) + "; " + WHY_MIN_TIME);
            }
            if (heapPerTaskBytes != 0 && heapPerTaskBytes < 16L << 20) {
                throw new IllegalArgumentException(
                        "heapPerTask must be at least 16 MiB (or 0 for none), was " + heapPerTaskBytes + " bytes");
            }
            if (maxLatency != null && (maxLatency.isNegative() || maxLatency.isZero())) {
                throw new IllegalArgumentException(
                        "maxLatency must be positive, was " + Units.duration(maxLatency) + "; omit it for no limit");
            }
        }

        /** {@return 10,000 inputs, 30 seconds, no requirements} */
        public static Options defaults() {
            return new Options(10_000, Duration.ofSeconds(30), false, 0, null);
        }

        /**
         * @param n the number of inputs
         * @return a copy with {@code n} inputs
         */
        public Options withInputs(int n) {
            return new Options(n, time, isolate, heapPerTaskBytes, maxLatency);
        }

        /**
         * @param budget the time budget
         * @return a copy with this budget
         */
        public Options withTime(Duration budget) {
            return new Options(inputs, budget, isolate, heapPerTaskBytes, maxLatency);
        }

        /**
         * @param required whether tasks must run outside the caller's JVM
         * @return a copy with this requirement
         */
        public Options withIsolate(boolean required) {
            return new Options(inputs, time, required, heapPerTaskBytes, maxLatency);
        }

        /**
         * @param bytes the heap each task needs for itself, or 0
         * @return a copy with this requirement
         */
        public Options withHeapPerTask(long bytes) {
            return new Options(inputs, time, isolate, bytes, maxLatency);
        }

        /**
         * @param latency the longest acceptable latency, or null
         * @return a copy with this requirement
         */
        public Options withMaxLatency(Duration latency) {
            return new Options(inputs, time, isolate, heapPerTaskBytes, latency);
        }

        Advice.Requirements requirements() {
            return new Advice.Requirements(isolate, heapPerTaskBytes, maxLatency == null ? 0 : maxLatency.toNanos());
        }
    }
}
