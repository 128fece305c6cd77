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

    /** Releases what the starter holds (a socket, a folder); workers already started are not touched. */
    @Override
    void close();
}
