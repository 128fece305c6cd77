package dev.tandem;

import java.io.Serial;

/**
 * Thrown by {@link TaskPool#map(TaskFunction, Iterable)} when an application of the function
 * failed; the cause is what the task threw, or a {@link WorkerLostException},
 * {@link TaskTimeoutException} or {@link TaskSerializationException}.
 */
public final class TaskExecutionException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long inputIndex;

    /**
     * @param inputIndex index of the failed input in iteration order
     * @param cause what failed
     */
    public TaskExecutionException(long inputIndex, Throwable cause) {
        super("map failed at input #" + inputIndex + ": " + cause, cause);
        this.inputIndex = inputIndex;
    }

    /** {@return the position of the failed input, in iteration order} */
    public long inputIndex() {
        return inputIndex;
    }
}
