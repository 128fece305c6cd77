package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A verdict's reasons say what its summary says (session 16, a fresh user of issue 13): a failure reason that says
 * nothing needs a process boundary beside a verdict of worker JVMs, a resources reason whose words ran into the
 * cores, data-sharing advice that forgot Tandem's shared arrays outside the questionnaire, and a chart that drew an
 * artefact as the winning bar.
 */
class ReasonsAgreeWithVerdictTest {
    private static final long MS = 1_000_000;

    private static String reason(Advice.Verdict v, Advice.Angle angle) {
        return v.reasons().stream()
                .filter(r -> r.angle() == angle)
                .findFirst()
                .orElseThrow()
                .text();
    }

    @Test
    void anUntrustedTaskGotProcessesWhileItsFailureReasonSaidNothingNeedsABoundary() {
        // printf '100\n50us\n\n500m\ny\nn\nn\ny\n\n' | tandem advise --interactive: "Use processes(2): untrusted or
        // non-thread-safe code needs a JVM of its own" and "Nothing you describe needs a process boundary"
        for (int i = 0; i < 8; i++) {
            boolean crash = (i & 1) != 0;
            boolean leak = (i & 2) != 0;
            boolean untrusted = (i & 4) != 0;
            Interview.Answers a = new Interview.Answers(1, 50_000, 2, 500L << 20, true, crash, leak, untrusted, 0);
            Advice.Verdict v = Interview.verdict(a, AdviseCommandTest.COSTS, MACHINE);
            String failure = reason(v, Advice.Angle.FAILURE);
            if (v.mode().isolated()) {
                assertThat(failure).as("%s", a).doesNotContainIgnoringCase("nothing you describe needs");
            }
            if (untrusted && !crash && !leak) {
                assertThat(failure).contains("untrusted or non-thread-safe code");
            }
        }
    }

    @Test
    void aHeapPerTaskOrIsolateVerdictSaidNothingHereNeedsAProcessBoundary() {
        // ext.Cpu --heap-per-task 12g and ext.NotSer --isolate: "nothing here needs a process boundary" beside a
        // verdict of worker JVMs
        for (Advice.Requirements req :
                List.of(new Advice.Requirements(true, 0, 0), new Advice.Requirements(false, 1L << 30, 0))) {
            Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), req, MACHINE);
            assertThat(v.mode().isolated()).isTrue();
            assertThat(reason(v, Advice.Angle.FAILURE))
                    .as("%s", req)
                    .doesNotContain("nothing here needs a process boundary")
                    .contains("the task's failures need no process boundary, but ");
        }
        Advice.Verdict free =
                Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(reason(free, Advice.Angle.FAILURE)).contains("nothing here needs a process boundary");
    }

    @Test
    void anArtefactsResourcesReasonRanIntoTheCores() {
        // "... an artefact of the measurement (a slowed baseline or a timing burst), not a result on 2 cores (no
        // GIL: Java threads run on every core at once)"
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 200, 80 * MS, 308_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 874, 44 * MS, 95_900, 0));
        Advice.Verdict v = Rules.decide(probe(0.05, 1_100_000, 0), trials, Advice.Requirements.NONE, MACHINE);
        String resources = reason(v, Advice.Angle.RESOURCES);
        assertThat(resources)
                .contains("not a result; on 2 cores Java threads run on every core at once (no GIL)")
                .doesNotContain("not a result on 2 cores");
        // a speed-up that is quoted keeps its cores
        Advice.Verdict plain =
                Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(reason(plain, Advice.Angle.RESOURCES))
                .contains("1.98× threads(1) on 2 cores (no GIL: Java threads run on every core at once)");
    }

    @Test
    void aTaskCapturingThirtyTwoMebibytesWasNotToldOfSharedArrays() {
        // ext.BigData: "A task with its input serializes to 32.0 MiB ... processes copy both on every call", and no
        // word of SharedByteArray outside --interactive
        Advice.Probe big = new Advice.Probe(
                628, 0, null, 81_600, 200_000, 1, 24, 0, true, 32L << 20, 82, null, false, null, -1, List.of(),
                300 * MS);
        Advice.Verdict v = Rules.decide(big, RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(reason(v, Advice.Angle.DATA_SHARING))
                .contains("serializes to 32.0 MiB")
                .contains(SharedData.ARRAYS)
                .contains("carries it by reference")
                .contains("processes(2) paid 60.0 µs of overhead per task copying all 32.0 MiB");
        Advice.Verdict small =
                Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(reason(small, Advice.Angle.DATA_SHARING)).doesNotContain("SharedByteArray");
    }

    @Test
    void theChartDrewAnArtefactAsTheWinningBar() {
        // ext.Exiter: processes(2) 248/s, an artefact, the big green bar with no mark
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 100, 11 * MS, 5_000, 0),
                TrialFixture.of(trial("virtual(1)", Mode.VIRTUAL_THREADS, 0, 1, false, 557, 7 * MS, 1_000, 0))
                        .withCallers(1)
                        .build());
        Advice.Probe waits = probe(0.02, 10 * MS, 0);
        Advice a = new Advice(
                "ext.Sleepy",
                MACHINE,
                Advice.Requirements.NONE,
                10_000 * MS,
                waits,
                trials,
                null,
                Rules.decide(waits, trials, Advice.Requirements.NONE, MACHINE),
                9_000 * MS,
                List.of(),
                List.of());
        String html = Report.html(a);
        assertThat(html)
                .contains("557/s (artefact)")
                .contains("an artefact of the measurement, not a result (see the trials table)");
        assertThat(html).doesNotContain("100/s (artefact)");
    }
}
