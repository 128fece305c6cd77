package dev.tandem.advisor;

/** Percentiles of sorted samples. */
final class Stats {
    private Stats() {}

    /** {@return the nearest-rank percentile {@code p} (0 to 100) of sorted values, or -1 if none} */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
