package dev.tandem;

import dev.tandem.spi.DurationWords;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The restart policy of a process pool: when a worker that died is replaced, and when the pool gives
 * up because it cannot keep workers alive.
 *
 * <h2>Two kinds of death</h2>
 * <ul>
 * <li>A worker that <b>completed a task</b> since it started and then died was useful: it is
 * replaced at once, and its death does not count against the budget. A pool whose workers are
 * killed now and then (the OOM killer, an operator, a chaos test) keeps its full speed. A cluster
 * node session ended by the node's loss counts as this kind too: the node or the network failed,
 * not this pool's workers (a new session waits for a node that is not suspect, see tandem-cluster).
 * <li>A worker that died <b>before completing any task</b>, and a <b>failed start</b>, are a crash
 * loop: a broken initializer, a missing service, a task that kills every worker it reaches. Only
 * these wait a backoff and count against the budget.
 * </ul>
 *
 * <h2>Backoff and budget</h2>
 * The n-th death of a crash loop waits 0, b, 2b, 4b, ... capped at the maximum backoff. The loop
 * ends when any task completes ({@link #onProgress()}). The pool gives up ({@link #GIVE_UP}) at the
 * crash-loop death that makes more than {@code maxRestarts} within the window, or at one that comes
 * a whole window after the loop began: so a pool that cannot keep a worker alive fails within about
 * {@code restartWindow + maxRestartBackoff + workerStartTimeout}, however slowly its starts fail.
 * (Without the second rule, a backoff of 2 s lets only five deaths into a 10 s window, and a limit of
 * 20 never trips.)
 *
 * <p>Time is an argument ({@code now}, in {@link System#nanoTime()} units, compared by difference
 * so it may wrap), so the policy is tested without a clock. Not thread-safe: the pool calls it under
 * its lock.
 */
final class RestartPolicy {
    /** The answer of {@link #onDeath} when the pool should give up. */
    static final long GIVE_UP = -1;

    private final int maxRestarts;
    private final long windowNanos;
    private final long backoffNanos;
    private final long maxBackoffNanos;
    /** When the crash-loop deaths of the window happened, oldest first. */
    private final ArrayDeque<Long> deaths = new ArrayDeque<>();
    /** Crash-loop deaths since the last completed task. */
    private int streak;
    /** When the current streak began; meaningful while {@code streak > 0}. */
    private long streakStart;
    /** Why the last {@link #GIVE_UP} was answered, in words; null before. */
    private String gaveUpBecause;

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

    /** A task completed: the pool makes progress, so a crash loop, if any, is over. */
    void onProgress() {
        streak = 0;
    }

    /**
     * Counts a death at {@code now}.
     *
     * @param productive whether the worker completed a task since it started (false for a failed start)
     * @return the nanoseconds the replacement should wait, or {@link #GIVE_UP}
     */
    long onDeath(long now, boolean productive) {
        if (productive) {
            return 0;
        }
        while (!deaths.isEmpty() && now - deaths.peekFirst() > windowNanos) {
            deaths.pollFirst();
        }
        if (streak == 0) {
            streakStart = now;
        }
        if (deaths.size() >= maxRestarts) {
            gaveUpBecause = (deaths.size() + 1) + " of them within " + DurationWords.of(Duration.ofNanos(windowNanos))
                    + ", over the restart limit of " + maxRestarts + " (restartLimit)";
            return GIVE_UP;
        }
        if (streak > 0 && now - streakStart >= windowNanos) {
            gaveUpBecause = "the crash loop outlasted the restart limit's window of "
                    + DurationWords.of(Duration.ofNanos(windowNanos)) + " (restartLimit), with backoffs of up to "
                    + DurationWords.of(Duration.ofNanos(maxBackoffNanos)) + " (restartBackoff)";
            return GIVE_UP;
        }
        deaths.addLast(now);
        streak++;
        return streak <= 1 ? 0 : backoff(streak - 2);
    }

    /** {@return b * 2^k, capped at the maximum backoff, without overflow} */
    private long backoff(int k) {
        if (backoffNanos == 0) {
            return 0;
        }
        if (k >= 62 || backoffNanos > (maxBackoffNanos >> k)) {
            return maxBackoffNanos;
        }
        return Math.min(maxBackoffNanos, backoffNanos << k);
    }

    /** {@return the crash-loop deaths counted in the current window} */
    int deathsInWindow() {
        return deaths.size();
    }

    /**
     * {@return the crash loop that ended in {@link #GIVE_UP} at {@code now}, in words, for the failure
     * it ends in} It counts every death of the loop, the one that gave up included, and says which
     * rule gave up.
     */
    String describeLoop(long now) {
        return "workers died or failed to start " + (streak + 1) + " times in "
                + Duration.ofNanos(streak == 0 ? 0 : now - streakStart).toMillis() + " ms without completing a task: "
                + (gaveUpBecause == null ? "the restart limit" : gaveUpBecause);
    }
}
