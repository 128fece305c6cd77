package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report's wording. The regressions: "1 experiment(s)", "1 verdict(s)", "1 workers"; Java's
 * Duration text ("PT0.543S") in the isolation table; "IQR 3427720% of the median".
 */
class ReportWordingTest {
    @Test
    void oneIsSingularAndManyArePlural() {
        assertThat(Section.count(1, "worker", "workers")).isEqualTo("1 worker");
        assertThat(Section.count(2, "worker", "workers")).isEqualTo("2 workers");
        assertThat(Section.count(1, "verdict is", "verdicts are")).isEqualTo("1 verdict is");
        assertThat(Section.count(0, "experiment was", "experiments were")).isEqualTo("0 experiments were");
    }

    @Test
    void javaDurationTextInAFaultMessageReadsAsSeconds() {
        assertThat(IsolationExperiment.readableDurations(
                        "task dev.tandem.lab.Fault$Injection timed out after PT0.543S; its thread was interrupted"))
                .isEqualTo("task dev.tandem.lab.Fault$Injection timed out after 0.543 s; its thread was interrupted");
        assertThat(IsolationExperiment.readableDurations("within PT1M2S")).isEqualTo("within 1 min 2 s");
        assertThat(IsolationExperiment.readableDurations("PTX and OPT5S stay")).isEqualTo("PTX and OPT5S stay");
    }

    @Test
    void anIqrManyTimesTheMedianIsARatioNotAPercentage() {
        assertThat(Section.spread(34_277.2)).isEqualTo("34,277× the median").doesNotContain("%");
        assertThat(Section.spread(0.42)).endsWith("of the median").contains("%");
    }

    /**
     * Fresh user (session 16): report.md's metric tables gave the median in its best unit and the spread in the
     * metric's own ("247 ms | 247,099 - 247,099"; "331 KiB | 0.321 - 0.324"), unlabelled.
     */
    @Test
    void theSpreadColumnsWereInAnotherUnitThanTheMedian() {
        Section s = new Section("resources", "resources", "claim", "claim");
        s.add("cold", "cold start", "µs", List.of(247_099.0), Map.of());
        s.add("pss", "PSS of cat", "MiB", List.of(0.321, 0.323, 0.324), Map.of());
        List<List<String>> rows = ReportWriter.metricsTable(s).rows();
        assertThat(rows.get(0)).containsSequence("247 ms", "247–247 ms", "247–247 ms");
        assertThat(rows.get(1).get(1)).endsWith(" KiB");
        assertThat(rows.get(1).get(2)).endsWith(" KiB").doesNotContain("0.32");
        assertThat(rows.get(1).get(3)).endsWith(" KiB");
    }
}
