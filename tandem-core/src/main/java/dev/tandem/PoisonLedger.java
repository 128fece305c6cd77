package dev.tandem;

import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts, per task fingerprint (a hash of its serialized bytes), how many workers a task was running
 * on alone when they died. A task with {@code threshold} such deaths is poison: it fails with
 * {@link PoisonTaskException} instead of killing more workers, and so does any later submission of
 * the same bytes while the ledger remembers it.
 *
 * <h2>Who is blamed, and for how long</h2>
 * <ul>
 * <li>Deaths where several tasks ran at once (hybrid workers) are not blamed on any of them.
 * <li><b>A signal from outside is blamed only if it repeats.</b> A worker ended by SIGKILL, SIGTERM,
 * SIGINT or SIGHUP ({@link #outsideSignal}) was most likely ended by someone else: an operator's
 * {@code kill}, another program's, or the kernel's OOM killer, which picks the largest process
 * whatever made the machine short of memory. One such death is not blamed on the task that was
 * running; from the second such death of the same task bytes on, every one of them is (the OOM
 * killer that ends each worker running that task is the task's doing, after all). Deaths the task
 * could cause itself (an exit code, {@code System.exit}, {@link OutOfMemoryError}, a native crash:
 * SIGSEGV, SIGBUS, SIGABRT) are blamed from the first. The two cannot be told apart further: the
 * kernel does not say who sent a signal to a process that is gone, and a task could signal its own
 * worker; so with a {@code threshold} of 1 a task that kills its own worker by SIGKILL (or makes
 * the OOM killer do it) is poison at its second such death, not its first (from a threshold of 2
 * on, the count is the same either way).
 * <li>A task whose bytes once <b>ran to their end</b> on a worker (a result or the task's own
 * exception) does not kill workers by itself: its deaths are forgotten at once
 * ({@link #onCompleted}). So a task that failed transiently, or whose workers were killed from
 * outside while it ran, is cleared as soon as it runs through once.
 * <li>Every death is forgotten {@link #FORGET_AFTER_MINUTES} minutes after the task's last blamed
 * death, so that a task made poison by deaths that were not its fault (an operator's or the OOM
 * killer's SIGKILL caused by another program, a service that was down) is tried again later instead
 * of failing for the rest of the pool's life; a task that really kills its worker is poison again
 * after {@code threshold} more deaths. The 10 minutes follow Kubernetes, whose kubelet resets a
 * container's crash-loop backoff after it ran 10 minutes without a crash ("Container restart
 * policy", kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle).
 * </ul>
 * The ledger remembers at most {@link #CAPACITY} fingerprints, least recently touched first out.
 *
 * <p>Time comes from the clock given ({@link System#nanoTime()} in a pool; a hand-moved one in
 * tests), compared by difference. Not thread-safe: the pool calls it under its lock.
 */
final class PoisonLedger {
    static final int CAPACITY = 10_000;
    /** How long a task's deaths are remembered after its last one. */
    static final long FORGET_AFTER_MINUTES = 10;

    private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(FORGET_AFTER_MINUTES);

    private final int threshold;
    private final LongSupplier clock;
    private final Map<Long, Deaths> deaths = new LinkedHashMap<>(16, 0.75f, true) {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Deaths> eldest) {
            return size() > CAPACITY;
        }
    };

    /**
     * The deaths of one fingerprint, and when the last one happened.
     *
     * @param sure deaths the task could have caused itself
     * @param outside deaths by a signal from outside, blamed only when there are two or more
     */
    private record Deaths(int sure, int outside, long last) {
        int blamed() {
            return sure + (outside >= 2 ? outside : 0);
        }
    }

    PoisonLedger(int threshold, LongSupplier clock) {
        this.threshold = threshold;
        this.clock = clock;
    }

    /** {@return the deaths blamed on {@code fingerprint} and not yet forgotten} */
    int deaths(long fingerprint) {
        if (deaths.isEmpty()) {
            return 0;
        }
        Deaths d = deaths.get(fingerprint);
        if (d == null) {
            return 0;
        }
        if (clock.getAsLong() - d.last >= FORGET_AFTER_NANOS) {
            deaths.remove(fingerprint);
            return 0;
        }
        return d.blamed();
    }

    /** {@return whether {@code signal} (as in {@code WorkerEnd.signal()}) is one a task most likely did not send} */
    static boolean outsideSignal(String signal) {
        return signal != null
                && switch (signal) {
                    case "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP" -> true;
                    default -> false;
                };
    }

    /** {@return whether a task with this fingerprint is poison} */
    boolean isPoison(long fingerprint) {
        return deaths(fingerprint) >= threshold;
    }

    /**
     * Records a death of a worker that ran {@code runningAlone ? only this task : several}.
     *
     * @return the deaths now blamed on the task
     */
    int onDeath(long fingerprint, boolean runningAlone) {
        return onDeath(fingerprint, runningAlone, false);
    }

    /**
     * Records a death of a worker that ran {@code runningAlone ? only this task : several}, ended
     * {@code byOutsideSignal} or not (see {@link #outsideSignal}).
     *
     * @return the deaths now blamed on the task
     */
    int onDeath(long fingerprint, boolean runningAlone, boolean byOutsideSignal) {
        int before = deaths(fingerprint); // forgets the old ones first
        if (!runningAlone) {
            return before;
        }
        Deaths d = deaths.get(fingerprint);
        int sure = d == null ? 0 : d.sure;
        int outside = d == null ? 0 : d.outside;
        Deaths now = byOutsideSignal
                ? new Deaths(sure, outside + 1, clock.getAsLong())
                : new Deaths(sure + 1, outside, clock.getAsLong());
        deaths.put(fingerprint, now);
        return now.blamed();
    }

    /**
     * A task ran to its end on a worker: forgets the deaths blamed on its bytes. The fingerprint is
     * asked for only when some death is remembered, since computing it reads the task's bytes.
     */
    void onCompleted(LongSupplier fingerprint) {
        if (!deaths.isEmpty()) {
            deaths.remove(fingerprint.getAsLong());
        }
    }
}
