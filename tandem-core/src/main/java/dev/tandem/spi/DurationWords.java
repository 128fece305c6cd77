package dev.tandem.spi;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as people read them in messages: "5 s", "250 ms", "1.5 s", "40 µs" ({@link Duration#toString()}
 * writes "PT5S", "PT0.25S"), for the engine's and the cluster's messages; not API. Stateless and
 * thread-safe.
 */
public final class DurationWords {
    private DurationWords() {}

    /** {@return {@code d} in the largest unit of ns, µs, ms and s that keeps it at 1 or more, without trailing zeros} */
    public static String of(Duration d) {
        try {
            long ns = d.toNanos();
            long abs = Math.abs(ns);
            if (ns == 0) {
                return "0 s";
            }
            if (abs < 1_000) {
                return ns + " ns";
            }
            if (abs < 1_000_000) {
                return BigDecimal.valueOf(ns, 3).stripTrailingZeros().toPlainString() + " µs";
            }
            if (abs < 1_000_000_000) {
                return BigDecimal.valueOf(ns, 6).stripTrailingZeros().toPlainString() + " ms";
            }
            return BigDecimal.valueOf(ns, 9).stripTrailingZeros().toPlainString() + " s";
        } catch (ArithmeticException tooLong) {
            return d.getSeconds() + " s";
        }
    }
}
