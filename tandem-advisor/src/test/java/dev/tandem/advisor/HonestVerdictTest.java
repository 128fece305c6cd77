package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every sentence of a verdict follows from what was measured in that run: a skipped trial is named as
 * skipped, never as "measured clearly slower"; a verdict that rests on no trial says it is no measured
 * comparison; the busy-machine banner says only what happened. The regressions come from
 * {@code ext.Exits} (System.exit on its third call) with {@code --time 5s} on a busy machine.
 */
class HonestVerdictTest {
    private static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 14.4);
    private static final long MS = 1_000_000;
    private static final String RAN_OUT =
            "the budget was used up before the trials, a trial needs at least 400 ms; give a longer --time";
    private static final Advice.MachineLoad BUSY = new Advice.MachineLoad(
            5, 2, 14.4, 14.3, 1.57, 0, true, "load average 14.4 to 14.3 on 2 CPUs; other processes used 1.57 CPUs");

    /** The probe of a task that calls System.exit(3) on its third call. */
    static Advice.Probe exits() {
        return new Advice.Probe(
                2,
                0,
                null,
                21_600,
                30_000,
                1,
                0,
                0,
                false,
                192,
                82,
                null,
                true,
                "System.exit(3) during call #3",
                3,
                List.of(),
                677 * MS);
    }

    static Advice.Trial skipped(Mode mode, int workers, int tpw) {
        return new TrialOutcome(new Trials.Plan(mode, workers, tpw, workers * tpw, false)).skip(RAN_OUT);
    }

    static List<Advice.Trial> onlyProcesses1Ran(double throughput) {
        return List.of(
                RulesTest.trial("processes(1)", Mode.PROCESSES, 1, 1, false, throughput, 5 * MS, MS, 50L << 20),
                skipped(Mode.PROCESSES, 2, 1),
                skipped(Mode.HYBRID, 1, 2));
    }

    @Test
    void exitsSaidEveryModelThatSuitsMeasuredClearlySlowerWhenTheyWereSkipped() {
        Advice.Verdict v = Rules.decide(exits(), onlyProcesses1Ran(190), Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        String decision = String.join("\n", v.decision());
        assertThat(decision)
                .doesNotContain("every model that suits the task measured clearly slower")
                .contains("no model that suits the task was compared with it")
                .contains("processes(2) was skipped (the budget was used up");
        assertThat(v.summary())
                .doesNotContain("measured fastest")
                .contains("processes(1) measured 190/s, the only model measured that may run it")
                .contains("processes(2) was skipped (the budget was used up")
                .as("a hybrid may not run a task that ends its JVM: not among the models that may run it, but named as"
                        + " not measured, with why it is ruled out (was: left out of the list of skipped models)")
                .doesNotContain("processes(2) and hybrid(1x2)")
                .contains("hybrid(1x2) was skipped too, and is ruled out: it runs several tasks in one worker JVM");
    }

    @Test
    void resourcesQuotedTheSameProcessesTrialTwiceAsItsOwnReference() {
        Advice.Verdict v = Rules.decide(exits(), onlyProcesses1Ran(190), Advice.Requirements.NONE, MACHINE);
        String resources = v.reasons().stream()
                .filter(r -> r.angle() == Advice.Angle.RESOURCES)
                .findFirst()
                .orElseThrow()
                .text();
        assertThat(resources).doesNotContain("in processes(1), ").doesNotContain("threads add no JVM");
    }

    @Test
    void aTrialThatRanButCompletedNothingWasCalledNoModelCouldBeMeasured() {
        Advice.Trial empty = RulesTest.trial("processes(1)", Mode.PROCESSES, 1, 1, false, 0, -1, -1, 50L << 20);
        Advice.Trial none = TrialFixture.of(empty)
                .withCompleted(0)
                .withThroughput(0)
                .withSamples(List.of())
                .withoutLatencies()
                .withPoolStart(1_990 * MS)
                .build();
        List<Advice.Trial> trials = List.of(none, skipped(Mode.PROCESSES, 2, 1), skipped(Mode.HYBRID, 1, 2));
        Advice.Verdict v = Rules.decide(exits(), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.summary())
                .doesNotContain("no model could be measured")
                .contains("no model was measured, so this is not a measured comparison")
                .contains("processes(1) failed: ran but completed no task (its pool took 1.99 s to start)")
                .contains("processes(2) was skipped (the budget was used up");
        assertThat(v.decision()).anySatisfy(d -> assertThat(d).contains("not a measured comparison"));
    }

    @Test
    void theBusyBannerSaidCloseCallsWereMeasuredAgainWhenNoneWas() {
        Advice.Verdict v = Rules.decide(exits(), onlyProcesses1Ran(190), Advice.Requirements.NONE, MACHINE);
        Advice noDuel = advice(v, List.of());
        assertThat(Terminal.render(noDuel)).contains("THE MACHINE WAS BUSY").doesNotContain("side by side");
        assertThat(Report.markdown(noDuel)).contains("The machine was busy").doesNotContain("side by side");
        Advice dueled = advice(v, List.of("threads(2)", "virtual(8)"));
        assertThat(Report.runBusy(dueled))
                .isEqualTo("times are inflated, and threads(2) and virtual(8) were measured again side by side");
    }

    private static Advice advice(Advice.Verdict v, List<String> sideBySide) {
        return new Advice(
                "ext.Exits",
                MACHINE,
                Advice.Requirements.NONE,
                5_000 * MS,
                exits(),
                onlyProcesses1Ran(190),
                BUSY,
                v,
                4_780 * MS,
                List.of("measuring took 4.78 s of its 5.00 s budget (--time)"),
                sideBySide);
    }
}
