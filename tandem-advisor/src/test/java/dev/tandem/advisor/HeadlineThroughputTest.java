package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.measure.Stats;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A trial's headline tasks/s is the statistic its spread is around: it lay outside its own spread (#16). */
class HeadlineThroughputTest {
    private static final long S = 1_000_000_000L;

    /** {@return the trial of a 5 s measuring phase (threads(2)) whose tasks ended at {@code done} ns} */
    private static Advice.Trial trialOf(long[] done) {
        TrialOutcome out = new TrialOutcome(new Trials.Plan(Mode.THREADS, 2, 1, 2, false));
        out.measureStart = 0;
        out.seconds = 5;
        out.done = done;
        out.latency = new long[done.length];
        out.task = new long[done.length];
        Arrays.fill(out.latency, 2_000_000);
        Arrays.fill(out.task, 1_000_000);
        return out.toTrial(1_000_000);
    }

    @Test
    void aHeadlineTasksPerSecondLayOutsideItsOwnSpread() {
        // four quiet windows of 10 tasks each, then a burst of 100: the whole phase's mean, 28/s, is above
        // every quartile of the windows (10-10/s)
        long[] done = new long[140];
        int k = 0;
        for (int w = 0; w < 5; w++) {
            int tasks = w < 4 ? 10 : 100;
            for (int i = 0; i < tasks; i++) {
                done[k++] = w * S + (i + 1) * (S / (tasks + 1));
            }
        }
        Advice.Trial t = trialOf(done);
        Stats spread = Stats.of(t.throughputSamples());
        assertThat(t.throughputSamples()).hasSize(TrialOutcome.WINDOWS);
        assertThat(t.throughput())
                .as("headline %s against the spread %s-%s", t.throughput(), spread.q1(), spread.q3())
                .isBetween(spread.q1(), spread.q3())
                .isEqualTo(spread.median());
    }

    @Test
    void aTrialOfFiveTasksInOneBurstSaidZeroTasksPerSecond() {
        // --inputs 5: five tasks, all done in the last window; the median of the windows was 0/s
        long[] done = new long[TrialOutcome.WINDOWS];
        for (int i = 0; i < done.length; i++) {
            done[i] = 4 * S + i * (S / 10);
        }
        Advice.Trial t = trialOf(done);
        assertThat(t.throughput()).isEqualTo(1.0); // 5 tasks in 5 s
        assertThat(t.throughputSamples()).containsExactly(1.0);
    }
}
