package dev.tandem.lab;

import dev.tandem.measure.Stats;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One measured quantity: every raw sample of it (one per repeat), its unit and the parameters it was
 * measured with. Nothing in the report is typed in: each number there is a metric's statistic.
 * Two runs' metrics are compared only when key and parameters are equal, so the parameters name every
 * setting that changes what is measured (sizes, task counts, windows, warm-up).
 *
 * @param key a stable identifier within its section, used to compare runs
 * @param label what was measured, for people
 * @param unit the unit of every sample, such as {@code µs} or {@code MiB}
 * @param samples the raw samples, one per repeat
 * @param params the parameters, such as the message size or the number of workers
 */
record Metric(String key, String label, String unit, List<Double> samples, Map<String, Object> params) {
    Metric {
        Objects.requireNonNull(key, "key");
        samples = List.copyOf(samples);
        params = Map.copyOf(params);
    }

    /** {@return the order statistics of the samples} */
    Stats stats() {
        return Stats.of(samples);
    }

    /** {@return the median, or NaN without samples} */
    double median() {
        return stats().median();
    }

    /** {@return true if the spread is too wide to conclude from (see {@link Stats#tooWide()})} */
    boolean noisy() {
        Stats s = stats();
        return s.n() >= Stats.MIN_SAMPLES
                && Math.abs(s.median()) > 1e-9
                && Double.isFinite(s.relativeSpread())
                && s.relativeSpread() > Stats.WIDE;
    }
}
