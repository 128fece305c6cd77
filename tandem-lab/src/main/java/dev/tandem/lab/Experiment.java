package dev.tandem.lab;

/**
 * One question of the note, measured. An experiment fills its {@link Section} with the note's claim,
 * the method, metrics, a table or two, one chart and a verdict computed from its numbers, and names
 * the metrics the verdict rests on ({@link Section#restsOn}), so that the lab can repeat a noisy
 * experiment and call it inconclusive if it stays noisy.
 */
interface Experiment {
    /** {@return the name on the command line, such as {@code switching}} */
    String id();

    /** {@return a new, empty section with the title and the note's claim} */
    Section section();

    /** {@return how many progress steps {@link #run} will report, for the progress bar} */
    int steps(Bench bench);

    /**
     * Measures and fills {@code section}. Calls {@link Bench#step(String)} before each step.
     *
     * @throws Exception if the experiment cannot go on; the lab reports it and runs the next one
     */
    void run(Bench bench, Section section) throws Exception;

    /** {@return false if the experiment only reads others' results, so that repeating it measures nothing new} */
    default boolean measures() {
        return true;
    }
}
