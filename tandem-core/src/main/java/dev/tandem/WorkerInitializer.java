package dev.tandem;

import java.io.Serializable;

/**
 * Code run once in each worker before it takes its first task: in each worker JVM for process and
 * hybrid pools, in each new thread for thread pools. A worker whose initializer throws does not
 * start, and the pool reports the initializer's exception.
 */
@FunctionalInterface
public interface WorkerInitializer extends Serializable {
    /**
     * Prepares the worker.
     *
     * @throws Exception if the worker cannot be prepared; it is then not used
     */
    void initialize() throws Exception;
}
