package dev.tandem.protocol;

import java.io.IOException;
import java.io.Serial;

/**
 * A shared array that cannot travel by reference ({@link SharedRef}): it is closed, its segment is
 * gone, or the payload goes where the lane is off. The message names the array and what to do.
 */
public final class SharedArrayException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and what to do
     * @param cause the cause, or null
     */
    public SharedArrayException(String message, Throwable cause) {
        super(message, cause);
    }
}
