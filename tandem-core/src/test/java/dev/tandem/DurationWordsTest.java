package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.spi.DurationWords;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Was: core's messages echoed durations as {@link Duration#toString()} wrote them: "timed out after
 * PT0.25S", "restartBackoff must be >= 0, was PT-1S", "nodeFailureTimeout … was PT0.5S".
 */
class DurationWordsTest {
    @Test
    void durationsReadInTheLargestUnitThatKeepsThemAtOneOrMore() {
        assertThat(DurationWords.of(Duration.ZERO)).isEqualTo("0 s");
        assertThat(DurationWords.of(Duration.ofNanos(800))).isEqualTo("800 ns");
        assertThat(DurationWords.of(Duration.ofNanos(40_500))).isEqualTo("40.5 µs");
        assertThat(DurationWords.of(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(DurationWords.of(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
        assertThat(DurationWords.of(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(DurationWords.of(Duration.ofMillis(-3))).isEqualTo("-3 ms");
        assertThat(DurationWords.of(Duration.ofDays(365L * 1_000))).isEqualTo("31536000000 s");
    }

    @Test
    void optionMessagesNoLongerSayPt() {
        assertThatThrownBy(() -> Tandem.processes(1)
                        .restartBackoff(Duration.ofSeconds(-1), Duration.ofSeconds(1))
                        .start())
                .hasMessageContaining("was -1 s")
                .hasMessageNotContaining("PT");
    }
}
