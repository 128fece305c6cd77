package dev.tandem.lab;

import java.util.Locale;

/** How a section's numbers bear on the note's claim. */
enum Outcome {
    /** The numbers agree with the claim. */
    SUPPORTED,
    /** The numbers contradict the claim. */
    REFUTED,
    /** Some numbers agree and some contradict, or the claim holds only in some conditions. */
    MIXED,
    /** The spread is too wide, or a needed number is missing. */
    INCONCLUSIVE,
    /** Nothing could be measured (for example, process mode is not available). */
    NOT_MEASURED;

    /** {@return the lower-case name used in JSON and reports} */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
