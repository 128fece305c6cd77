package dev.tandem.cluster;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The caller's watch on its nodes' silence ({@link NodeStarter} runs {@link #check} every 200 ms): a
 * session whose oldest call got no answer for a poll's wait plus {@code nodeFailureTimeout} (plus a
 * second) ends as lost.
 *
 * <p>A stall of the caller itself (the watch ran late: the caller was paused by SIGSTOP, or starved
 * of CPU) is not the nodes' silence: a call counts as unanswered only from the end of the caller's
 * last stall, so that answers that waited in its socket meanwhile are read first. Was: a caller
 * frozen for 20 s declared its healthy nodes lost ("no answer for 20115 ms; the task may still be
 * running there") as it resumed. The stall is also told ({@link #callerStall}) when a node says it
 * ended the session of this caller, silent past its lease.
 *
 * <p>Thread-safe: {@link #check} runs on the watch thread only; {@link #callerStall} on any.
 */
final class SilenceWatch {
    /** A gap between two checks (every 200 ms) longer than this is a stall of the caller. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long pollWaitNanos;
    private final long failureTimeoutNanos;

    /** When {@link #check} last ran, in nanoTime; written by the watch thread only. */
    private volatile long lastCheckNanos = System.nanoTime();
    /** When this caller last resumed from a stall, in nanoTime; 0 if never. */
    private volatile long resumedNanos;
    /** How long that stall was. */
    private volatile long stalledNanos;
    /** Whether the watch stopped (the pool closed): a gap since its last check is then no stall. */
    private volatile boolean stopped;

    SilenceWatch(long pollWaitNanos, long failureTimeoutNanos) {
        this.pollWaitNanos = pollWaitNanos;
        this.failureTimeoutNanos = failureTimeoutNanos;
    }

    /** The watch stopped: its thread no longer runs {@link #check}. */
    void stop() {
        stopped = true;
    }

    /** Ends the sessions silent past the limit, not counting this caller's own stall. */
    void check(List<NodeWorker> workers) {
        check(workers, System.nanoTime());
    }

    void check(List<NodeWorker> workers, long now) {
        long gap = now - lastCheckNanos;
        lastCheckNanos = now;
        if (gap > STALL_NANOS) {
            stalledNanos = gap;
            resumedNanos = now;
        }
        long limit = pollWaitNanos + failureTimeoutNanos + TimeUnit.SECONDS.toNanos(1);
        long resumed = resumedNanos;
        for (NodeWorker w : workers) {
            long sent = w.oldestCallNanos();
            long silentSince = sent != 0 && resumed != 0 && resumed - sent > 0 ? resumed : sent;
            if (sent != 0 && now - silentSince > limit) {
                w.silent(now - sent);
            }
        }
    }

    /**
     * {@return this caller's last stall in words, if it lasted at least half its lease on the nodes
     * (its {@code nodeFailureTimeout}) and ended within two leases plus a poll's wait, in which the
     * answers it explains arrive, or ends now (the watch has not run for that long); else null}
     */
    String callerStall() {
        return callerStall(System.nanoTime());
    }

    String callerStall(long now) {
        long stalled = stalledNanos;
        long resumed = resumedNanos;
        long sinceCheck = now - lastCheckNanos;
        if (!stopped && sinceCheck > STALL_NANOS && sinceCheck > stalled) {
            // Resuming now: the watch has not run since (Hazelcast's heartbeat check may come first).
            stalled = sinceCheck;
            resumed = now;
        }
        if (resumed == 0
                || stalled < failureTimeoutNanos / 2
                || now - resumed > 2 * failureTimeoutNanos + pollWaitNanos) {
            return null;
        }
        return "this caller was stalled (paused or starved of CPU) for " + stalled / 1_000_000
                + " ms; its lease on the node, its nodeFailureTimeout, is " + failureTimeoutNanos / 1_000_000
                + " ms";
    }
}
