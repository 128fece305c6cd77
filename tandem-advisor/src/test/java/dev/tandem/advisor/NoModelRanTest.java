package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A task no model could run gets no recommendation, and the one line that says so rests on what ran: the probe
 * saw no call return, and every trial that ran completed no task, or none ran. Was: "Use processes(2)" with a
 * {@code taskTimeout(30000 ms)} drawn from nothing for a task that never returns, which fails every task.
 */
class NoModelRanTest {
    private static final long MS = 1_000_000;
    private static final String HUNG =
            "call #1, counting from 1, was still running, and the probe had made no progress for 1.2 s, past its"
                    + " limit of 1.00 s on this machine, so it was killed";

    /** The probe of a task whose first call never returned: the probe killed it at its deadline. */
    static Advice.Probe hung() {
        Advice.Probe e = HonestVerdictTest.exits();
        return new Advice.Probe(
                0,
                0,
                null,
                -1,
                -1,
                e.cpuShare(),
                e.allocatedBytesPerCall(),
                e.retainedBytesPerCall(),
                true,
                e.taskBytes(),
                -1,
                null,
                true,
                HUNG,
                -1,
                List.of(),
                e.jvmStartNanos());
    }

    private static Advice.Trial timedOut(String label, int workers, long failed) {
        return RulesTest.failing(
                RulesTest.trial(label, Mode.PROCESSES, workers, 1, false, 0, -1, -1, 50L << 20),
                failed,
                "TaskTimeoutException",
                "TaskTimeoutException: the task ran past its 1 s timeout");
    }

    @Test
    void aTaskThatNeverReturnedGotProcessesWithATimeoutDrawnFromNothing() {
        String line = Conductor.noModelRan(
                "com.acme.Hangs",
                hung(),
                List.of(
                        HonestVerdictTest.skipped(Mode.THREADS, 2, 1),
                        timedOut("processes(1)", 1, 3),
                        timedOut("processes(2)", 2, 4)));
        assertThat(line)
                .startsWith("com.acme.Hangs never returned from a call and no model could be measured, so there is no"
                        + " recommendation (in the probe: " + HUNG + "; then processes(1), processes(2) completed no"
                        + " task: 7 TaskTimeoutException): make the task return (")
                .endsWith(", then run the advisor again");
    }

    /** A busy machine can spend the budget on the probe's deadline: the line says no trial ran, and why. */
    @Test
    void whenNoTrialRanTheLineSaysSoAndClaimsNothingAboutEveryCall() {
        String line = Conductor.noModelRan(
                "com.acme.Hangs",
                hung(),
                List.of(HonestVerdictTest.skipped(Mode.PROCESSES, 1, 1), HonestVerdictTest.skipped(Mode.HYBRID, 1, 2)));
        assertThat(line)
                .startsWith("com.acme.Hangs did not return from its first call and no model could be measured")
                .contains("; then no trial ran: the budget was used up before the trials")
                .doesNotContain("every call")
                .doesNotContain("never returned");
    }

    @Test
    void aModelThatCompletedTasksOrAProbeCallThatReturnedLeavesTheVerdictToTheRules() {
        Advice.Trial measured =
                RulesTest.trial("processes(1)", Mode.PROCESSES, 1, 1, false, 190, 5 * MS, MS, 50L << 20);
        assertThat(Conductor.noModelRan("com.acme.Hangs", hung(), List.of(measured, timedOut("processes(2)", 2, 4))))
                .isNull();
        // System.exit on the third call: two calls returned first, so the trials decide
        assertThat(Conductor.noModelRan(
                        "com.acme.Exits", HonestVerdictTest.exits(), List.of(timedOut("processes(1)", 1, 3))))
                .isNull();
    }
}
