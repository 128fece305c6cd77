package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** tandem advise --interactive, driven through its prompts with an injected input stream. */
class InterviewTest {
    private static AdviseCommandTest.Run answer(String... lines) {
        return AdviseCommandTest.run(String.join("\n", lines) + "\n", "--interactive");
    }

    @Test
    void mostlyWaitingTasksManyAtOnceGetVirtualThreads() {
        AdviseCommandTest.Run r = answer("5", "20ms", "2000", "0", "n", "n", "n", "n", "none");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("1. Of a task's time")
                .contains("9. Longest acceptable latency")
                .contains("VERDICT: Use virtual threads: 2000 mostly waiting tasks")
                .contains("starting a virtual thread took 2.00 µs here against 60.0 µs for a platform thread");
    }

    @Test
    void defaultsDescribeCpuBoundJavaAndGetThreadsPerCore() {
        AdviseCommandTest.Run r = answer("", "", "", "", "", "", "", "", "");
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(r.out())
                .contains("VERDICT: Use threads(" + cores + "): CPU-bound Java runs on every core")
                .contains("40.0 MiB per worker");
    }

    @Test
    void crashRiskGetsProcessesWithTheMeasuredRestartCost() {
        AdviseCommandTest.Run r = answer("100", "50ms", "2", "0", "n", "y", "n", "n", "");
        assertThat(r.out())
                .contains("VERDICT: Use processes(")
                .contains("a task can end its JVM")
                .contains("replaces just that worker, which takes about 300 ms here");
    }

    @Test
    void tinyTasksGetBatching() {
        AdviseCommandTest.Run r = answer("100", "2us", "", "", "", "", "", "", "");
        assertThat(r.out()).contains("batch tasks this short with map()").contains("pool.map(fn, inputs)");
    }

    @Test
    void sharedDataIsPricedWithTheMeasuredCopyRate() {
        AdviseCommandTest.Run r = answer("100", "5ms", "", "200m", "y", "n", "y", "n", "");
        assertThat(r.out())
                .contains("do not copy the 200 MiB that tasks share into each worker (about 600 ms per worker")
                .contains(
                        "put it in a dev.tandem.ipc.SharedByteArray (or SharedLongArray, SharedDoubleArray for numbers)")
                .contains("about 8.00 ms for all of it here")
                .contains("isolation and shared mutable state pull apart");
    }

    @Test
    void aBadAnswerIsAskedAgain() {
        AdviseCommandTest.Run r = answer("150", "90", "", "", "", "", "", "", "", "");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("'150' is not valid here: expected a percentage from 0 to 100");
    }

    @Test
    void inputEndingEarlyNamesTheQuestion() {
        AdviseCommandTest.Run r = answer("50");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("input ended before an answer to: 2. How long does one task take");
    }

    @Test
    void threeBadAnswersGiveUpWithTheExpectedForm() {
        AdviseCommandTest.Run r = answer("x", "y", "z");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no valid answer to: 1.").contains("last answer 'z'; expected a number");
    }

    @Test
    void theMachineCostsAreMeasuredNotAssumed() {
        CostProbe.Costs c = CostProbe.measure();
        assertThat(c.threadStartNanos()).isPositive();
        assertThat(c.virtualStartNanos()).isPositive();
        assertThat(c.threadRoundTripNanos()).isPositive();
        assertThat(c.copyNanosPerMiB()).isPositive();
        assertThat(c.processError()).isNull();
        assertThat(c.processStartNanos())
                .isGreaterThan(c.processRoundTripNanos())
                .isPositive();
        assertThat(c.workerRssBytes()).isGreaterThan(1L << 20);
    }

    @Test
    void sharedDataReadByThreadsStaysInPlaceAndNamesTandemsSharedArraysForLater() {
        AdviseCommandTest.Run r = answer("100", "5ms", "", "200m", "n", "n", "n", "n", "");
        assertThat(r.out())
                .contains("VERDICT: Use threads(")
                .contains("threads read the 200 MiB in place")
                .contains("SharedByteArray");
    }

    @Test
    void noLineOfTheAnswerHoldsOnlyASemicolonOrOtherPunctuation() {
        List<String[]> answers = List.of(
                new String[] {"", "", "", "", "", "", "", "", ""},
                new String[] {"5", "20ms", "2000", "0", "n", "n", "n", "n", "none"},
                new String[] {"100", "5ms", "", "200m", "y", "n", "y", "n", ""},
                new String[] {"100", "50ms", "2", "0", "n", "y", "n", "n", ""},
                new String[] {"100", "2us", "", "", "", "", "", "", ""},
                new String[] {"50", "10ms", "8", "1g", "y", "y", "y", "y", "50ms"},
                new String[] {"1", "2s", "100000", "64k", "n", "n", "y", "n", "1ms"});
        for (String[] a : answers) {
            AdviseCommandTest.Run r = answer(a);
            assertThat(r.exit()).isZero();
            for (String line : r.raw().split("\n")) {
                assertThat(line.strip())
                        .as("a line of the answer to %s", String.join("|", a))
                        .doesNotMatch("[;,.:!?]+");
            }
        }
    }
}
