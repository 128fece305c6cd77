package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When no trial ran, the terminal says so where the table would stand. */
class NoTrialTableTest {
    private static final long MS = 1_000_000;

    /** Was: a bare "None." line where the table stands, saying nothing of what happened. */
    @Test
    void aStrayNoneLineStoodWhereTheTableShouldBe() {
        List<Advice.Trial> trials =
                List.of(HonestVerdictTest.skipped(Mode.PROCESSES, 1, 1), HonestVerdictTest.skipped(Mode.HYBRID, 1, 2));
        Advice.Probe p = probe(0.99, 2 * MS, 0);
        String text = Terminal.render(decided("ext.Slow", p, trials));
        assertThat(text).doesNotContain("None.").contains("No model was measured: no trial ran");
    }

    /** {@return the advice the rules give for {@code trials} of {@code task}, as a run without a duel would} */
    static Advice decided(String task, Advice.Probe p, List<Advice.Trial> trials) {
        Advice.Verdict v = Rules.decide(p, trials, Advice.Requirements.NONE, MACHINE);
        return new Advice(
                task,
                MACHINE,
                Advice.Requirements.NONE,
                10_000 * MS,
                p,
                trials,
                null,
                v,
                9_000 * MS,
                List.of(),
                List.of());
    }
}
