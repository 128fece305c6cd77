package dev.tandem.measure;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tandem's {@code dev.tandem} logger while the lab or the advisor measures: they crash, kill and
 * overload workers on purpose (or run a user's task that does), so a worker's death is a measurement
 * for their report, not a warning for the console. During a measurement only a pool's failure
 * ({@code ERROR}, java.util.logging's {@code SEVERE}) is shown; closing the returned handle restores
 * the level the logger had.
 *
 * <p>Thread safety: the level is global to the JVM; open and close from one thread, not nested
 * across threads.
 */
public final class TandemLog implements AutoCloseable {
    /** Held so that java.util.logging keeps the level set here (it holds loggers weakly). */
    private static final Logger TANDEM = Logger.getLogger("dev.tandem");

    private final Level before;

    private TandemLog(Level before) {
        this.before = before;
    }

    /** {@return a handle that shows only a pool's failure until it is closed} */
    public static TandemLog onlyFailures() {
        TandemLog handle = new TandemLog(TANDEM.getLevel());
        TANDEM.setLevel(Level.SEVERE);
        return handle;
    }

    /** Restores the logger's level from before {@link #onlyFailures()}. */
    @Override
    public void close() {
        TANDEM.setLevel(before);
    }
}
