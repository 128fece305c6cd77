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
}
