package dev.tandem;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One call of {@link TaskPool#map}: feeds inputs to the pool in batches, with a bounded window of
 * batches in flight, and collects outputs in input order.
 *
 * <p><b>Auto batching</b> (after joblib's {@code batch_size="auto"}), by time and by bytes: the
 * first batch holds one input; each completed batch reports how long the function took on it in the
 * worker, and the next batches are sized so that one takes about {@link #TARGET_BATCH_NANOS},
 * growing at most 64x and shrinking at most 2x per step, capped at {@link #MAX_BATCH}, and at once to
 * what keeps a batch's data (its inputs sent plus its outputs returned) near
 * {@link #TARGET_BATCH_BYTES} in isolated modes. Small tasks thus pay one hand-off per thousands of
 * inputs, and long tasks run one per batch so that they spread over every worker.
 *
 * <p><b>Encoding</b>: a batch's inputs and outputs travel as a {@link PackedList}, in columns, with no
 * object per element for numbers and strings; the outputs stay packed in the list this returns
 * ({@link MapOutputs}), boxed only when read.
 *
 * <p><b>Window</b>: at most {@code 2 x parallelism} batches are in flight, so an endless iterable
 * does not fill the heap, and every worker has a next batch queued while the caller waits for the
 * oldest and encodes more. Not thread-safe: one {@code MapRun} per call.
 */
final class MapRun<T, R> {
    static final long TARGET_BATCH_NANOS = 20_000_000L;
    static final int MAX_BATCH = 1 << 16;
    /**
     * The most data a batch should carry, its inputs as sent plus its outputs as they come back:
     * 8 MiB. Large inputs or outputs (a MiB each, say) then come a few per batch, so neither a
     * worker's heap nor a frame has to hold thousands.
     */
    static final long TARGET_BATCH_BYTES = 8L << 20;

    private final TaskPool pool;
    private final TaskFunction<T, R> fn;
    private final Iterable<T> inputs;

    MapRun(TaskPool pool, TaskFunction<T, R> fn, Iterable<T> inputs) {
        this.pool = pool;
        this.fn = Objects.requireNonNull(fn, "fn");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
    }

    List<R> run() {
        int parallelism =
                Math.min(pool.options().parallelism(), 4 * Runtime.getRuntime().availableProcessors());
        int window = Math.max(2, 2 * parallelism);
        boolean isolated = pool.mode().isolated();
        Iterator<T> it = inputs.iterator();
        ArrayDeque<Pending> inFlight = new ArrayDeque<>();
        MapOutputs<R> out = new MapOutputs<>();
        long nextIndex = 0;
        int batchSize = 1;
        try {
            while (it.hasNext() || !inFlight.isEmpty()) {
                while (it.hasNext() && inFlight.size() < window) {
                    List<Object> batch = new ArrayList<>(Math.min(batchSize, 1024));
                    while (batch.size() < batchSize && it.hasNext()) {
                        batch.add(it.next());
                    }
                    Future<BatchResult> f = pool.submit(new Batch<>(fn, pack(batch, isolated), nextIndex));
                    inFlight.add(new Pending(f, nextIndex, batch.size()));
                    nextIndex += batch.size();
                }
                Pending head = inFlight.poll();
                BatchResult result = await(head);
                out.append(result.outputs());
                long bytes = head.future instanceof ProcessFuture<?> pf ? pf.sentBytes() + pf.replyBytes : 0;
                batchSize = nextBatchSize(batchSize, head.size, result.nanos(), bytes);
            }
            return out;
        } finally {
            for (Pending p : inFlight) {
                p.future.cancel(true);
            }
        }
    }

    /**
     * {@return a batch's inputs as they travel: in isolated modes unboxed into a column at once (see
     * {@link PackedList.Builder}), in thread modes as the objects they are, since nothing is copied}
     */
    private static PackedList pack(List<Object> batch, boolean isolated) {
        if (!isolated) {
            return new PackedList(batch.toArray());
        }
        PackedList.Builder b = new PackedList.Builder(batch.size());
        for (Object o : batch) {
            b.add(o);
        }
        return b.build();
    }

    /**
     * @param bytes the size of the completed batch's inputs and result as they travelled to and from
     *     a worker, or 0 in thread modes
     */
    static int nextBatchSize(int current, int completedSize, long nanos, long bytes) {
        long byBytes = bytes <= 0 ? MAX_BATCH : TARGET_BATCH_BYTES / Math.max(1, bytes / Math.max(1, completedSize));
        if (completedSize < current) {
            return (int) Math.max(1, Math.min(current, byBytes)); // a short last batch says little of time
        }
        double perItem = Math.max(1.0, (double) nanos / completedSize);
        long ideal = (long) (TARGET_BATCH_NANOS / perItem);
        long next = Math.max(current / 2, Math.min(ideal, (long) current * 64));
        return (int) Math.max(1, Math.min(Math.min(MAX_BATCH, byBytes), next));
    }

    private BatchResult await(Pending p) {
        try {
            return p.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("map interrupted");
            ce.initCause(e);
            throw ce;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TaskExecutionException tee) {
                throw new TaskExecutionException(tee.inputIndex(), tee.getCause());
            }
            throw new TaskExecutionException(p.start, cause);
        }
    }

    private record Pending(Future<BatchResult> future, long start, int size) {}

    /** What a batch returns: its outputs and the time the function took on them. */
    record BatchResult(PackedList outputs, long nanos) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** A batch of inputs: the task that a worker runs. */
    record Batch<T, R>(TaskFunction<T, R> fn, PackedList inputs, long start) implements Task<BatchResult> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public BatchResult call() {
            long t0 = System.nanoTime();
            int n = inputs.size();
            PackedList.Builder outputs = new PackedList.Builder(n);
            for (int i = 0; i < n; i++) {
                try {
                    @SuppressWarnings("unchecked")
                    T input = (T) inputs.get(i);
                    outputs.add(fn.apply(input));
                } catch (RuntimeException | Error e) {
                    throw new TaskExecutionException(start + i, e);
                }
            }
            return new BatchResult(outputs.build(), System.nanoTime() - t0);
        }
    }
}
