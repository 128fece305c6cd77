package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step count printed when the lab is not on a terminal. */
class ProgressTest {
    /**
     * Was: an experiment repeated on a busy machine printed [16/16], [17/17] ... [29/29], the total growing
     * with each step. Now the repeat's steps are added to the total when it is decided.
     */
    @Test
    void aRepeatedExperimentAddsItsStepsToTheTotalUpFront() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true)) {
            p.begin(List.of("races"), 2);
            p.experiment("races");
            p.step("races: one");
            p.step("races: two");
            p.more(2);
            p.note("races: repeating");
            p.step("races: one");
            p.step("races: two");
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("[  2/  2")
                .contains("] races: repeating")
                .contains("[  3/  4")
                .contains("[  4/  4")
                .doesNotContain("[  3/  3");
    }

    /** Was: on a busy machine the count jumped from [../49] to [../62] mid-run and nothing said why. */
    @Test
    void theStepTotalJumpedMidRunWithoutSayingWhy() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true)) {
            p.begin(List.of("isolation"), 13);
            p.experiment("isolation");
            for (int i = 0; i < 13; i++) {
                p.step("isolation: drill " + i);
            }
            p.repeat("isolation", 13, "its verdict would rest on noise (load 15)");
            p.step("isolation: drill 0");
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("1 experiment (isolation), 13 steps (" + Progress.GROWS + ")") // was "1 experiments"
                .contains("] isolation: repeating, its verdict would rest on noise (load 15); 13 more steps, 26 in all")
                .contains("[ 14/ 26");
    }
}
