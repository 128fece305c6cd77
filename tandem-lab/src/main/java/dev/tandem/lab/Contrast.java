package dev.tandem.lab;

import dev.tandem.measure.Stats;

/**
 * How one measured cost compares with another, in words: the one rule every sentence of the lab that
 * compares two numbers follows, so that a verdict's table row and the section it quotes can never
 * disagree (one had said "a switch costs about the same" of 1.67x while the switching section said
 * "clearly dearer" of the same numbers).
 *
 * <p>Two costs whose interquartile ranges overlap are {@link #SAME}: not told apart (as in
 * {@link Section#problems()}, a noisy number whose whole interquartile range lies on one side still
 * decides). Told apart, the ratio {@code other / base} decides: within {@link #MATTERS} either way
 * they are {@link #CLOSE}; up to {@link #CLEARLY} they are {@link #DEARER} or {@link #CHEAPER}; beyond
 * it {@link #CLEARLY_DEARER} or {@link #CLEARLY_CHEAPER}.
 */
enum Contrast {
    /** Not told apart: the spreads overlap. */
    SAME("not measurably different from"),
    /** Told apart, but within {@link #MATTERS} of each other: too close to matter. */
    CLOSE("within 25 % of"),
    /** Dearer by a factor between {@link #MATTERS} and {@link #CLEARLY}. */
    DEARER("dearer than"),
    /** Dearer by more than {@link #CLEARLY}. */
    CLEARLY_DEARER("clearly dearer than"),
    /** Cheaper by a factor between {@link #MATTERS} and {@link #CLEARLY}. */
    CHEAPER("cheaper than"),
    /** Cheaper by more than {@link #CLEARLY}. */
    CLEARLY_CHEAPER("clearly cheaper than");

    /** The ratio below which a difference that was told apart is too small to choose by. */
    static final double MATTERS = 1.25;
    /** The ratio beyond which a difference is clear. */
    static final double CLEARLY = 1.5;

    /** The comparison in words, to be followed by the base, such as "clearly dearer than". */
    final String words;

    Contrast(String words) {
        this.words = words;
    }

    /** {@return how {@code other} compares with {@code base}} */
    static Contrast of(Stats base, Stats other) {
        if (base.n() == 0 || other.n() == 0 || !base.separatedFrom(other)) {
            return SAME;
        }
        double ratio = other.median() / base.median();
        if (Math.abs(Math.log(ratio)) < Math.log(MATTERS)) {
            return CLOSE;
        }
        if (ratio > 1) {
            return ratio > CLEARLY ? CLEARLY_DEARER : DEARER;
        }
        return 1 / ratio > CLEARLY ? CLEARLY_CHEAPER : CHEAPER;
    }

    /**
     * {@return false for {@link #SAME}: repeats that overlap decide nothing, so a verdict or a table row that rests
     * on them is inconclusive} The one noise rule of the switching verdict and the verdict table's overhead row.
     */
    boolean decides() {
        return this != SAME;
    }

    /** {@return true if {@code other} was told apart from the base and is dearer by at least {@link #MATTERS}} */
    boolean dearer() {
        return this == DEARER || this == CLEARLY_DEARER;
    }

    /** {@return true if {@code other} was told apart from the base and is cheaper by at least {@link #MATTERS}} */
    boolean cheaper() {
        return this == CHEAPER || this == CLEARLY_CHEAPER;
    }
}
