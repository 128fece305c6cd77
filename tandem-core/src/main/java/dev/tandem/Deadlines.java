package dev.tandem;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon timer thread shared by all pools for task deadlines, restart backoff and handshake
 * timeouts. Actions run on it must be short and must not block.
 */
final class Deadlines {
    private static final ScheduledThreadPoolExecutor TIMER;

    static {
        TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tandem-deadlines");
            t.setDaemon(true);
            return t;
        });
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private Deadlines() {}

    static ScheduledFuture<?> schedule(Runnable action, long delayNanos) {
        return TIMER.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
    }
}
