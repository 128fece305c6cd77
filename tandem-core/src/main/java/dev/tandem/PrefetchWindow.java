package dev.tandem;

/**
 * How many tasks a worker may hold beyond those it runs: deep for short tasks, so they stream
 * without a round trip each; zero for long ones, so none waits behind another while a worker idles.
 *
 * <p>It keeps an exponentially smoothed mean of task time (weight 0.2 for the newest), measured
 * from the moment a task became one of its worker's running tasks to its reply. Below 1 ms a
 * worker holds 16 tasks per thread beyond those running (times the worker's
 * {@code prefetchFactor}: a cluster node session holds more); below 20 ms one; above, none. It starts
 * at 1 s, as if tasks were long, so the first tasks spread over every worker.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class PrefetchWindow {
    static final double INITIAL_MEAN_NANOS = 1e9;

    private double meanTaskNanos = INITIAL_MEAN_NANOS;

    /** Records that a task took {@code nanos} from start to reply. */
    void onTaskDone(long nanos) {
        meanTaskNanos = 0.8 * meanTaskNanos + 0.2 * nanos;
    }

    /** {@return the tasks a worker of {@code threads} threads may hold beyond those it runs} */
    int prefetch(int threads) {
        return prefetch(threads, 1);
    }

    /**
     * {@return the tasks a worker of {@code threads} threads may hold beyond those it runs, when it
     * holds {@code factor} times the deep window for short tasks (see {@code Worker.prefetchFactor})}
     */
    int prefetch(int threads, int factor) {
        return meanTaskNanos < 1e6 ? 16 * threads * Math.max(1, factor) : meanTaskNanos < 2e7 ? 1 : 0;
    }

    double meanTaskNanos() {
        return meanTaskNanos;
    }
}
