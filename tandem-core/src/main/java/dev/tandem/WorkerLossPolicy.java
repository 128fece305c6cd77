package dev.tandem;

import dev.tandem.spi.WorkerEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What becomes of a task that was running on a worker that died without the pool planning it: run
 * again, failed with the worker's loss, or failed as poison. The rules, in order:
 * <ol>
 * <li>The death is recorded in the {@link PoisonLedger} against the task's bytes, if the task ran
 * alone on the worker and the worker was not lost with its cluster node (a node runs no user code);
 * a death by a signal from outside counts only if it repeats (see {@link PoisonLedger}).
 * <li>A task whose bytes are now blamed for {@code poisonThreshold} deaths fails with
 * {@link PoisonTaskException}.
 * <li>Else a task that has been sent to workers at most {@code retriesOnWorkerLoss} times, this one
 * included, runs again, first in the queue: it runs at most {@code 1 + retriesOnWorkerLoss} times.
 * <li>Else it fails with the {@link WorkerLostException}.
 * </ol>
 * Deaths the pool planned (timeouts, cancels, recycling, shutdown) are not judged: the task the kill
 * was aimed at fails with it, and bystanders go back to the queue. Which is which, of the tasks a
 * dead worker held, is {@link #sort}'s to say.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class WorkerLossPolicy {
    /** The fate of one task. */
    enum Fate {
        RETRY,
        FAIL,
        POISON
    }

    /**
     * A judgement.
     *
     * @param fate what becomes of the task
     * @param deaths the deaths now blamed on its bytes
     */
    record Verdict(Fate fate, int deaths) {}

    /** What a task a dead worker held was, for its fate. */
    enum Role {
        /** Never started (held ahead of the running ones): back to the queue's front, attempt not counted. */
        UNSTARTED,
        /** Running beside the task a planned kill was aimed at: back to the queue's front, attempt not counted. */
        BYSTANDER,
        /** Running when the pool killed the worker for it (or for all it ran): fails with the worker's loss. */
        AIMED,
        /** Running when the worker died unplanned: {@link #judge}d. */
        LOST
    }

    /**
     * One task of a dead worker, sorted.
     *
     * @param task the task
     * @param role what it was
     */
    record Sorted<T>(T task, Role role) {}

    /**
     * The tasks a dead worker held, sorted.
     *
     * @param order each task with its role, in the order to handle them: the last held first, so
     *     that tasks put back at the queue's front, one by one, keep the order they had
     * @param running how many of them were running: the first {@code slots} held, or for a lost
     *     node all but those it was never sent
     */
    record Sorting<T>(List<Sorted<T>> order, int running) {}

    private final PoisonLedger poison;
    private final int retries;
    private final int threshold;

    /**
     * @param retries {@code retriesOnWorkerLoss}
     * @param threshold {@code poisonThreshold}
     * @param clock the time in nanoseconds, for the ledger's forgetting
     */
    WorkerLossPolicy(int retries, int threshold, LongSupplier clock) {
        this.retries = retries;
        this.threshold = threshold;
        this.poison = new PoisonLedger(threshold, clock);
    }

    /**
     * {@return the fate of a task that was running on a worker that died unplanned}
     *
     * @param fingerprint the task's fingerprint, asked for only when the death is recorded
     * @param attempts how often the task was sent to a worker, this time included
     * @param running how many tasks the worker was running when it died
     * @param end how the worker ended
     */
    Verdict judge(LongSupplier fingerprint, int attempts, int running, WorkerEnd end) {
        int deaths = end.nodeLoss() != null
                ? 0
                : poison.onDeath(fingerprint.getAsLong(), running == 1, PoisonLedger.outsideSignal(end.signal()));
        if (deaths >= threshold) {
            return new Verdict(Fate.POISON, deaths);
        }
        return new Verdict(attempts <= retries ? Fate.RETRY : Fate.FAIL, deaths);
    }

    /**
     * {@return the tasks a dead worker held, sorted by what each was}
     *
     * @param held the tasks it held, oldest first: the running ones, then those held ahead
     * @param slots how many it runs at once
     * @param plannedDeath whether the pool killed or stopped it
     * @param aim the task a planned kill was aimed at, or null if it was aimed at all it ran
     * @param nodeLoss the loss of its node, or null; ignored when the death was planned
     */
    static <T> Sorting<T> sort(List<T> held, int slots, boolean plannedDeath, T aim, WorkerEnd.NodeLoss nodeLoss) {
        WorkerEnd.NodeLoss lost = plannedDeath ? null : nodeLoss;
        // A lost node may have started any task it was sent (see WorkerEnd.NodeLoss).
        int running = Math.clamp(lost == null ? slots : held.size() - lost.unstarted(), 0, held.size());
        List<Sorted<T>> order = new ArrayList<>(held.size());
        for (int j = held.size() - 1; j >= 0; j--) {
            T t = held.get(j);
            Role role = j >= running
                    ? Role.UNSTARTED
                    : !plannedDeath ? Role.LOST : aim != null && t != aim ? Role.BYSTANDER : Role.AIMED;
            order.add(new Sorted<>(t, role));
        }
        return new Sorting<>(order, running);
    }

    /** {@return whether a task with this fingerprint is poison now} */
    boolean isPoison(long fingerprint) {
        return poison.isPoison(fingerprint);
    }

    /** {@return the deaths blamed on this fingerprint now} */
    int deaths(long fingerprint) {
        return poison.deaths(fingerprint);
    }

    /** A task ran to its end on a worker: see {@link PoisonLedger#onCompleted}. */
    void onCompleted(LongSupplier fingerprint) {
        poison.onCompleted(fingerprint);
    }
}
