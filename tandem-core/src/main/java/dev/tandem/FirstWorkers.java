package dev.tandem;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerStarter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Starts a pool's first workers in parallel and waits for every one of them, even after an
 * interrupt, so that none is left running unowned; each start is bounded by the worker start
 * timeout. The interrupt is restored afterwards and reported as the start's failure.
 */
final class FirstWorkers {
    /**
     * @param started per window, the started worker, or null where the start failed
     * @param error the first failure, or null when every worker started
     */
    record Outcome(List<Worker> started, RuntimeException error) {}

    private FirstWorkers() {}

    static Outcome start(List<WorkerWindow> windows, WorkerStarter starter, ExecutorService executor) {
        List<Future<Worker>> starts = new ArrayList<>();
        for (WorkerWindow w : windows) {
            starts.add(executor.submit(() -> starter.start(w.id(), w)));
        }
        RuntimeException error = null;
        boolean interrupted = false;
        List<Worker> started = new ArrayList<>();
        for (Future<Worker> f : starts) {
            while (true) {
                try {
                    started.add(f.get());
                    break;
                } catch (ExecutionException e) {
                    started.add(null);
                    if (error == null) {
                        error = e.getCause() instanceof RuntimeException re
                                ? re
                                : new WorkerStartException(String.valueOf(e.getCause()), e.getCause());
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (error == null) {
                        error = new WorkerStartException("interrupted while starting workers", e);
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new Outcome(started, error);
    }

    /**
     * After a failed start, waits (bounded, 10 s) until the workers that did start have exited and
     * their files, shared-memory channels included, are deleted, so that a retry finds them free.
     *
     * @param pool the pool that failed to start, already stopping
     */
    static void awaitCleanUp(TaskPool pool) {
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
