package dev.tandem;

import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts, per task fingerprint (a hash of its serialized bytes), how many workers a task was running
 * on alone when they died. A task with {@code threshold} such deaths is poison: it fails with
 * {@link PoisonTaskException} instead of killing more workers, and so does any later submission of
 * the same bytes. Deaths where several tasks ran at once (hybrid workers) are not blamed on any of
 * them. Remembers at most {@link #CAPACITY} fingerprints, least recently touched first out.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class PoisonLedger {
    static final int CAPACITY = 10_000;

    private final int threshold;
    private final Map<Long, Integer> deaths = new LinkedHashMap<>(16, 0.75f, true) {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > CAPACITY;
        }
    };

    PoisonLedger(int threshold) {
        this.threshold = threshold;
    }

    /** {@return the deaths blamed on {@code fingerprint}} */
    int deaths(long fingerprint) {
        return deaths.isEmpty() ? 0 : deaths.getOrDefault(fingerprint, 0);
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
        return runningAlone ? deaths.merge(fingerprint, 1, Integer::sum) : deaths(fingerprint);
    }
}
