package dev.tandem.spi;

/**
 * Starts workers for one conductor. Thread-safe: several starts may run at once.
 */
public interface WorkerStarter extends AutoCloseable {
    /**
     * Starts a worker and returns it once it takes tasks. Blocks, for at most the pool's
     * {@code workerStartTimeout}.
     *
     * @param id the worker's id
     * @param listener where the worker reports; it may report its end before this method returns
     * @return the ready worker
     * @throws RuntimeException a {@code WorkerStartException} naming why it could not start
     */
    Worker start(int id, WorkerListener listener);

    /**
     * The pool needs no more workers (it is stopping and has none left): starts still waiting (for a
     * cluster node that may never come) should give up at once. Called under the conductor's lock;
     * must not block.
     */
    default void abandonStarts() {}

    /**
     * {@return whether {@code failure}, thrown by {@link #start}, means no start can succeed any more
     * (a cluster pool that has been without any node past its limit): then the pool fails at once
     * with its message, instead of counting the failure against its restart limit and trying again}
     * Called under the conductor's lock; must not block.
     */
    default boolean gaveUp(RuntimeException failure) {
        return false;
    }

    /** Releases what the starter holds (a socket, a folder); workers already started are not touched. */
    @Override
    void close();
}
