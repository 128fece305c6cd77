package dev.tandem.advisor;

import dev.tandem.TaskPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;

/** The caller threads of a trial's phase: joined by a deadline, past which their pool is stopped. Stateless. */
final class Callers {
    private Callers() {}

    /** Joins the threads by {@code until}; past it stops the pool so they return. Returns when the last ended. */
    static long joinAll(List<Thread> threads, long until, TaskPool pool, Duration termination) {
        try {
            for (Thread t : threads) {
                long left = until - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    pool.shutdownNow();
                    for (Thread u : threads) {
                        u.interrupt();
                    }
                    for (Thread u : threads) {
                        u.join(termination);
                    }
                    break;
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("advisor interrupted during a trial");
            ce.initCause(e);
            throw ce;
        }
        return System.nanoTime();
    }
}
