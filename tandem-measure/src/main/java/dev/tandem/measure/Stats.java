package dev.tandem.measure;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics of repeated samples, with the one percentile definition that the lab and the
 * advisor share: linear interpolation between order statistics, R's type 7 (also NumPy's and
 * Excel's default): for sorted values {@code x[0..n-1]} the {@code p}-quantile is
 * {@code x[h] + (h - floor(h)) (x[floor(h)+1] - x[floor(h)])} with {@code h = (n - 1) p}
 * (Hyndman and Fan, "Sample quantiles in statistical packages", The American Statistician 50(4), 1996).
 *
 * <p>Reports quote the median and the interquartile range (IQR), which one wild sample does not
 * move. A number is <em>noise</em> when its IQR exceeds {@link #WIDE} of its median or fewer than
 * {@link #MIN_SAMPLES} samples exist; two numbers are <em>different</em> only when their IQRs do not
 * overlap. Immutable.
 *
 * @param n the number of samples
 * @param median the median
 * @param q1 the first quartile
 * @param q3 the third quartile
 * @param min the smallest sample
 * @param max the largest sample
 * @param mean the arithmetic mean
 */
public record Stats(int n, double median, double q1, double q3, double min, double max, double mean) {
    /** The IQR, relative to the median, above which a number is too noisy to conclude from. */
    public static final double WIDE = 0.5;
    /** Fewer samples than this say nothing about spread. */
    public static final int MIN_SAMPLES = 3;

    private static final Stats NONE =
            new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** {@return the statistics of the samples; NaN samples are ignored} */
    public static Stats of(List<Double> samples) {
        return of(samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** {@return the statistics of the samples; NaN samples are ignored} */
    public static Stats of(double... samples) {
        double[] v = Arrays.stream(samples).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return NONE;
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

    /** {@return statistics without samples: every value NaN} */
    public static Stats none() {
        return NONE;
    }

    /**
     * {@return the type-7 {@code p}-quantile of sorted values, or NaN if there are none}
     *
     * @param sorted values in ascending order
     * @param p the probability, 0 to 1
     */
    public static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * {@return the type-7 {@code p}-quantile of sorted values, rounded to the nearest long, or -1 if
     * there are none}
     *
     * @param sorted values in ascending order, such as latencies in nanoseconds
     * @param p the probability, 0 to 1
     */
    public static long quantile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return Math.round(sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]));
    }

    /** {@return the interquartile range divided by the median; 0 for a zero median and no spread} */
    public double relativeSpread() {
        if (n == 0) {
            return Double.NaN;
        }
        if (median == 0) {
            return q3 - q1 == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return (q3 - q1) / Math.abs(median);
    }

    /** {@return true if there are too few samples or their spread is too wide to conclude anything} */
    public boolean tooWide() {
        return n < MIN_SAMPLES || relativeSpread() > WIDE;
    }

    /**
     * {@return true if the interquartile ranges of this and {@code other} do not overlap}
     * Two numbers whose middle halves overlap are not called different.
     *
     * @param other the other statistics
     */
    public boolean separatedFrom(Stats other) {
        return n > 0 && other.n > 0 && (q3 < other.q1 || other.q3 < q1);
    }
}
