package dev.tandem.advisor;

import dev.tandem.measure.Load;
import dev.tandem.measure.Stats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trial being built: what the caller threads of its measured phase saw, merged, and turned into
 * an {@link Advice.Trial}. Besides latencies and CPU, it keeps when each task completed, so the
 * measured phase splits into up to {@link #WINDOWS} equal windows whose throughputs give the trial's spread:
 * two trials are told apart only when those spreads do not overlap. A window is never shorter than the
 * longest stretch without a completion ({@link #windowsFor}), so none is empty when tasks come in waves.
 *
 * <p>Filled by the trial's thread after the callers ended (joining them gives the happens-before);
 * not thread-safe.
 */
final class TrialOutcome {
    /** Windows of the measured phase whose throughputs are the trial's samples. */
    static final int WINDOWS = 5;

    /**
     * The failure kind of a call that had no result by the end of its phase while worker JVMs of its pool ended
     * unplanned: it was lost with its worker (the task ended that JVM), not slow. Was: "1 TimeoutException" for a
     * task that calls {@code System.exit} at once.
     */
    static final String WORKER_ENDED = "worker JVM ended";
    /** The failure kind of a call that had no result by the end of its phase, its pool's workers all alive. */
    static final String NO_RESULT = "TimeoutException";
    /** What a call without a result by the end of its phase, its pool's workers all alive, says: slow, not failed. */
    static final String NO_RESULT_TEXT = "java.util.concurrent.TimeoutException: no result by the end of the trial";

    final Trials.Plan plan;
    final List<String> notes = new ArrayList<>();
    long[] latency = new long[0];
    long[] task = new long[0];
    long[] done = new long[0];
    long okExtra;
    long failed;
    final Map<String, Long> kinds = new TreeMap<>();
    String firstFailure;
    double seconds;
    long measureStart;
    long lastDone;
    /** Calls that had no result by the end of their phase (the caller gave up, or the pool was stopped). */
    long unanswered;

    long poolStartNanos = -1;
    long callerUser = -1;
    long callerSystem = -1;
    long workerUser;
    long workerSystem;
    long callerRss = -1;
    List<Long> workerRss = List.of();
    long resultsCompared;
    long resultsDiffering;
    Load load;
    /** Tasks per second of each {@code map} call of a batched trial, one per window. */
    final List<Double> windowRates = new ArrayList<>();

    TrialOutcome(Trials.Plan plan) {
        this.plan = plan;
    }

    /** What one caller thread saw; merged after it ended. */
    static final class Recorder {
        private long[] latency = new long[64];
        private long[] task = new long[64];
        private long[] done = new long[64];
        private int n;
        private long okExtra;
        private long failed;
        private final Map<String, Long> kinds = new TreeMap<>();
        private String firstFailure;
        private long lastDone;
        private long unanswered;

        void ok(long submitted, long finished, Calls.Sample s) {
            if (n == latency.length) {
                latency = Arrays.copyOf(latency, n * 2);
                task = Arrays.copyOf(task, n * 2);
                done = Arrays.copyOf(done, n * 2);
            }
            latency[n] = finished - submitted;
            task[n] = s.endNanos() - s.startNanos();
            done[n] = finished;
            n++;
            lastDone = finished;
        }

        void okCount(long count) {
            okExtra += count;
        }

        /** A call that had no result by the end of the phase; what it was is decided when merged. */
        void unanswered() {
            unanswered++;
        }

        void fail(Throwable t) {
            Throwable c = Subject.unwrap(t);
            failed++;
            kinds.merge(c.getClass().getSimpleName(), 1L, Long::sum);
            if (firstFailure == null) {
                firstFailure = ProbeWorker.oneLine(String.valueOf(c));
            }
        }
    }

    void merge(Recorder r) {
        merge(r, 0);
    }

    /**
     * Merges what one caller saw; its calls that had no result by the end of the phase are named for what
     * happened: lost with their worker JVM when {@code workersDied} of the pool's workers ended unplanned during the
     * phase ({@link #WORKER_ENDED}), else a timeout ({@link #NO_RESULT}).
     */
    void merge(Recorder r, long workersDied) {
        int old = latency.length;
        latency = Arrays.copyOf(latency, old + r.n);
        task = Arrays.copyOf(task, old + r.n);
        done = Arrays.copyOf(done, old + r.n);
        System.arraycopy(r.latency, 0, latency, old, r.n);
        System.arraycopy(r.task, 0, task, old, r.n);
        System.arraycopy(r.done, 0, done, old, r.n);
        okExtra += r.okExtra;
        failed += r.failed;
        r.kinds.forEach((k, v) -> kinds.merge(k, v, Long::sum));
        if (firstFailure == null) {
            firstFailure = r.firstFailure;
        }
        lastDone = Math.max(lastDone, r.lastDone);
        if (r.unanswered > 0) {
            unanswered += r.unanswered;
            failed += r.unanswered;
            kinds.merge(workersDied > 0 ? WORKER_ENDED : NO_RESULT, r.unanswered, Long::sum);
            if (firstFailure == null) {
                firstFailure = unansweredText(workersDied);
            }
        }
    }

    /** {@return what a call without a result by the end of its phase was, in one line} */
    static String unansweredText(long workersDied) {
        return workersDied > 0
                ? "no result by the end of the trial: " + workersDied + " worker JVM" + (workersDied == 1 ? "" : "s")
                        + " ended during the phase (the task ended its JVM, or the JVM crashed or was killed) and the"
                        + " call was lost with it"
                : NO_RESULT_TEXT;
    }

    /**
     * Adds one window of a batched trial: one {@code map} call over its share of the measured phase.
     * Its tasks per second become one of the trial's samples, since a batch has no per-task completion
     * times to split into windows.
     */
    void window(TrialOutcome w) {
        long completed = w.latency.length + w.okExtra;
        okExtra += completed;
        failed += w.failed;
        unanswered += w.unanswered;
        w.kinds.forEach((k, v) -> kinds.merge(k, v, Long::sum));
        if (firstFailure == null) {
            firstFailure = w.firstFailure;
        }
        notes.addAll(w.notes.stream().filter(n -> !notes.contains(n)).toList());
        seconds += w.seconds;
        // a window that a late one before it left no time completed nothing: no sample (was a 0/s sample of a
        // model that completed tasks)
        if (w.seconds > 0 && w.failed == 0 && completed > 0) {
            windowRates.add(completed / w.seconds);
        }
    }

    /**
     * Makes the warm-up's failures this trial's outcome: its callers did not end by its deadline and grace
     * ({@code within}), so the pool was stopped and no measured phase ran. Its completed calls are no rate.
     */
    void warmUpStopped(TrialOutcome warm, String within) {
        failed += warm.failed;
        unanswered += warm.unanswered;
        warm.kinds.forEach((k, v) -> kinds.merge(k, v, Long::sum));
        if (firstFailure == null) {
            firstFailure = warm.firstFailure;
        }
        seconds = warm.seconds;
        long completed = warm.latency.length + warm.okExtra;
        notes.add("the warm-up's calls did not end within " + within + ", so the pool was stopped and the trial was"
                + " not measured" + (completed > 0 ? " (" + completed + " calls of the warm-up had completed)" : ""));
    }

    void sampled(UsageSampler s) {
        s.close();
        callerUser = s.callerUser();
        callerSystem = s.callerSystem();
        callerRss = s.callerMaxRss();
        workerUser = s.workerUser();
        workerSystem = s.workerSystem();
        workerRss = s.workerMaxRss();
    }

    /**
     * {@return tasks per second in each of {@link #WINDOWS} equal windows of the measured phase: for a
     * batched trial, the rate of each window's {@code map} call}
     */
    List<Double> windowThroughputs(double totalThroughput) {
        if (!windowRates.isEmpty()) {
            return List.copyOf(windowRates);
        }
        if (done.length < WINDOWS || seconds <= 0) {
            return totalThroughput > 0 ? List.of(totalThroughput) : List.of();
        }
        long span = (long) (seconds * 1e9);
        int windows = windowsFor(done, measureStart, span);
        if (windows < 2) {
            return totalThroughput > 0 ? List.of(totalThroughput) : List.of();
        }
        long width = Math.max(1, span / windows);
        long[] counts = new long[windows];
        for (long t : done) {
            int w = (int) Math.min(windows - 1, Math.max(0, (t - measureStart) / width));
            counts[w]++;
        }
        List<Double> out = new ArrayList<>();
        for (long c : counts) {
            out.add(c / (width / 1e9));
        }
        return out;
    }

    /**
     * {@return how many equal windows the phase of {@code spanNanos} from {@code start} splits into, at most
     * {@link #WINDOWS}, so that none is empty: each at least as long as the longest stretch without a completion
     * (from the start to the first, between two, from the last to the end)} Tasks may complete in waves: 1,024
     * callers of a 20 ms task on two busy cores completed in bursts further apart than a fifth of the phase, so
     * equal fifths held empty windows, 0/s samples of a model that completed tasks (was: "virtual(772) failed:
     * ran but completed no task" at load 10 and over). Fewer than two windows: the whole phase's rate stands alone.
     */
    static int windowsFor(long[] done, long start, long spanNanos) {
        if (done.length == 0 || spanNanos <= 0) {
            return 0;
        }
        long[] sorted = done.clone();
        Arrays.sort(sorted);
        long gap = Math.max(sorted[0] - start, start + spanNanos - sorted[sorted.length - 1]);
        for (int i = 1; i < sorted.length; i++) {
            gap = Math.max(gap, sorted[i] - sorted[i - 1]);
        }
        return (int) Math.min(WINDOWS, spanNanos / (Math.max(0, gap) + 1));
    }

    Advice.Trial skip(String why) {
        return new Advice.Trial(
                plan.label(),
                plan.mode(),
                plan.workers(),
                plan.threadsPerWorker(),
                plan.batched() ? 0 : plan.concurrency(),
                plan.batched(),
                why,
                0,
                0,
                Map.of(),
                null,
                0,
                0,
                -1,
                -1,
                -1,
                -1,
                -1,
                -1,
                -1,
                -1,
                0,
                0,
                -1,
                List.of(),
                -1,
                0,
                0,
                List.of(),
                List.of(),
                null);
    }

    /** {@return the trial; {@code probeMedian} stands in for the task's own time when no call was timed} */
    Advice.Trial toTrial(long probeMedian) {
        long completed = latency.length + okExtra;
        long[] lat = latency.clone();
        Arrays.sort(lat);
        long[] own = task.clone();
        Arrays.sort(own);
        long[] over = new long[latency.length];
        for (int i = 0; i < over.length; i++) {
            over[i] = Math.max(0, latency[i] - task[i]);
        }
        Arrays.sort(over);
        long taskMedian = own.length > 0 ? Stats.quantile(own, 0.5) : probeMedian;
        double overall = seconds > 0 ? completed / seconds : 0;
        List<Double> windows = windowThroughputs(overall);
        // the headline is the median of the windows, the same statistic the spread (their IQR) is around: the
        // whole phase's mean, its last window stretched by the wait for stragglers, fell outside its own spread
        double median = windows.size() >= 2 ? Stats.of(windows).median() : 0;
        if (median <= 0 && overall > 0) {
            // too few tasks, or all in a burst, to fill the windows: a median of empty windows said 0/s for a
            // trial that completed tasks, so the whole phase's rate stands alone
            windows = List.of(overall);
        }
        double throughput = median > 0 ? median : overall;
        return new Advice.Trial(
                plan.label(),
                plan.mode(),
                plan.workers(),
                plan.threadsPerWorker(),
                plan.batched() ? 0 : plan.concurrency(),
                plan.batched(),
                null,
                completed,
                failed,
                kinds,
                firstFailure,
                seconds,
                throughput,
                Stats.quantile(lat, 0.5),
                Stats.quantile(lat, 0.9),
                Stats.quantile(lat, 0.99),
                lat.length == 0 ? -1 : lat[lat.length - 1],
                taskMedian,
                over.length == 0 ? -1 : Stats.quantile(over, 0.5),
                callerUser,
                callerSystem,
                workerUser,
                workerSystem,
                callerRss,
                workerRss,
                poolStartNanos,
                resultsCompared,
                resultsDiffering,
                notes,
                windows,
                load == null ? null : Advice.MachineLoad.of(load));
    }

    /**
     * {@return how many windows a map() trial of {@code n} inputs measures, one map call each: no more than the inputs}
     * With --inputs 3, five windows of one input each once "completed 5" tasks of 3 inputs.
     */
    static int mapWindows(int n) {
        return Math.clamp(n, 1, WINDOWS);
    }
}
