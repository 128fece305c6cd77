package dev.tandem;

import java.io.Serial;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * A task ran longer than the pool's {@link PoolOptions#taskTimeout() task timeout}. Its future fails
 * at the deadline; the task is interrupted (thread modes) or its worker JVM is killed and replaced
 * (process and hybrid modes), so that the work really stops.
 */
public final class TaskTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    TaskTimeoutException(String task, Duration timeout, String action) {
        super(task + " timed out after " + words(timeout) + "; " + action);
        this.timeout = timeout;
    }

    /** {@return the timeout as people read it, "5 s" or "250 ms" ({@link Duration#toString()} wrote "PT5S")} */
    private static String words(Duration d) {
        try {
            long ns = d.toNanos();
            if (ns < 1_000_000) {
                return ns < 1_000
                        ? ns + " ns"
                        : BigDecimal.valueOf(ns, 3).stripTrailingZeros().toPlainString() + " µs";
            }
            if (ns < 1_000_000_000) {
                return BigDecimal.valueOf(ns, 6).stripTrailingZeros().toPlainString() + " ms";
            }
            return BigDecimal.valueOf(ns, 9).stripTrailingZeros().toPlainString() + " s";
        } catch (ArithmeticException tooLong) {
            return d.getSeconds() + " s";
        }
    }

    /** {@return the timeout that was exceeded} */
    public Duration timeout() {
        return timeout;
    }
}
