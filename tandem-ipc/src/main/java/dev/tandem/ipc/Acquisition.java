package dev.tandem.ipc;

/**
 * The outcome of acquiring a {@link SharedSemaphore} permit or a {@link SharedLock}, as a robust
 * POSIX mutex reports {@code EOWNERDEAD}.
 */
public enum Acquisition {
    /** Acquired from a free permit. */
    ACQUIRED,
    /**
     * Acquired by taking over the permit of a process that died while holding it. Whatever that
     * process was protecting may be half-updated: check or repair it before relying on it.
     */
    OWNER_DIED,
    /** Not acquired: the timeout elapsed (or, for a non-blocking attempt, nothing was free). */
    TIMED_OUT;

    /** {@return whether the caller now holds the permit or lock} */
    public boolean acquired() {
        return this != TIMED_OUT;
    }
}
