package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The races verdict on fixed samples: it rests on the figures it shows. Was: {@code lab --quick} on a busy
 * machine said "supported" under a headline of "unsynchronized threads lost 0 % (volatile ++) and 0 %
 * (plain ++)", the medians, while one repeat of three had lost 1.17 %.
 */
class RacesVerdictTest {
    private static Section races(List<Double> volatileLost, List<Double> plainLost) {
        RacesExperiment e = new RacesExperiment();
        Section s = e.section();
        for (String v : RacesExperiment.VARIANTS) {
            List<Double> lost = switch (v) {
                case "volatile" -> volatileLost;
                case "plain" -> plainLost;
                case "shmPlain" -> List.of(20.0, 26.8, 30.0);
                default -> List.of(0.0, 0.0, 0.0);
            };
            s.add("lost." + v, v + " lost", "%", lost, Map.of());
            s.add("ns." + v, v + " ns", "ns", List.of(60.0, 61.0, 62.0), Map.of());
        }
        s.add("callerCounter.processCopy", "caller's counter", "", List.of(0.0, 0.0, 0.0), Map.of());
        e.verdict(s);
        return s;
    }

    @Test
    void racesSaidSupportedOverAHeadlineOfZeroLostWhenOneRepeatOfThreeLostUpdates() {
        Section s = races(List.of(0.0, 0.0, 1.17), List.of(0.0, 0.0, 0.0));
        assertThat(s.outcome).isEqualTo(Outcome.SUPPORTED);
        assertThat(s.headline)
                .startsWith("unsynchronized threads lost updates in 1 of 3 repeats (up to 1.17 %; median 0 %)"
                        + " (volatile ++), lost no update in 3 repeats (plain ++)");
        assertThat(s.verdict)
                .contains("lost updates in 1 of 3 repeats (up to 1.17 %; median 0 %) with volatile ++")
                .contains("one lost update proves the race");
    }

    @Test
    void noRepeatLosingAnyUpdateIsInconclusiveAndSaysSo() {
        Section s = races(List.of(0.0, 0.0, 0.0), List.of(0.0, 0.0, 0.0));
        assertThat(s.outcome).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(s.headline).contains("lost no update in 3 repeats (volatile ++)");
        assertThat(s.verdict).contains("proves nothing");
    }

    /** Fresh user (session 16): the chart left out the dot of "P: each its own copy" (0.0000928 ns) without a word. */
    @Test
    void aDotTooSmallToDrawWasDroppedSilently() {
        RacesExperiment e = new RacesExperiment();
        Section s = e.section();
        for (String v : RacesExperiment.VARIANTS) {
            s.add("lost." + v, "lost " + v, "%", List.of(0.0, 0.0, 0.0), Map.of());
            s.add("ns." + v, "ns " + v, "ns", List.of(v.equals("processCopy") ? 0.0000928 : 6.7), Map.of());
        }
        e.chart(s);
        assertThat(s.chartCaption).contains("No dot for P: each its own copy (").contains("below 0.1 ns");
        assertThat(s.chartCaption).doesNotContain("T: plain field ++ (");
    }
}
