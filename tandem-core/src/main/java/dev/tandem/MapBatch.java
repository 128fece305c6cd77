package dev.tandem;

import java.io.Serial;
import java.io.Serializable;

/**
 * A batch of a {@link MapRun}'s inputs: the task a worker runs for a map, and what it returns. Kept
 * apart from the map's bookkeeping because it travels: it is serialized to workers and runs there.
 */
final class MapBatch {
    private MapBatch() {}

    /** What a batch returns: its outputs and the time the function took on them. */
    record BatchResult(PackedList outputs, long nanos) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * A batch of inputs: the task that a worker runs. It stops early, returning the outputs of its
     * first inputs, once a {@link BatchBound} is reached.
     *
     * @param fn the function
     * @param inputs the inputs
     * @param start the index of the first input in the map's inputs
     * @param maxOutputBytes the most bytes of outputs to return, 0 for no byte or heap bound
     * @param maxNanos the longest to run, 0 for no limit
     * @param threads how many batches may run at once in the JVM that runs it
     */
    record Batch<T, R>(
            TaskFunction<T, R> fn, PackedList inputs, long start, long maxOutputBytes, long maxNanos, int threads)
            implements Task<BatchResult> {
        @Serial
        private static final long serialVersionUID = 2L;

        @Override
        public BatchResult call() {
            long t0 = System.nanoTime();
            int n = inputs.size();
            BatchBound bound = maxOutputBytes > 0 || maxNanos > 0
                    ? new BatchBound(maxOutputBytes, maxNanos, threads, System::nanoTime)
                    : null;
            PackedList.Builder outputs = new PackedList.Builder(n);
            for (int i = 0; i < n; i++) {
                R output;
                try {
                    @SuppressWarnings("unchecked")
                    T input = (T) inputs.get(i);
                    output = fn.apply(input);
                } catch (RuntimeException | Error e) {
                    throw new TaskExecutionException(start + i, e);
                }
                outputs.add(output);
                if (bound != null && i + 1 < n && bound.reached(output)) {
                    break; // the caller sends the rest again
                }
            }
            return new BatchResult(outputs.build(), System.nanoTime() - t0);
        }
    }
}
