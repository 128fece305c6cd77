package dev.tandem.it.app;

import java.io.Serializable;

/** The application's own code that its task runs in the worker. */
public final class Work {
    private Work() {}

    /**
     * What the task returns.
     *
     * @param pid the process that computed it
     * @param value the product
     */
    public record Answer(long pid, int value) implements Serializable {}

    /**
     * {@return {@code a * b}, with the id of the process that computed it}
     *
     * @param a a factor
     * @param b a factor
     */
    public static Answer answer(int a, int b) {
        return new Answer(ProcessHandle.current().pid(), a * b);
    }
}
