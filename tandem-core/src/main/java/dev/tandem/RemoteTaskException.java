package dev.tandem;

import java.io.Serial;

/**
 * A faithful stand-in for an exception thrown by a task in a worker JVM whose class could not be
 * decoded in the caller (not on the caller's class path, not serializable, or refused by the decoding
 * filter). It keeps the original class name, message and stack trace, remote frames included, and
 * the same for its causes.
 */
public final class RemoteTaskException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    RemoteTaskException(String remoteClassName, String message) {
        super(remoteClassName + (message == null ? "" : ": " + message));
        this.remoteClassName = remoteClassName;
    }

    /** {@return the binary name of the exception class thrown in the worker} */
    public String remoteClassName() {
        return remoteClassName;
    }
}
