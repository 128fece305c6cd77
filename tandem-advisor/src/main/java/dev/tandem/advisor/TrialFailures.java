package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Which of a trial's failures count against its model. Its own task timeout does not (a hanging task
 * needs one), nor does a worker JVM that the task ended and the pool replaced: that is the failure a
 * process boundary exists to contain. Pure functions of a trial.
 */
final class TrialFailures {
    private TrialFailures() {}

    /** {@return the tasks of a trial that failed other than by its task timeout (which a hanging task needs)} */
    static long failures(Advice.Trial t) {
        return t.failed() - t.failureKinds().getOrDefault("TaskTimeoutException", 0L);
    }

    /**
     * {@return the failures of a trial that a process boundary contained: under a worker JVM, a task that
     * ended or crashed its JVM lost that worker, which was replaced, and the pool went on}
     * These count against the task, not the model: processes(1) at 41.6/min once won over processes(2) at
     * 2.84/s, for a task that calls System.exit on its third call in a JVM, only because it ran too few calls
     * to reach a third. Only for a task the probe saw end its JVM ({@code endsJvm}): a worker lost
     * otherwise (a leak's OutOfMemoryError) is a failure of that model's settings.
     */
    static long contained(Advice.Trial t, boolean endsJvm) {
        if (!endsJvm || !t.mode().isolated()) {
            return 0;
        }
        return t.failureKinds().getOrDefault("WorkerLostException", 0L)
                + t.failureKinds().getOrDefault(TrialOutcome.WORKER_ENDED, 0L)
                + t.failureKinds().getOrDefault("PoisonTaskException", 0L)
                + t.failureKinds().getOrDefault("NodeLostException", 0L);
    }

    /** {@return the failures of a trial that count against its model: neither its task timeout nor contained} */
    static long uncontained(Advice.Trial t, boolean endsJvm) {
        return Math.max(0, failures(t) - contained(t, endsJvm));
    }

    /**
     * {@return why a trial that ran is a failed measurement, or null if it is not} A model that completed no task
     * (every call failed, hung, or its worker died) gave no figure: 0 tasks/s is not a number that wins or loses,
     * so such a trial is left out of the ranking ({@link Rules#measured}) and the report says "failed: why". Nor did
     * a {@code map()} trial in which an input failed (other than by the task timeout): map ends at its first failure.
     */
    static String failedMeasurement(Advice.Trial t) {
        if (t.ran() && t.batched() && failures(t) > 0) {
            // map() ends at its first failing input: the inputs before it are not a rate of the model (was:
            // "threads(2)+map 1,213/s", one sample, for a task that threw on every second call)
            return "map() failed, and it ends at the first failing input, so it gave no throughput (" + kindsText(t)
                    + ")";
        }
        if (!t.ran() || t.completed() > 0 && t.throughput() > 0) {
            return null;
        }
        if (t.completed() > 0) {
            // its figure is the median window: "ran but completed no task" was said of a model that completed some
            return "completed " + Units.count(t.completed(), "task", "tasks") + " but none in most of its windows"
                    + " (median 0/s), so it gave no figure";
        }
        if (t.failed() == 0) {
            return "ran but completed no task"
                    + (t.poolStartNanos() > 0
                            ? " (its pool took " + Units.nanos(t.poolStartNanos()) + " to start)"
                            : "");
        }
        return "completed no task: " + (t.failed() == 1 ? "its one call" : "all " + t.failed() + " calls") + " failed ("
                + kindsText(t) + ")";
    }

    /** {@return a trial's failures by kind, then its first, such as "3 WorkerLostException; first: ..."} */
    private static String kindsText(Advice.Trial t) {
        List<String> kinds = new ArrayList<>();
        new TreeMap<>(t.failureKinds()).forEach((k, n) -> kinds.add(n + " " + k));
        return String.join(", ", kinds)
                + (t.firstFailure() == null ? "" : "; first: " + Units.abbreviate(t.firstFailure(), 120));
    }

    /** {@return the failures of a trial in words, such as "1 task failed (WorkerLostException: ...)"} */
    static String failuresText(Advice.Trial t) {
        return failures(t) + (failures(t) == 1 ? " task" : " tasks") + " failed in its trial"
                + (t.firstFailure() == null ? "" : " (" + Units.abbreviate(t.firstFailure(), 120) + ")");
    }
}
