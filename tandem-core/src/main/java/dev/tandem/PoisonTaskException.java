package dev.tandem;

import java.io.Serial;

/**
 * A task was running in {@link PoolOptions#poisonThreshold()} worker JVMs that died, so it is not
 * run again: it and every identical task (same serialized bytes) fail at once instead of killing
 * more workers. The cause is the last {@link WorkerLostException} it caused, if any.
 */
public final class PoisonTaskException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int workersKilled;

    /**
     * @param ran whether this very task was running in a worker that died; false for a task that
     *     never started and is refused because it is identical to one that did
     */
    PoisonTaskException(String task, int workersKilled, boolean ran, Throwable lastLoss) {
        super(
                task + " is a poison task: " + (ran ? "it was" : "it is identical to a task that was")
                        + " running in " + workersKilled + " workers that died, so it is not run"
                        + (ran ? " again" : "") + " for 10 minutes after the last of those deaths; fix the"
                        + " task, or raise poisonThreshold if the deaths were not its fault",
                lastLoss);
        this.workersKilled = workersKilled;
    }

    /** {@return how many workers died while running this task} */
    public int workersKilled() {
        return workersKilled;
    }
}
