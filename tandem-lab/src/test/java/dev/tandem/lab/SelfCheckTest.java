package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Load;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --self-check}'s closing words. The regressions: a row ended "not measured: the lab's probe did
 * not finish in time:" with nothing after the colon, and no line said why the exit code was 1.
 */
class SelfCheckTest {
    private static final Load QUIET = new Load(10, 2, 0.5, 0.5, 1.0, 0.1, 0);
    private static final Load BUSY = new Load(10, 2, 5.0, 6.0, 0.2, 1.8, 0);

    @Test
    void aChildThatPrintedNothingLeavesNoDanglingColon() {
        assertThat(SelfCheck.failure("the lab's probe did not finish within 27.4 s", ""))
                .isEqualTo("the lab's probe did not finish within 27.4 s (it printed nothing on stderr)");
        assertThat(SelfCheck.failure("the JMH run failed", "  "))
                .doesNotEndWith(":")
                .doesNotEndWith(": ");
        assertThat(SelfCheck.failure("the JMH run failed", "OutOfMemoryError"))
                .isEqualTo("the JMH run failed: OutOfMemoryError");
    }

    @Test
    void exitCodeOneIsExplainedByTheQuietDisagreement() {
        // the fresh user's run: threads differed on a quiet machine, processes-shm timed out on a busy one
        List<SelfCheck.Pair> pairs = List.of(
                new SelfCheck.Pair("threads", 5.144, 27.844, QUIET, QUIET, 1, null),
                new SelfCheck.Pair("processes", 36.5, 28.6, BUSY, BUSY, 2, null),
                new SelfCheck.Pair(
                        "processes-shm",
                        13303.8,
                        Double.NaN,
                        BUSY,
                        BUSY,
                        2,
                        "the lab's probe did not finish within 27.4 s (it printed nothing on stderr)"));
        int code = SelfCheck.exitCode(pairs);
        assertThat(code).isEqualTo(SelfCheck.EXIT_DISAGREES);
        assertThat(SelfCheck.summary(pairs, code))
                .startsWith("tandem lab --self-check: exit code 1 (the lab disagrees with JMH): ")
                .contains(PoolProbe.label("threads"))
                .contains("27.8 µs")
                .contains("quiet machine");
    }

    @Test
    void exitCodeThreeNamesThePoolsTheBusyMachineLeftUnjudged() {
        List<SelfCheck.Pair> pairs = List.of(
                new SelfCheck.Pair("threads", 5.1, 5.3, QUIET, QUIET, 1, null),
                new SelfCheck.Pair("processes-shm", 13303.8, Double.NaN, BUSY, BUSY, 2, "the lab's probe timed out"));
        int code = SelfCheck.exitCode(pairs);
        assertThat(code).isEqualTo(SelfCheck.EXIT_INCONCLUSIVE);
        assertThat(SelfCheck.summary(pairs, code))
                .contains("exit code 3")
                .contains("was not measured (the lab's probe timed out) on a busy machine");
    }
}
