package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A run that a task's hang and a busy machine stretch stays near its budget, and says true things about it. Was: a
 * task that hangs on one input in fifty ran 50.9 s of a 20 s {@code --time}, warned that "the task ended the probe's
 * JVM" (the advisor had killed it), and its verdict named processes(2) as skipped but not hybrid.
 */
class RunBoundsTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 8.5);

    @Test
    void theProbesDeadlineAloneWasLongerThanTheBudgetOnABusyMachine() {
        // 2 s of calls plus 5 s for a 20 s budget, at the pace's ceiling of 16x: 112 s before
        assertThat(Conductor.probeDeadlineNanos(7 * S, 16, 20 * S)).isEqualTo(10 * S);
        assertThat(Conductor.probeDeadlineNanos(7 * S, 2.17, 20 * S)).isEqualTo(10 * S);
        // a quiet machine keeps its deadline, and a short budget never cuts the quiet deadline
        assertThat(Conductor.probeDeadlineNanos(7 * S, 1, 20 * S)).isEqualTo(7 * S);
        assertThat(Conductor.probeDeadlineNanos(3500 * S / 1000, 4, 8 * S)).isEqualTo(4 * S);
        assertThat(Conductor.probeDeadlineNanos(3500 * S / 1000, 1, 8 * S)).isEqualTo(3500 * S / 1000);
    }

    /** The probe of a task whose fourth call hung: the advisor killed the probe's JVM, the task did not end it. */
    private static Advice.Probe hungAtCallFour() {
        Advice.Probe e = HonestVerdictTest.exits();
        return new Advice.Probe(
                3,
                0,
                null,
                6_730_000,
                7_000_000,
                0.98,
                2_100,
                0,
                false,
                747,
                81,
                null,
                true,
                "call #4, counting from 1, was still running, and the probe had made no progress for 8.1 s, past its"
                        + " limit of 2.20 s on this machine, so it was killed",
                -1,
                List.of(),
                e.jvmStartNanos());
    }

    @Test
    void aHungProbeWasSaidToHaveBeenEndedByTheTask() {
        Advice.Verdict v = Rules.decide(
                hungAtCallFour(), HonestVerdictTest.onlyProcesses1Ran(1.4), Advice.Requirements.NONE, MACHINE);
        assertThat(v.warnings())
                .noneSatisfy(w -> assertThat(w).contains("the task ended the probe's JVM"))
                .anySatisfy(
                        w -> assertThat(w).startsWith("a call did not return, so the advisor killed the probe's JVM"));
    }

    @Test
    void theVerdictNamedProcesses2AsSkippedButNotHybrid() {
        Advice.Verdict v = Rules.decide(
                hungAtCallFour(), HonestVerdictTest.onlyProcesses1Ran(1.4), Advice.Requirements.NONE, MACHINE);
        List<Advice.Trial> trials = HonestVerdictTest.onlyProcesses1Ran(1.4);
        // every model in a worker JVM that gave no figure is named in the verdict
        trials.stream()
                .filter(t -> t.mode().isolated() && !Rules.measured(t))
                .forEach(t -> assertThat(v.summary()).contains(t.label()));
        assertThat(v.summary()).contains("hybrid(1x2) was skipped too, and is ruled out");
    }
}
