package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code --time} bounds the whole run, driven by a fake clock: phases share what is left, a phase that
 * cannot fit is skipped with both figures, and a phase that must stretch (a hanging task's probe) says
 * why and by how much. The regressions: runs took 25.8 s for {@code --time 15s} and 163 s for a hanging
 * task with {@code --time 10s}, and nothing said so.
 */
class BudgetTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(1_000 * S);

    @Test
    void phasesShareWhatIsLeftSoALongPhaseShortensTheOnesAfterIt() {
        Budget b = new Budget(15 * S, now::get);
        long reserve = 3 * S;
        assertThat(b.slice(reserve, 6)).isEqualTo(2 * S);
        now.addAndGet(6 * S); // the first phase took 6 s instead of 2 s
        assertThat(b.slice(reserve, 5))
                .as("6 s left after the reserve, for 5 phases")
                .isEqualTo(6 * S / 5);
        now.addAndGet(20 * S);
        assertThat(b.left()).isNegative();
        assertThat(b.slice(reserve, 4))
                .as("nothing left is a share of 0, never negative")
                .isZero();
    }

    @Test
    void aHangingTasksProbeThatOverranItsShareLeavesNoRoomForTrialsAndEverySkipAndStretchIsExplained() {
        // and a used-up budget was "0 ns of the 10.0 s budget was left": it says the budget was used up
        Budget b = new Budget(10 * S, now::get);
        long t0 = b.now();
        now.addAndGet(16 * S); // the probe waited for a call that never returned, its deadline stretched by the pace
        b.ran("the probe", t0, 4 * S, "a call did not return");
        long slice = b.slice(2 * S, 3);
        assertThat(b.fits("trial 1/3: processes(2)", slice, 400 * MS)).isFalse();
        assertThat(b.fits("measuring a and b again side by side", b.left(), 1500 * MS))
                .isFalse();
        assertThat(b.notes())
                .containsExactly(
                        "the probe took 16.0 s, its share was 4.00 s: a call did not return",
                        "trial 1/3: processes(2) skipped: the 10.0 s budget was used up before it, and it needs at"
                                + " least 400 ms; give a longer --time to measure it",
                        "measuring a and b again side by side skipped: the 10.0 s budget was used up before it, and"
                                + " it needs at least 1.50 s; give a longer --time to measure it");
        assertThat(b.summary())
                .isEqualTo(
                        "measuring took 16.0 s of its 10.0 s budget (--time), 6.00 s over: the phases below stretched");
    }

    @Test
    void aSkipInARunThatEndedEarlySaysWhatRemainedInAll() {
        // "the run took 12.1 s of its 15.0 s budget" beside "skipped: 0 ns of the 15.0 s budget was left"
        Budget b = new Budget(15 * S, now::get);
        now.addAndGet(12 * S);
        assertThat(b.fits("trial 3/3: processes(2)", b.slice(3 * S, 1), 400 * MS))
                .isFalse();
        assertThat(b.notes())
                .containsExactly("trial 3/3: processes(2) skipped: nothing of the 15.0 s budget was left for it (3.00 s"
                        + " remained, kept for the phases after it and the closing), and it needs at least 400 ms;"
                        + " give a longer --time to measure it");
    }

    @Test
    void aPhaseWithinItsShareOrATinyOverrunNeedsNoNote() {
        Budget b = new Budget(10 * S, now::get);
        long t0 = b.now();
        now.addAndGet(2 * S + Budget.TOLERANCE_NANOS);
        assertThat(b.ran("trial 1/2: threads(1)", t0, 2 * S, "never said")).isEqualTo(2 * S + Budget.TOLERANCE_NANOS);
        assertThat(b.fits("trial 2/2: threads(2)", b.slice(0, 1), 400 * MS)).isTrue();
        assertThat(b.notes()).isEmpty();
        now.addAndGet(7 * S);
        assertThat(b.summary()).isEqualTo("measuring took 9.25 s of its 10.0 s budget (--time)");
    }

    @Test
    void theLeastTimeSkippedEveryTrialAndGaveAVerdictFromTheProbeAlone() {
        // --time 2.5s was valid, and the probe's share alone left 0 ns for the trials
        assertThat(Advisor.MIN_TIME.toNanos())
                .as(
                        "the least --time holds the probe, %d trials at their least, the duel's share and the closing",
                        Trials.MAX_PLANS)
                .isGreaterThanOrEqualTo(Conductor.leastBudgetNanos(Trials.MAX_PLANS));
        for (double cpu : new double[] {0.001, 0.3, 0.5, 1}) {
            for (long median : new long[] {10_000, 10_000_000}) {
                for (int cores : new int[] {1, 2, 8, 64}) {
                    assertThat(Trials.plan(RulesTest.probe(cpu, median, 0), cores, 10_000))
                            .hasSizeLessThanOrEqualTo(Trials.MAX_PLANS);
                }
            }
        }
        assertThatThrownBy(() -> Advisor.Options.defaults().withTime(Duration.ofMillis(2500)))
                .hasMessageContaining("between 8s and 1h");
    }
}
