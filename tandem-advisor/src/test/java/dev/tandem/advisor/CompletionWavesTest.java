package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tasks that complete in waves are measured over windows at least as long as the waves are apart. Was: 1,024
 * callers of a 20 ms task on two busy cores completed in bursts further apart than a fifth of the measured phase,
 * so equal fifths held empty windows (0/s samples of a model that completed tasks), and under load 10 and over
 * AdvisorTest's blocking-task runs failed with "virtual(772) failed: ran but completed no task".
 */
class CompletionWavesTest {
    private static final long MS = 1_000_000;
    private static final long START = 1_000_000_000L;

    /** A trial whose {@code perWave} completions come at each of {@code waves} (ms after its start). */
    private static TrialOutcome waves(long phaseMs, int perWave, long... waves) {
        TrialOutcome out = new TrialOutcome(new Trials.Plan(Mode.VIRTUAL_THREADS, 0, 1, 772, false));
        out.measureStart = START;
        out.seconds = phaseMs / 1e3;
        List<Long> done = new ArrayList<>();
        for (long w : waves) {
            for (int i = 0; i < perWave; i++) {
                done.add(START + w * MS + i);
            }
        }
        out.done = done.stream().mapToLong(Long::longValue).toArray();
        out.latency = new long[out.done.length];
        out.task = new long[out.done.length];
        return out;
    }

    @Test
    void virtualThreadsCompletingInWavesLeftEmptyWindows() {
        // 772 completions in four waves 250 ms apart, over a 1 s phase: equal fifths of 200 ms held one empty
        TrialOutcome out = waves(1000, 193, 100, 350, 600, 850);
        List<Double> windows = out.windowThroughputs(772 / 1.0);
        assertThat(windows)
                .as("no window is empty when tasks completed")
                .allSatisfy(w -> assertThat(w).isPositive());
        assertThat(windows.size()).isBetween(2, TrialOutcome.WINDOWS);
        Advice.Trial t = out.toTrial(20 * MS);
        assertThat(t.completed()).isEqualTo(772);
        assertThat(TrialFailures.failedMeasurement(t)).isNull();
        assertThat(t.throughput()).isBetween(500.0, 1100.0);
    }

    @Test
    void wavesFurtherApartThanHalfThePhaseGiveOneSampleOfTheWholePhase() {
        TrialOutcome out = waves(1000, 386, 200, 900);
        assertThat(out.windowThroughputs(772.0)).containsExactly(772.0);
        Advice.Trial t = out.toTrial(20 * MS);
        assertThat(TrialFailures.failedMeasurement(t)).isNull();
        assertThat(t.throughput()).isEqualTo(772.0);
    }

    @Test
    void evenlySpreadCompletionsStillGiveFiveWindows() {
        long[] at = new long[100];
        for (int i = 0; i < at.length; i++) {
            at[i] = 5 + 10L * i; // one every 10 ms over a 1 s phase
        }
        TrialOutcome out = waves(1000, 1, at);
        List<Double> windows = out.windowThroughputs(100.0);
        assertThat(windows)
                .hasSize(TrialOutcome.WINDOWS)
                .allSatisfy(w -> assertThat(w).isCloseTo(100.0, offset(1e-9)));
    }

    /** A batched trial: a map() window that the one before it left no time completed nothing, and is no sample. */
    @Test
    void aMapWindowLeftNoTimeGaveAZeroSample() {
        Trials.Plan map = new Trials.Plan(Mode.THREADS, 2, 1, 0, true);
        TrialOutcome out = new TrialOutcome(map);
        for (long completed : new long[] {24, 20, 22, 0}) {
            TrialOutcome w = new TrialOutcome(map);
            w.okExtra = completed;
            w.seconds = completed == 0 ? 1e-6 : 0.1;
            out.window(w);
        }
        assertThat(out.windowThroughputs(0))
                .hasSize(3)
                .allSatisfy(x -> assertThat(x).isPositive());
        assertThat(out.toTrial(3 * MS).throughputSamples()).doesNotContain(0.0);
    }

    @Test
    void aLongWaitBeforeTheFirstOrAfterTheLastCompletionWidensTheWindows() {
        assertThat(TrialOutcome.windowsFor(new long[] {START + 700 * MS, START + 710 * MS}, START, 1000 * MS))
                .as("700 ms before the first completion")
                .isEqualTo(1);
        assertThat(TrialOutcome.windowsFor(new long[0], START, 1000 * MS)).isZero();
    }
}
