package dev.tandem;

import java.io.Serial;
import java.util.concurrent.RejectedExecutionException;

/**
 * The pool gave up: its worker JVMs died more often than its restart limit allows
 * ({@link Tandem.Builder#restartLimit}), so it stopped restarting them instead of looping. Every task
 * that had not completed fails with this exception, and new submissions are rejected with it. The
 * cause is the last worker death.
 */
public final class PoolFailedException extends RejectedExecutionException {
    @Serial
    private static final long serialVersionUID = 1L;

    PoolFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
