package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool's start is measured apart and not charged to the trial's share. Was: for a leaking task, processes(2)
 * failed because its pool took 3 s to start within its 857 ms share: the start ate the share, and what was left
 * measured nothing.
 */
class SlowPoolStartTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aPoolThatTookLongerToStartThanItsShareStillGetsItsWholeShareToMeasure() {
        Subject subject = Subject.of(Workloads.CpuBound.class);
        // a worker JVM takes hundreds of ms to start at the least, as long as the share itself on a busy machine
        long share = 1_000 * MS;
        Advice.Probe probe = RulesTest.probe(1, 2 * MS, 0);
        // inputs enough that the callers never run out before the phase's end (2 ms calls)
        Trials runner =
                new Trials(subject, subject.instantiate(50_000), probe, Advisor.Options.defaults(), 0, Orphans.watch());
        Advice.Trial t = runner.run(new Trials.Plan(Mode.PROCESSES, 1, 1, 1, false), share);
        assertThat(t.poolStartNanos()).as("measured apart, as the cold start").isPositive();
        assertThat(t.completed()).as("%s", t).isPositive();
        assertThat(TrialFailures.failedMeasurement(t)).isNull();
        // the measured phase is three quarters of the share after the warm-up, whatever the start took, less the
        // usage sampler's start (was: three quarters of the share less the start, at least 225 ms: under half the
        // share for any worker JVM that took over a third of it to start)
        assertThat(t.seconds())
                .as("measured for %s s after a start of %s ms: %s", t.seconds(), t.poolStartNanos() / MS, t)
                .isGreaterThanOrEqualTo(0.5 * share / 1e9);
    }
}
