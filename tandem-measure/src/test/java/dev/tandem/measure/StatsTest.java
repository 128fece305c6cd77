package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianAndQuartilesInterpolateLikeRType7() {
        Stats s = Stats.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0));
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.q1()).isEqualTo(2.0);
        assertThat(s.q3()).isEqualTo(4.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(5.0);
        assertThat(Stats.of(List.of(1.0, 2.0, 3.0, 4.0)).median()).isEqualTo(2.5);
        assertThat(Stats.of(List.of(1.0, 2.0, 3.0, 4.0)).q1()).isCloseTo(1.75, within(1e-12));
    }

    @Test
    void longPercentilesUseTheSameDefinitionAsTheRepeatStatistics() {
        long[] sorted = {10, 20, 30, 40};
        double[] same = {10, 20, 30, 40};
        for (double p : new double[] {0, 0.25, 0.5, 0.9, 0.99, 1}) {
            assertThat(Stats.quantile(sorted, p)).isEqualTo(Math.round(Stats.quantile(same, p)));
        }
        assertThat(Stats.quantile(sorted, 0.5)).isEqualTo(25);
        assertThat(Stats.quantile(new long[0], 0.5)).isEqualTo(-1);
    }

    @Test
    void missingSamplesAreIgnoredAndNoSamplesGiveNaN() {
        assertThat(Stats.of(List.of(Double.NaN, 2.0)).median()).isEqualTo(2.0);
        Stats none = Stats.of(List.of());
        assertThat(none.n()).isZero();
        assertThat(none.median()).isNaN();
        assertThat(none.tooWide()).isTrue();
    }

    @Test
    void spreadIsTooWideWhenTheIqrExceedsHalfTheMedian() {
        assertThat(Stats.of(List.of(10.0, 10.0, 11.0, 10.5)).tooWide()).isFalse();
        assertThat(Stats.of(List.of(1.0, 10.0, 20.0, 30.0)).tooWide()).isTrue();
        assertThat(Stats.of(List.of(1.0, 2.0)).tooWide())
                .as("two samples say nothing about spread")
                .isTrue();
    }

    @Test
    void overlappingInterquartileRangesAreNotCalledDifferent() {
        Stats a = Stats.of(List.of(10.0, 11.0, 12.0, 13.0));
        Stats b = Stats.of(List.of(11.5, 12.0, 13.0, 14.0));
        Stats c = Stats.of(List.of(20.0, 21.0, 22.0));
        assertThat(a.separatedFrom(b)).isFalse();
        assertThat(a.separatedFrom(c)).isTrue();
        assertThat(c.separatedFrom(a)).isTrue();
        assertThat(a.separatedFrom(Stats.none())).isFalse();
    }
}
