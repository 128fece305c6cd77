package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call without a result is named for what happened: lost with its worker JVM when the pool's workers ended while
 * it waited, a timeout only when they all lived. Was: a task that calls {@code System.exit} at once was refused
 * with "processes(1) completed no task: 1 TimeoutException".
 */
class WorkerEndedTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Trials.Plan PROCESSES_1 = new Trials.Plan(Mode.PROCESSES, 1, 1, 1, false);

    /** The probe of a task that ended its JVM on its first call. */
    private static Advice.Probe exitedAtOnce() {
        Advice.Probe h = NoModelRanTest.hung();
        return new Advice.Probe(
                0,
                0,
                null,
                -1,
                -1,
                h.cpuShare(),
                h.allocatedBytesPerCall(),
                h.retainedBytesPerCall(),
                false,
                h.taskBytes(),
                -1,
                null,
                true,
                "System.exit(7) during call #1",
                7,
                List.of(),
                h.jvmStartNanos());
    }

    private static Advice.Trial unanswered(long workersDied) {
        TrialOutcome out = new TrialOutcome(PROCESSES_1);
        TrialOutcome.Recorder r = new TrialOutcome.Recorder();
        r.unanswered();
        out.merge(r, workersDied);
        out.seconds = 1;
        return out.toTrial(-1);
    }

    @Test
    void aTaskThatExitsAtOnceWasReportedAsOneTimeoutException() {
        Advice.Trial t = unanswered(1);
        assertThat(t.failureKinds())
                .containsEntry(TrialOutcome.WORKER_ENDED, 1L)
                .doesNotContainKey("TimeoutException");
        assertThat(t.firstFailure())
                .contains("1 worker JVM ended during the phase")
                .doesNotContain("Timeout");
        String line = Conductor.noModelRan("com.acme.ExitsAtOnce", exitedAtOnce(), List.of(t));
        assertThat(line)
                .contains("ends its JVM on every call")
                .contains("processes(1) completed no task: 1 worker JVM ended")
                .doesNotContain("TimeoutException");
        // a worker the task ended is what a process boundary contains, not a failure of the model
        assertThat(TrialFailures.contained(t, true)).isEqualTo(1);
    }

    @Test
    void trialWhySaysTheWorkersEndedNotThatTasksWereStillRunning() {
        String why = Conductor.trialWhy(unanswered(2), 1_000 * MS);
        assertThat(why).contains("the task ended worker JVMs").doesNotContain("still running");
        assertThat(Conductor.trialWhy(unanswered(0), 1_000 * MS))
                .contains("tasks still running at its end were waited for up to its grace");
    }

    @Test
    void aCallWithoutAResultWhileEveryWorkerLivedIsATimeout() {
        Advice.Trial t = unanswered(0);
        assertThat(t.failureKinds()).containsEntry("TimeoutException", 1L).doesNotContainKey(TrialOutcome.WORKER_ENDED);
        assertThat(t.firstFailure())
                .isEqualTo("java.util.concurrent.TimeoutException: no result by the end of the trial");
        assertThat(TrialFailures.contained(t, true)).isZero();
    }

    /** End to end, with a real worker JVM: the task's System.exit is what the trial reports, never a timeout. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRealTaskThatExitsAtOnceIsNotReportedAsATimeout() {
        Subject subject = Subject.of(Workloads.ExitsEveryCall.class);
        Trials runner = new Trials(
                subject, subject.instantiate(4), exitedAtOnce(), Advisor.Options.defaults(), 0, Orphans.watch());
        Advice.Trial t = runner.run(PROCESSES_1, 600 * MS); // the pool is stopped in run's finally
        assertThat(t.completed()).isZero();
        assertThat(t.failed()).as("%s", t).isPositive();
        assertThat(t.failureKinds()).as("%s", t).doesNotContainKey("TimeoutException");
        assertThat(TrialFailures.failedMeasurement(t)).doesNotContain("TimeoutException");
    }
}
