package dev.tandem;

import java.io.Serial;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task, its input or its result could not be copied between the caller and a worker JVM. The
 * {@link #boundary()} says which of the four crossings failed.
 *
 * <p>Thrown directly by {@code submit} when the task itself cannot be encoded, so nothing is queued;
 * otherwise it is the cause of the task's {@link java.util.concurrent.ExecutionException}.
 */
public final class TaskSerializationException extends RejectedExecutionException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The four places where a task's data crosses a process boundary. */
    public enum Boundary {
        /** Serializing the task (and what it captured) in the caller. */
        ENCODE_TASK_IN_CALLER,
        /** Deserializing the task in the worker, for example a class missing there. */
        DECODE_TASK_IN_WORKER,
        /** Serializing the task's result (or exception) in the worker. */
        ENCODE_RESULT_IN_WORKER,
        /** Deserializing the result in the caller, including the caller's safety filter. */
        DECODE_RESULT_IN_CALLER
    }

    private final Boundary boundary;

    TaskSerializationException(Boundary boundary, String message, Throwable cause) {
        super(boundary + ": " + message, cause);
        this.boundary = boundary;
    }

    /** {@return where the copy failed} */
    public Boundary boundary() {
        return boundary;
    }
}
