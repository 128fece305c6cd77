package dev.tandem;

import java.io.Serial;

/**
 * A worker JVM could not start or did not complete its handshake in time. The message holds the
 * command that was run, the JVM's own output (for example "Unrecognized VM option") and its exit
 * code.
 */
public final class WorkerStartException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    WorkerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
