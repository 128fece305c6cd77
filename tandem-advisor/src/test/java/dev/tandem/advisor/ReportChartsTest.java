package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.measure.Charts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's time charts pick a unit that shows their figures. */
class ReportChartsTest {
    private static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 0.5);

    @Test
    void latencyBarsBelowOneMillisecondWereInvisibleOnALogAxisInMilliseconds() {
        // latencies of 40 to 160 µs: on a log axis in ms every bar lay below 1 and showed nothing
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 20_000, 80_000, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 38_000, 160_000, 6_000, 0));
        Advice.Probe tiny = probe(0.99, 30_000, 0);
        Advice.Verdict v = Rules.decide(tiny, trials, Advice.Requirements.NONE, MACHINE);
        Advice a = new Advice(
                "ext.Tiny",
                MACHINE,
                Advice.Requirements.NONE,
                10_000_000_000L,
                tiny,
                trials,
                null,
                v,
                9_000_000_000L,
                List.of(),
                List.of());
        String html = Report.html(a);
        assertThat(html).contains("Latency, submit to result (µs, log scale)").doesNotContain("(ms, log scale)");
    }

    @Test
    void aTimeAxisTakesTheUnitItsFiguresReadIn() {
        List<Double> subMillisecond = List.of(40_000.0, 120_000.0, 2_500_000.0);
        assertThat(Charts.timeScale(subMillisecond, true).unit())
                .as("log: the smallest is at least 1")
                .isEqualTo("µs");
        assertThat(Charts.timeScale(subMillisecond, false).unit())
                .as("linear: the largest")
                .isEqualTo("ms");
        assertThat(Charts.timeScale(subMillisecond, true).of(subMillisecond))
                .allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        assertThat(Charts.timeScale(List.of(-1.0, Double.NaN), true).unit()).isEqualTo("ms");
    }
}
