package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoiseWordsTest {
    /** Was: "0.200 µs (noise)" for a cost whose repeats ranged from -1 to 1.2 µs: no cost anyone can tell. */
    @Test
    void aCostAtNoiseLevelWasQuotedAsANumber() {
        Section s = new Section("switching", "Switching", "claim", "原文");
        s.add("cost", "extra cost per switch", "µs", List.of(-1.0, -0.5, 0.2, 0.6, 1.2), Map.of());
        s.add("wide", "round trip", "µs", List.of(10.0, 20.0, 40.0, 60.0, 80.0), Map.of());
        s.add("tight", "round trip", "ns", List.of(14_000.0, 14_100.0, 14_200.0), Map.of());
        assertThat(s.quote("cost")).isEqualTo("~0 (noise)");
        assertThat(s.quote("wide")).isEqualTo("40.0 µs (noise)");
        assertThat(s.quote("tight")).isEqualTo("14.1 µs");
    }
}
