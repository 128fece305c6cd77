package dev.tandem;

import java.io.Serial;

/**
 * Thrown by {@link TaskPool#map(TaskFunction, Iterable)} (and the terminal operations of its
 * streams) when an application of the function failed; the cause is what the function threw, or,
 * for an input that failed alone in its batch (see {@link TaskPool#map}), a
 * {@link WorkerLostException}, {@link PoisonTaskException}, {@link TaskTimeoutException} or
 * {@link TaskSerializationException}. {@link #inputIndex()} names that input.
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
