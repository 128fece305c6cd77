package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A phase that had to stop its pool ends the trial. Was: the warm-up's calls outlived its deadline and grace, the
 * pool was stopped, and the measured phase then submitted to the stopped pool, so "threads(1) completed no task:
 * its one call failed (1 RejectedExecutionException ... no new tasks are accepted after shutdown())" blamed the
 * task for the advisor's own shutdown.
 */
class StoppedPoolTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theMeasuredPhaseSubmittedToThePoolTheWarmUpHadStopped() {
        Subject subject = Subject.of(Workloads.SpinsFourSeconds.class);
        // calls of 250 ms in the probe: a task timeout of 10 s, far past the warm-up's deadline and grace
        Advice.Probe probe = RulesTest.probe(1, 250 * MS, 0);
        Trials runner =
                new Trials(subject, subject.instantiate(4), probe, Advisor.Options.defaults(), 1, Orphans.watch());
        // forced, not raced: the warm-up's caller does not return after its own timeout, so only the stop of the
        // pool ends its wait (was: both waits ended at the same instant, and when the caller's own timeout won, the
        // pool was not stopped and this note was not written; failed once at load 2)
        runner.callersIgnoreTheirTimeout = true;
        Advice.Trial t = runner.run(new Trials.Plan(Mode.THREADS, 1, 1, 1, false), 1_000 * MS);
        assertThat(t.failureKinds())
                .as("refusals of the advisor's own stopped pool are no failure of the task: %s", t)
                .doesNotContainKey("RejectedExecutionException");
        assertThat(t.firstFailure()).doesNotContain("shutdown");
        assertThat(t.completed()).isZero();
        assertThat(t.failed()).as("the call that had no result in time").isPositive();
        assertThat(t.notes())
                .anyMatch(n -> n.startsWith("the warm-up's calls did not end within ")
                        && n.contains("the pool was stopped and the trial was not measured"));
    }
}
