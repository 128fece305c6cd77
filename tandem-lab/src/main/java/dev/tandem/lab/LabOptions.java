package dev.tandem.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of one lab run, validated by {@link LabCommand}.
 *
 * @param experiments the experiment ids to run, in the lab's order
 * @param quick whether to use the quick budget (whole run under a minute)
 * @param seed the seed of every random choice
 * @param out the report directory
 * @param compare an earlier results.json to compare with, or {@code null}
 * @param progress whether to draw a progress bar
 */
record LabOptions(List<String> experiments, boolean quick, long seed, Path out, Path compare, boolean progress) {
    LabOptions {
        experiments = List.copyOf(experiments);
    }

    /** {@return the number of repeats of a measurement: fewer in quick mode, never fewer than 3} */
    int repeats() {
        return quick ? 5 : 9;
    }
}
