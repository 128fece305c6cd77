package dev.tandem;

import dev.tandem.spi.DurationWords;
import java.io.Serial;
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
        super(task + " timed out after " + DurationWords.of(timeout) + "; " + action);
        this.timeout = timeout;
    }

    /** {@return the timeout that was exceeded} */
    public Duration timeout() {
        return timeout;
    }
}
