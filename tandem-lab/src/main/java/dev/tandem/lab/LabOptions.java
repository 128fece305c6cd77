package dev.tandem.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of one lab run, validated by {@link LabCommand} before anything is measured.
 *
 * @param experiments the experiment ids to run, in the lab's order
 * @param quick whether to use the quick budget (whole run in about a minute on an idle 2-CPU machine)
 * @param seed the seed of every random choice
 * @param out the report directory, already created and writable
 * @param compare an earlier run's results to compare with, already read and checked, or {@code null}
 * @param progress whether to draw a progress bar
 */
record LabOptions(List<String> experiments, boolean quick, long seed, Path out, Baseline compare, boolean progress) {
    LabOptions {
        experiments = List.copyOf(experiments);
    }

    /** {@return the number of repeats of a measurement: fewer in quick mode, never fewer than 3} */
    int repeats() {
        return quick ? 5 : 9;
    }

    /** {@return these options writing the report to {@code dir}} */
    LabOptions withOut(Path dir) {
        return new LabOptions(experiments, quick, seed, dir, compare, progress);
    }
}
