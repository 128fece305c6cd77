package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UsageErrorsTest {
    private static final List<String> EXPERIMENTS =
            List.of("resources", "switching", "sharing", "isolation", "scaling", "races", "verdict");

    /** Was: each command had its own "did you mean" (the lab an edit distance, the CLI picocli's loose guesses). */
    @Test
    void closestSuggestsByEditDistanceOnly() {
        assertThat(UsageErrors.closest("switchng", EXPERIMENTS)).isEqualTo("switching");
        assertThat(UsageErrors.closest("sharng", EXPERIMENTS)).isEqualTo("sharing");
        assertThat(UsageErrors.closest("scal", EXPERIMENTS)).isEqualTo("scaling");
        assertThat(UsageErrors.closest("zzz", EXPERIMENTS)).isNull();
        assertThat(UsageErrors.closest("--quik", List.of("--quick", "--seed", "--out")))
                .isEqualTo("--quick");
        assertThat(UsageErrors.closest("quick", List.of("--quick")))
                .as("not an option without its dashes")
                .isNull();
        assertThat(UsageErrors.closest("nope", List.of("lab", "advise", "node", "info")))
                .isEqualTo("node");
        assertThat(UsageErrors.closest("frobnicate", List.of("lab", "advise", "node", "info", "classpath")))
                .isNull();
    }
}
