package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

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
}
