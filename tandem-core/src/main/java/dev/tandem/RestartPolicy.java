package dev.tandem;

import java.util.ArrayDeque;

/**
 * The restart budget of a process pool: how many unplanned worker deaths it tolerates within a
 * window, and how long a replacement waits after each.
 *
 * <p>Backoff is exponential from the second death in the window on: 0, b, 2b, 4b, ... capped at the
 * maximum backoff, so a pool whose workers die in a loop does not spend the machine restarting them.
 * Past {@code maxRestarts} deaths within the window the budget is spent and the pool fails.
 *
 * <p>Time is an argument ({@code now}, in {@link System#nanoTime()} units), so the policy is tested
 * without a clock. Not thread-safe: the pool calls it under its lock.
 */
final class RestartPolicy {
    /** The answer of {@link #onCrash} when the budget is spent. */
    static final long GIVE_UP = -1;

    private final int maxRestarts;
    private final long windowNanos;
    private final long backoffNanos;
    private final long maxBackoffNanos;
    /** When the deaths of the window happened, oldest first. */
    private final ArrayDeque<Long> deaths = new ArrayDeque<>();

    RestartPolicy(int maxRestarts, long windowNanos, long backoffNanos, long maxBackoffNanos) {
        this.maxRestarts = maxRestarts;
        this.windowNanos = windowNanos;
        this.backoffNanos = backoffNanos;
        this.maxBackoffNanos = maxBackoffNanos;
    }

    static RestartPolicy of(PoolOptions options) {
        return new RestartPolicy(
                options.maxRestarts(),
                options.restartWindow().toNanos(),
                options.restartBackoff().toNanos(),
                options.maxRestartBackoff().toNanos());
    }

    /**
     * Counts an unplanned death at {@code now}.
     *
     * @return the nanoseconds the replacement should wait, or {@link #GIVE_UP}
     */
    long onCrash(long now) {
        while (!deaths.isEmpty() && now - deaths.peekFirst() > windowNanos) {
            deaths.pollFirst();
        }
        if (deaths.size() >= maxRestarts) {
            return GIVE_UP;
        }
        deaths.addLast(now);
        int n = deaths.size();
        return n <= 1 ? 0 : Math.min(maxBackoffNanos, backoffNanos << Math.min(30, n - 2));
    }

    /** {@return the deaths counted in the current window} */
    int deathsInWindow() {
        return deaths.size();
    }
}
