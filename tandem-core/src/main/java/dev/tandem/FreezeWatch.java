package dev.tandem;

import java.util.concurrent.TimeUnit;

/**
 * When a worker JVM stopped from outside is given up on: the policy of one worker's freeze watch.
 *
 * <h2>Why</h2>
 * A worker stopped by {@code SIGSTOP} (state {@code T} in {@code /proc/<pid>/stat}) keeps its
 * connection open and answers nothing. (The job-control stops, {@code SIGTSTP}, {@code SIGTTIN} and
 * {@code SIGTTOU}, never stop a worker: it ignores them, see the worker's {@code ProcessGroup}.) A task
 * given to it waited for its {@code taskTimeout}, and without one for ever, and so did a
 * {@code close()} waiting for that task. A cluster node frozen so is declared lost after
 * {@code nodeFailureTimeout} (10 s by default); a worker JVM of this machine gets the same bound:
 * stopped for {@link #LIMIT_NANOS} in a row, whether it holds tasks or not, it is killed, its tasks
 * end as after any outside kill (retried when {@code retriesOnWorkerLoss} allows, else
 * {@link WorkerLostException} naming the stop) and it is replaced.
 *
 * <h2>What is not a freeze</h2>
 * A process stopped by a debugger ({@code ptrace}: state {@code t}) is being looked at on purpose and
 * is left alone; so is a worker continued ({@code SIGCONT}) before the bound, whose count starts again
 * at its next stop. Where {@code /proc} cannot be read nothing is ever seen stopped.
 *
 * <p>Time is an argument ({@code now}, in {@link System#nanoTime()} units, compared by difference), so
 * the policy is tested without a clock. Not thread-safe: one worker's watch calls it from the timer.
 */
final class FreezeWatch {
    /** How long a worker may stay stopped: as long as a cluster node's default failure timeout. */
    static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How often a worker's state is looked at: often enough that a worker continued between two stops
     * is seen running (looked at once a second, a 200 ms continue between a 6 s stop and the next was
     * missed, and the two stops counted as one); one read of a small {@code /proc} file each time.
     */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long limitNanos;
    private boolean stopped;
    private long stoppedSince;

    FreezeWatch(long limitNanos) {
        this.limitNanos = limitNanos;
    }

    /**
     * Counts one look at the worker.
     *
     * @param now when it was looked at
     * @param isStopped whether it was stopped by a signal then
     * @return whether it has been stopped for the limit or longer, and is to be killed
     */
    boolean killAfter(long now, boolean isStopped) {
        if (!isStopped) {
            stopped = false;
            return false;
        }
        if (!stopped) {
            stopped = true;
            stoppedSince = now;
        }
        return now - stoppedSince >= limitNanos;
    }

    /** {@return why the worker was killed, in words, for the hint of its tasks' failure} */
    String describe(long now) {
        return "it was stopped from outside (SIGSTOP) for "
                + TimeUnit.NANOSECONDS.toSeconds(now - stoppedSince)
                + " s without answering, so the pool killed it (a stopped worker is given up on after "
                + TimeUnit.NANOSECONDS.toSeconds(limitNanos) + " s, as a frozen cluster node is)";
    }
}
