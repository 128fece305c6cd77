package dev.tandem.advisor;

import dev.tandem.Mode;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An {@link Advice.Trial} for a test, built from a copy of another or from the few figures a rule looks at, with
 * one {@code with...} method per thing a test changes: the one place that spells out the record's 31 components
 * (RulesTest, VerdictWordsTest, HonestVerdictTest and FailedMeasurementTest each copied them with one field changed).
 * Not thread-safe; each {@link #build()} returns a new immutable trial.
 */
final class TrialFixture {
    private static final long MS = 1_000_000;

    private String label;
    private Mode mode;
    private int workers;
    private int threadsPerWorker;
    private int concurrency;
    private boolean batched;
    private String skipped;
    private long completed;
    private long failed;
    private Map<String, Long> failureKinds;
    private String firstFailure;
    private double seconds;
    private double throughput;
    private long p50Nanos;
    private long p90Nanos;
    private long p99Nanos;
    private long maxNanos;
    private long taskNanos;
    private long overheadNanos;
    private long callerCpuUserNanos;
    private long callerCpuSystemNanos;
    private long workerCpuUserNanos;
    private long workerCpuSystemNanos;
    private long callerRssBytes;
    private List<Long> workerRssBytes;
    private long poolStartNanos;
    private long resultsCompared;
    private long resultsDiffering;
    private List<String> notes;
    private List<Double> throughputSamples;
    private Advice.MachineLoad load;

    private TrialFixture() {}

    /** {@return a fixture holding every component of {@code t}, to change one or two} */
    static TrialFixture of(Advice.Trial t) {
        TrialFixture f = new TrialFixture();
        f.label = t.label();
        f.mode = t.mode();
        f.workers = t.workers();
        f.threadsPerWorker = t.threadsPerWorker();
        f.concurrency = t.concurrency();
        f.batched = t.batched();
        f.skipped = t.skipped();
        f.completed = t.completed();
        f.failed = t.failed();
        f.failureKinds = t.failureKinds();
        f.firstFailure = t.firstFailure();
        f.seconds = t.seconds();
        f.throughput = t.throughput();
        f.p50Nanos = t.p50Nanos();
        f.p90Nanos = t.p90Nanos();
        f.p99Nanos = t.p99Nanos();
        f.maxNanos = t.maxNanos();
        f.taskNanos = t.taskNanos();
        f.overheadNanos = t.overheadNanos();
        f.callerCpuUserNanos = t.callerCpuUserNanos();
        f.callerCpuSystemNanos = t.callerCpuSystemNanos();
        f.workerCpuUserNanos = t.workerCpuUserNanos();
        f.workerCpuSystemNanos = t.workerCpuSystemNanos();
        f.callerRssBytes = t.callerRssBytes();
        f.workerRssBytes = t.workerRssBytes();
        f.poolStartNanos = t.poolStartNanos();
        f.resultsCompared = t.resultsCompared();
        f.resultsDiffering = t.resultsDiffering();
        f.notes = t.notes();
        f.throughputSamples = t.throughputSamples();
        f.load = t.load();
        return f;
    }

    /**
     * {@return a trial that ran and completed 1,000 tasks in one second at {@code throughput}, its latencies derived
     * from {@code p99}, a 2 ms task, 10 ms of caller CPU, and {@code workerRss} for each worker JVM in isolated modes;
     * one throughput window}
     *
     * @param batched the inputs went through {@code map}: then no concurrent callers
     */
    static TrialFixture ran(
            String label,
            Mode mode,
            int workers,
            int tpw,
            boolean batched,
            double throughput,
            long p99,
            long overhead,
            long workerRss) {
        TrialFixture f = new TrialFixture();
        f.label = label;
        f.mode = mode;
        f.workers = workers;
        f.threadsPerWorker = tpw;
        f.concurrency = batched ? 0 : workers * tpw;
        f.batched = batched;
        f.completed = 1000;
        f.failureKinds = Map.of();
        f.seconds = 1;
        f.throughput = throughput;
        f.p50Nanos = p99 / 2;
        f.p90Nanos = p99 * 3 / 4;
        f.p99Nanos = p99;
        f.maxNanos = p99 * 2;
        f.taskNanos = 2 * MS;
        f.overheadNanos = overhead;
        f.callerCpuUserNanos = 10 * MS;
        f.callerCpuSystemNanos = MS;
        f.callerRssBytes = 120L << 20;
        f.workerRssBytes = Collections.nCopies(mode.isolated() ? workers : 0, workerRss);
        f.poolStartNanos = mode.isolated() ? 250 * MS : -1;
        f.notes = List.of();
        f.throughputSamples = List.of(throughput);
        return f;
    }

    /** {@return this fixture run by {@code callers} concurrent callers} */
    TrialFixture withCallers(int callers) {
        this.concurrency = callers;
        return this;
    }

    /** {@return this fixture with {@code completed} tasks completed} */
    TrialFixture withCompleted(long completed) {
        this.completed = completed;
        return this;
    }

    /** {@return this fixture with {@code failed} tasks failed, all of {@code kind}, the first with {@code first}} */
    TrialFixture withFailures(long failed, String kind, String first) {
        this.failed = failed;
        this.failureKinds = Map.of(kind, failed);
        this.firstFailure = first;
        return this;
    }

    /** {@return this fixture whose measured phase lasted {@code seconds}} */
    TrialFixture withSeconds(double seconds) {
        this.seconds = seconds;
        return this;
    }

    /** {@return this fixture measured at {@code throughput}} */
    TrialFixture withThroughput(double throughput) {
        this.throughput = throughput;
        return this;
    }

    /** {@return this fixture with {@code samples} as its throughput windows} */
    TrialFixture withSamples(List<Double> samples) {
        this.throughputSamples = samples;
        return this;
    }

    /** {@return this fixture measured while the machine's load was {@code load} (null: not measured)} */
    TrialFixture withLoad(Advice.MachineLoad load) {
        this.load = load;
        return this;
    }

    /** {@return this fixture whose results differed from threads(1) for {@code differing} of {@code compared} inputs} */
    TrialFixture withResults(long compared, long differing) {
        this.resultsCompared = compared;
        this.resultsDiffering = differing;
        return this;
    }

    /** {@return this fixture with no latency, task time or overhead measured: no call completed in time} */
    TrialFixture withoutLatencies() {
        this.p50Nanos = -1;
        this.p90Nanos = -1;
        this.p99Nanos = -1;
        this.maxNanos = -1;
        this.taskNanos = -1;
        this.overheadNanos = -1;
        return this;
    }

    /** {@return this fixture whose pool took {@code nanos} to start} */
    TrialFixture withPoolStart(long nanos) {
        this.poolStartNanos = nanos;
        return this;
    }

    /** {@return the trial} */
    Advice.Trial build() {
        return new Advice.Trial(
                label,
                mode,
                workers,
                threadsPerWorker,
                concurrency,
                batched,
                skipped,
                completed,
                failed,
                failureKinds,
                firstFailure,
                seconds,
                throughput,
                p50Nanos,
                p90Nanos,
                p99Nanos,
                maxNanos,
                taskNanos,
                overheadNanos,
                callerCpuUserNanos,
                callerCpuSystemNanos,
                workerCpuUserNanos,
                workerCpuSystemNanos,
                callerRssBytes,
                workerRssBytes,
                poolStartNanos,
                resultsCompared,
                resultsDiffering,
                notes,
                throughputSamples,
                load);
    }
}
