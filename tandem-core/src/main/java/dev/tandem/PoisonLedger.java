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

    /** The deaths blamed on one fingerprint, and when the last one happened. */
    private record Deaths(int count, long last) {}

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
        return d.count;
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
        int before = deaths(fingerprint);
        if (!runningAlone) {
            return before;
        }
        deaths.put(fingerprint, new Deaths(before + 1, clock.getAsLong()));
        return before + 1;
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
