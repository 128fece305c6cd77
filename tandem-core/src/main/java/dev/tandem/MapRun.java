package dev.tandem;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongConsumer;

/**
 * One call of {@link TaskPool#map} or one stream of {@link TaskPool#mapStream} or
 * {@link TaskPool#mapAsCompleted}: feeds inputs to the pool in batches, with a bounded window of
 * batches in flight, and hands out outputs in input order or in completion order. Built on
 * {@code submit} alone.
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
 * object per element for numbers and strings. Outputs are handed out batch by batch as they came:
 * {@code map} keeps them packed in the list it returns ({@link MapOutputs}), boxed only when read.
 *
 * <p><b>Window</b>: at most {@code 2 x parallelism} batches are in flight or completed but not yet
 * handed out, so an endless iterable does not fill the heap, and inputs are read only when the
 * consumer asks for more outputs than are ready.
 *
 * <p><b>Concurrency.</b> Confined to the consuming thread, except {@link #completed}, which the
 * futures' completion actions fill from whichever thread completed them, and {@link #close()},
 * which may come from any thread. The consumer waits on {@link #completed} rather than on one
 * future, so it sees (and reports progress for) every batch as it completes, in any order.
 *
 * <p><b>Lifecycle</b>: {@code OPEN -> CLOSED}, by {@link #close()}, the last output handed out, or a
 * failure. Closing cancels every batch still in flight with {@code cancel(true)} and reads no more
 * inputs.
 */
final class MapRun<T, R> implements Iterator<R>, AutoCloseable {
    static final long TARGET_BATCH_NANOS = 20_000_000L;
    static final int MAX_BATCH = 1 << 16;
    /**
     * The most data a batch should carry, its inputs as sent plus its outputs as they come back:
     * 8 MiB. Large inputs or outputs (a MiB each, say) then come a few per batch, so neither a
     * worker's heap nor a frame has to hold thousands.
     */
    static final long TARGET_BATCH_BYTES = 8L << 20;

    private final AbstractTaskPool pool;
    private final TaskFunction<T, R> fn;
    private final Iterable<T> inputs;
    private final boolean inputOrder;
    private final LongConsumer progress;
    private final int window;
    /** Batches whose future is done, in completion order; filled by completion actions. */
    private final LinkedBlockingQueue<Pending> completed = new LinkedBlockingQueue<>();
    /** Batches submitted and not yet handed out, in input order. Changed by the consumer only. */
    private final ConcurrentLinkedDeque<Pending> inFlight = new ConcurrentLinkedDeque<>();
    /** Input order: completed batches waiting for those before them, by start index. */
    private final Map<Long, BatchResult> early = new HashMap<>();
    /** Batches of outputs ready to hand out, in order; the first from {@link #readyAt}. Consumer only. */
    private final ArrayDeque<List<?>> ready = new ArrayDeque<>();
    /** Whether batches' inputs are packed into columns at once: isolated modes, where they are copied. */
    private final boolean isolated;

    private Iterator<T> it;
    /** The next output of the first ready batch. Consumer only. */
    private int readyAt;

    private long nextIndex;
    private long doneInputs;
    private int batchSize = 1;
    private volatile boolean closed;

    MapRun(
            AbstractTaskPool pool,
            TaskFunction<T, R> fn,
            Iterable<T> inputs,
            boolean inputOrder,
            LongConsumer progress) {
        this.pool = pool;
        this.fn = Objects.requireNonNull(fn, "fn");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.inputOrder = inputOrder;
        this.progress = progress;
        int parallelism =
                Math.min(pool.options().parallelism(), 4 * Runtime.getRuntime().availableProcessors());
        this.window = Math.max(2, 2 * parallelism);
        this.isolated = pool.mode().isolated();
    }

    /**
     * Runs to the end and returns every output, for {@code map}: the batches as they came, not
     * copied element by element (see {@link MapOutputs}).
     */
    List<R> toList() {
        MapOutputs<R> out = new MapOutputs<>();
        while (hasNext()) {
            List<?> head = ready.poll();
            out.append(readyAt == 0 ? head : head.subList(readyAt, head.size()));
            readyAt = 0;
        }
        return out;
    }

    /** {@return whether no output is ready} Drops the batches already handed out. */
    private boolean noneReady() {
        while (!ready.isEmpty() && readyAt >= ready.peekFirst().size()) {
            ready.poll();
            readyAt = 0;
        }
        return ready.isEmpty();
    }

    @Override
    public boolean hasNext() {
        if (!noneReady()) {
            return true;
        }
        if (closed) {
            return false;
        }
        boolean ok = false;
        try {
            fill();
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
        if (noneReady()) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more outputs");
        }
        @SuppressWarnings("unchecked")
        R r = (R) ready.peekFirst().get(readyAt++);
        return r;
    }

    /** Submits up to the window, then waits for completed batches until some output is ready. */
    private void fill() {
        if (it == null) {
            it = inputs.iterator();
        }
        while (noneReady() && !closed) {
            while (it.hasNext() && inFlight.size() < window) {
                submitBatch();
            }
            if (inFlight.isEmpty()) {
                return; // inputs exhausted, everything handed out
            }
            Pending p = take();
            BatchResult result = await(p);
            doneInputs += p.size;
            long bytes = p.future instanceof ProcessFuture<?> pf ? pf.sentBytes() + pf.replyBytes : 0;
            batchSize = nextBatchSize(batchSize, p.size, result.nanos(), bytes);
            if (progress != null) {
                progress.accept(doneInputs);
            }
            if (!inputOrder) {
                inFlight.remove(p);
                addAll(result);
                continue;
            }
            early.put(p.start, result);
            while (!inFlight.isEmpty() && early.containsKey(inFlight.peekFirst().start)) {
                addAll(early.remove(inFlight.pollFirst().start));
            }
        }
    }

    private void submitBatch() {
        List<Object> batch = new ArrayList<>(Math.min(batchSize, 1024));
        while (batch.size() < batchSize && it.hasNext()) {
            batch.add(it.next());
        }
        NotifyingFutureTask<BatchResult> f = pool.submitNotifying(new Batch<>(fn, pack(batch, isolated), nextIndex));
        Pending p = new Pending(f, nextIndex, batch.size());
        inFlight.add(p);
        f.whenDone(() -> completed.add(p));
        nextIndex += batch.size();
        if (closed) { // closed from another thread meanwhile: close() may not have seen this batch
            f.cancel(true);
        }
    }

    private void addAll(BatchResult result) {
        if (!result.outputs().isEmpty()) {
            ready.add(result.outputs());
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

    private Pending take() {
        try {
            return completed.take(); // bounded by the batches' own lifetimes: each completes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("map interrupted");
            ce.initCause(e);
            throw ce;
        }
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
            return p.future.get(); // done already: it came from `completed`
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("map interrupted");
            ce.initCause(e);
            throw ce;
        } catch (CancellationException e) {
            throw new TaskExecutionException(p.start, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TaskExecutionException tee) {
                throw new TaskExecutionException(tee.inputIndex(), tee.getCause());
            }
            throw new TaskExecutionException(p.start, cause);
        }
    }

    /** Stops reading inputs and cancels every batch in flight. Idempotent; any thread. */
    @Override
    public void close() {
        closed = true;
        for (Pending p : inFlight) {
            p.future.cancel(true);
        }
    }

    private record Pending(NotifyingFutureTask<BatchResult> future, long start, int size) {}

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
