package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call still running at the probe's deadline is a hang only when the probe also stopped advancing for a limit
 * drawn from its calls and the machine's pace then. Was: at load 33, call #102 of a 0.1 ms task was killed at the
 * probe's 9.7 s deadline and the task was said to never return.
 */
class ProbeStallTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HEAP = 256L << 20;

    @Test
    void theStallLimitScalesWithTheCallsSeenAndThePace() {
        // a 0.1 ms task on a machine 16x slower than quiet: a stall of 9.7 s is not yet a hang
        assertThat(ChildProbe.stallLimitNanos(100_000, 16)).isEqualTo(16_000 * MS);
        // never less than the quiet floor, whatever the pace reads
        assertThat(ChildProbe.stallLimitNanos(0, 0.5)).isEqualTo(ChildProbe.QUIET_STALL_NANOS);
        // slow calls: twenty times the longest
        assertThat(ChildProbe.stallLimitNanos(300 * MS, 1)).isEqualTo(6_000 * MS);
    }

    /** The slow probe of a busy machine, forced: its deadline passes while its calls still return. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aProbeStillAdvancingAtItsDeadlineWasCalledHung() {
        // calls of 20 ms for 3 s, a deadline at 1.5 s: the deadline comes in the middle of the calls
        Advice.Probe p = ChildProbe.run(Subject.of(Workloads.BlockingIo.class), 100, 3_000 * MS, 1_500 * MS, HEAP);
        assertThat(p.jvmEnded()).as("%s", p).isFalse();
        assertThat(p.endedHow()).isNull();
        assertThat(p.calls()).isPositive();
        assertThat(p.medianCallNanos()).isPositive();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aCallThatMakesNoProgressIsStillAHang() {
        Advice.Probe p = ChildProbe.run(Subject.of(Workloads.HangsSometimes.class), 100, 300 * MS, 1_500 * MS, HEAP);
        assertThat(p.jvmEnded()).isTrue();
        assertThat(p.exitCode()).isEqualTo(-1);
        assertThat(p.endedHow())
                .contains("call #4, counting from 1, was still running")
                .contains("no progress for");
        assertThat(p.medianCallNanos()).isPositive();
    }

    /**
     * A hung call is stopped at its stall limit, not at the probe's deadline. Was: {@code --task ext.Hang --time 15s}
     * (every 40th call blocks forever) on a busy machine: the stall was looked at only from the probe's 7.5 s deadline
     * on, against a limit stretched by the pace, and the probe was killed at twice its deadline, 13.8 s after its
     * last progress: the whole budget, and every trial was skipped.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aHungCallAteTheBudgetUntilTwiceTheProbesDeadline() {
        long deadline = 40_000 * MS;
        long t0 = System.nanoTime();
        Advice.Probe p = ChildProbe.run(Subject.of(Workloads.HangsSometimes.class), 100, 300 * MS, deadline, HEAP);
        long took = System.nanoTime() - t0;
        assertThat(p.jvmEnded()).as("%s", p).isTrue();
        assertThat(p.exitCode()).isEqualTo(-1);
        // one clause without parentheses: it is quoted inside others' ("a call did not return in the probe (...)")
        assertThat(p.endedHow())
                .contains("call #4, counting from 1, was still running")
                .contains("no progress for")
                .doesNotContain("(");
        // it was stopped once it stalled, long before its deadline, which once was the first look at the stall
        assertThat(took).as("the probe took %d ms", took / MS).isLessThan(deadline / 2);
    }

    /**
     * A task that calls System.exit on its 1,000th call: the probe ends before its summary line, and was
     * reported as "256 calls, 37 failed" (its detailed calls only) beside "System.exit(3) during call #1000".
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aProbeEndedAfterItsDetailedCallsCountedOnlyThose() {
        Advice.Probe p = ChildProbe.run(Subject.of(Workloads.ExitsLate.class), 100, 20_000 * MS, 60_000 * MS, HEAP);
        assertThat(p.jvmEnded()).as("%s", p).isTrue();
        assertThat(p.endedHow()).contains("System.exit(3)");
        assertThat(p.calls()).as("%s", p).isGreaterThan(ProbeWorker.DETAILED_CALLS);
        assertThat((double) p.failures()).as("%s", p).isCloseTo(p.calls() / 7.0, within(3.0));
    }

    /**
     * A task that hangs on its 600th call, after the detailed calls: the probe knows only a lower bound (its
     * last progress line), and had named "call #N" as if it knew (a task hanging on its 300th was "call #299").
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aHungCallPastTheDetailedOnesWasNamedExactly() {
        Advice.Probe p = ChildProbe.run(Subject.of(Workloads.HangsLate.class), 100, 20_000 * MS, 4_000 * MS, HEAP);
        assertThat(p.jvmEnded()).as("%s", p).isTrue();
        assertThat(p.endedHow()).as("%s", p).containsPattern("a call after #\\d+, counting from 1, was still running");
        int after = Integer.parseInt(p.endedHow().replaceAll(".*a call after #(\\d+),.*", "$1"));
        assertThat(after).isBetween(ProbeWorker.DETAILED_CALLS + 1, 599);
    }
}
