package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A failed measurement is no figure in any chart of the report, as it is none in the table. */
class FailedTrialChartTest {
    private static final long MS = 1_000_000;

    /**
     * Was: the table, the terminal and results.json said "threads(2)+map failed … gave no throughput", while the
     * throughput chart drew it as a bar of 830/s (its 3 tasks before the first failing input).
     */
    @Test
    void aFailedMapTrialWasDrawnAsAThroughputBar() {
        Advice.Trial oneByOne = trial("threads(2)", Mode.THREADS, 2, 1, false, 11_411, 4 * MS, 6_000, 0);
        Advice.Trial cut = RulesTest.failing(
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 830, 4 * MS, 6_000, 0),
                1,
                "IllegalStateException",
                "IllegalStateException: every second call");
        assertThat(TrialFailures.failedMeasurement(cut)).isNotNull();
        List<Advice.Trial> trials = List.of(oneByOne, cut);
        Advice.Probe p = probe(0.99, 2 * MS, 0);
        String html = Report.html(NoTrialTableTest.decided("ext.Throws", p, trials));
        int chart = html.indexOf("Throughput (tasks/s)");
        assertThat(chart)
                .as("the chart is drawn for the model that was measured")
                .isPositive();
        assertThat(html).doesNotContain("\"830/s\"").doesNotContain("\"830\"");
        assertThat(html.substring(chart, html.indexOf("Resident memory", chart)))
                .doesNotContain("threads(2)+map");
        assertThat(html).contains("Left out of the charts, failed: threads(2)+map");
    }
}
