package dev.tandem.lab;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics of repeated samples: the median and the quartiles (linear interpolation between
 * order statistics, as R's type 7), the extremes and the mean.
 *
 * <p>The lab quotes the median and the interquartile range, which one wild sample does not move; it
 * calls the spread <em>too wide</em> when the IQR exceeds {@link #WIDE} of the median or fewer than
 * {@link #MIN_SAMPLES} samples exist, and then refuses to draw conclusions from that number alone.
 *
 * @param n the number of samples
 * @param median the median
 * @param q1 the first quartile
 * @param q3 the third quartile
 * @param min the smallest sample
 * @param max the largest sample
 * @param mean the arithmetic mean
 */
record Stats(int n, double median, double q1, double q3, double min, double max, double mean) {
    /** The IQR, relative to the median, above which a number is too noisy to conclude from. */
    static final double WIDE = 0.5;
    /** Fewer samples than this say nothing about spread. */
    static final int MIN_SAMPLES = 3;

    static Stats of(List<Double> samples) {
        double[] v = samples.stream()
                .mapToDouble(Double::doubleValue)
                .filter(d -> !Double.isNaN(d))
                .toArray();
        if (v.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        Arrays.sort(v);
        return new Stats(
                v.length,
                quantile(v, 0.5),
                quantile(v, 0.25),
                quantile(v, 0.75),
                v[0],
                v[v.length - 1],
                Arrays.stream(v).average().orElse(Double.NaN));
    }

    /** Type-7 quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** {@return the interquartile range divided by the median; 0 for a zero median and no spread} */
    double relativeSpread() {
        if (median == 0) {
            return q3 - q1 == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return (q3 - q1) / Math.abs(median);
    }

    /** {@return true if there are too few samples or their spread is too wide to conclude anything} */
    boolean tooWide() {
        return n < MIN_SAMPLES || relativeSpread() > WIDE;
    }

    /**
     * {@return true if the interquartile ranges of this and {@code other} do not overlap}
     * Two numbers whose middle halves overlap are not called different.
     *
     * @param other the other statistics
     */
    boolean separatedFrom(Stats other) {
        return q3 < other.q1 || other.q3 < q1;
    }
}
