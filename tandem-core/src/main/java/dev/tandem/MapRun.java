package dev.tandem;

import dev.tandem.MapBatch.Batch;
import dev.tandem.MapBatch.BatchResult;
import dev.tandem.protocol.ObjectCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
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
 *
 * <h2>Pieces: early stops, losses and splits</h2>
 * What is read from the inputs and not yet handed out is a set of <em>pieces</em>, contiguous runs of
 * inputs keyed by the index of their first input ({@link #pieces}), each unsent, in flight, or done.
 * <ul>
 * <li><b>Early stop.</b> A running batch is bounded by the bytes of its outputs, the heap of the JVM
 * running it and half the task timeout ({@link BatchBound}): it returns the outputs of its first
 * inputs only. Its piece is then done for those, and the rest of its inputs becomes an unsent piece,
 * sent again in batches of the current size; nothing that completed runs again.
 * <li><b>Split.</b> A batch that failed for a reason that is not its function's exception (its
 * worker died: {@link WorkerLostException}, {@link PoisonTaskException}; {@link TaskTimeoutException};
 * {@link TaskSerializationException} while its inputs or outputs were copied) names no input. Its
 * piece is split into two halves sent again as they are, and so on down to single inputs: the
 * failure of a batch of one input is reported, as a {@link TaskExecutionException} naming that
 * input. Where a worker runs several batches at once (hybrid and cluster workers), a single input
 * lost with its worker may have been a bystander of another's death: it is <em>quarantined</em>,
 * sent again once nothing else of the map is in flight, with nothing beside it, and its failure is
 * reported only if it fails so. An input is thus in at most {@code 1 + ceil(log2(batch size))} failed batches, each retried
 * by the pool first as {@code retriesOnWorkerLoss} and the poison rules say; inputs of a batch lost
 * with its worker that had completed there run again. A batch of inputs that cannot be serialized
 * in this JVM is split the same way, at once, without running anything.
 * </ul>
 * Outputs are handed out in input order: a done piece waits for every piece before it, sent or not.
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
    /**
     * The most bytes of outputs a running batch returns in isolated modes before it stops early:
     * four times {@link #TARGET_BATCH_BYTES}, so that only a batch whose outputs grew far beyond what
     * earlier batches promised stops (see {@link BatchBound}, which also lowers it to the worker's heap).
     */
    static final long MAX_OUTPUT_BYTES = 4 * TARGET_BATCH_BYTES;

    private final AbstractTaskPool pool;
    private final TaskFunction<T, R> fn;
    private final Iterable<T> inputs;
    private final boolean inputOrder;
    private final LongConsumer progress;
    private final int window;
    /** Batches whose future is done, in completion order; filled by completion actions. */
    private final LinkedBlockingQueue<Piece> completed = new LinkedBlockingQueue<>();
    /**
     * The pieces read and not yet handed out, by the index of their first input. Changed by the
     * consumer only; {@link #close()} reads it from any thread.
     */
    private final ConcurrentSkipListMap<Long, Piece> pieces = new ConcurrentSkipListMap<>();
    /** Batches of outputs ready to hand out, in order; the first from {@link #readyAt}. Consumer only. */
    private final ArrayDeque<List<?>> ready = new ArrayDeque<>();
    /** Whether batches' inputs are packed into columns at once: isolated modes, where they are copied. */
    private final boolean isolated;
    /** The bound on a running batch's outputs, in bytes; 0 in thread modes (see {@link BatchBound}). */
    private final long maxOutputBytes;
    /** Half the task timeout, in nanoseconds, or 0 without one (see {@link BatchBound}). */
    private final long maxBatchNanos;
    /** How many batches may run at once in one worker JVM: its threads. */
    private final int threadsPerWorker;

    private Iterator<T> it;
    /** The next output of the first ready batch. Consumer only. */
    private int readyAt;

    private long nextIndex;
    private long doneInputs;
    /** Pieces whose batch is in flight. Consumer only. */
    private int sent;

    private int batchSize = 1;
    /** A batch was accepted: a refusal now cuts the map short. Consumer only. */
    private boolean underWay;

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
        PoolOptions o = pool.options();
        int parallelism = Math.min(o.parallelism(), 4 * Runtime.getRuntime().availableProcessors());
        this.window = Math.max(2, 2 * parallelism);
        this.isolated = pool.mode().isolated();
        this.maxOutputBytes = isolated ? MAX_OUTPUT_BYTES : 0;
        this.maxBatchNanos = halfOf(o.taskTimeout());
        this.threadsPerWorker = o.threadsPerWorker();
    }

    /** {@return half of {@code timeout} in nanoseconds, saturated; 0 for none} */
    static long halfOf(Duration timeout) {
        if (timeout == null) {
            return 0;
        }
        return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
                ? Long.MAX_VALUE / 2
                : Math.max(1, timeout.toNanos() / 2);
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

    /** Sends up to the window, then waits for completed batches until some output is ready. */
    private void fill() {
        if (it == null) {
            it = inputs.iterator();
        }
        while (noneReady() && !closed) {
            sendUpToWindow();
            if (pieces.isEmpty()) {
                return; // inputs exhausted, everything handed out
            }
            Piece p = take();
            BatchResult result = await(p);
            if (result == null) {
                continue; // split: its halves go out with the next sends
            }
            int n = result.outputs().size();
            if (n == 0 || n > p.size) {
                throw new IllegalStateException(
                        "a map batch of " + p.size + " inputs returned " + n + " outputs: a bug in Tandem");
            }
            sent--;
            doneInputs += n;
            long bytes = p.future instanceof ProcessFuture<?> pf ? pf.sentBytes() + pf.replyBytes() : 0;
            batchSize = nextBatchSize(batchSize, n, result.nanos(), bytes);
            if (n < p.size) { // stopped early: the rest goes out again
                Piece rest = new Piece(p.start + n, slice(p.inputs, n, p.size), false);
                pieces.put(rest.start, rest);
            }
            p.done(result);
            if (progress != null) {
                progress.accept(doneInputs);
            }
            if (!inputOrder) {
                pieces.remove(p.start);
                addAll(result);
                continue;
            }
            Map.Entry<Long, Piece> first;
            while ((first = pieces.firstEntry()) != null && first.getValue().result != null) {
                pieces.remove(first.getKey());
                addAll(first.getValue().result);
            }
        }
    }

    /**
     * Sends unsent pieces (first inputs first), then new inputs, while the window has room. A piece
     * in quarantine is sent alone: once nothing else is in flight, and nothing is sent beside it.
     */
    private void sendUpToWindow() {
        while (!closed && sent < window) {
            Piece quarantined = quarantined();
            if (quarantined != null) {
                if (sent == 0 && quarantined.future == null) {
                    send(quarantined);
                }
                return;
            }
            Piece unsent = firstUnsent();
            if (unsent != null) {
                if (!unsent.whole && unsent.size > batchSize) {
                    pieces.remove(unsent.start);
                    Piece head = new Piece(unsent.start, slice(unsent.inputs, 0, batchSize), false);
                    Piece rest =
                            new Piece(unsent.start + batchSize, slice(unsent.inputs, batchSize, unsent.size), false);
                    pieces.put(head.start, head);
                    pieces.put(rest.start, rest);
                    unsent = head;
                }
                send(unsent);
            } else if (it.hasNext() && pieces.size() < window) {
                List<Object> batch = new ArrayList<>(Math.min(batchSize, 1024));
                while (batch.size() < batchSize && it.hasNext()) {
                    batch.add(it.next());
                }
                Piece p = new Piece(nextIndex, pack(batch, isolated), false);
                nextIndex += batch.size();
                pieces.put(p.start, p);
                send(p);
            } else {
                return;
            }
        }
    }

    private Piece firstUnsent() {
        for (Piece p : pieces.values()) {
            if (p.future == null) {
                return p;
            }
        }
        return null;
    }

    /** {@return the first piece in quarantine that is not done, in flight or not, or null} */
    private Piece quarantined() {
        for (Piece p : pieces.values()) {
            if (p.quarantined && p.result == null) {
                return p;
            }
        }
        return null;
    }

    /**
     * Submits a piece as one batch. A piece whose inputs cannot be serialized is split at once, down
     * to the input that cannot, which fails the map naming it.
     */
    private void send(Piece p) {
        NotifyingFutureTask<BatchResult> f;
        try {
            f = pool.submitNotifying(
                    new Batch<>(fn, p.inputs, p.start, maxOutputBytes, maxBatchNanos, threadsPerWorker));
        } catch (TaskSerializationException e) {
            if (!functionTravels()) {
                throw e; // the function itself cannot be sent: no input is to blame
            }
            if (p.size == 1) {
                throw new TaskExecutionException(p.start, e);
            }
            split(p);
            return;
        } catch (RejectedExecutionException e) {
            if (!underWay) {
                throw e; // the pool refused the map itself: it was shut down before the map began
            }
            // Stopped, failed or shut down between two batches (shutdownNow, close from another thread): the
            // pool's own exception if it has one, else the rejection, with where the map stood.
            RejectedExecutionException stopped = pool.cutShort();
            throw cutShort(stopped != null ? stopped : e, null);
        }
        p.future = f;
        underWay = true;
        sent++;
        f.whenDone(() -> completed.add(p));
        if (closed) { // closed from another thread meanwhile: close() may not have seen this batch
            f.cancel(true);
        }
    }

    /** {@return whether the function alone can be serialized; asked only after a batch could not be} */
    private boolean functionTravels() {
        try {
            ObjectCodec.encode(fn, null);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Replaces an unsent or failed piece of two inputs or more by its two halves, unsent and whole. */
    private void split(Piece p) {
        int half = p.size / 2;
        pieces.remove(p.start);
        Piece a = new Piece(p.start, slice(p.inputs, 0, half), true);
        Piece b = new Piece(p.start + half, slice(p.inputs, half, p.size), true);
        pieces.put(a.start, a);
        pieces.put(b.start, b);
        batchSize = Math.max(1, Math.min(batchSize, half));
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
    private static PackedList pack(List<?> batch, boolean isolated) {
        if (!isolated) {
            return new PackedList(batch.toArray());
        }
        PackedList.Builder b = new PackedList.Builder(batch.size());
        for (Object o : batch) {
            b.add(o);
        }
        return b.build();
    }

    /** {@return inputs {@code from} (inclusive) to {@code to} (exclusive) of a piece, packed as it was} */
    private PackedList slice(PackedList inputs, int from, int to) {
        return pack(inputs.subList(from, to), isolated);
    }

    private Piece take() {
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

    /**
     * {@return the batch's result, or null if it failed in a way that names no input and was split}
     *
     * @throws TaskExecutionException naming the input that failed
     */
    private BatchResult await(Piece p) {
        try {
            return p.future.get(); // done already: it came from `completed`
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("map interrupted");
            ce.initCause(e);
            throw ce;
        } catch (CancellationException e) {
            throw cutShort(pool.cutShort(), e); // shutdownNow, not an input: the batch never failed
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // Asked of the pool, not read from the cause: a TaskSerializationException is a rejection too.
            RejectedExecutionException stopped = pool.cutShort();
            if (stopped != null) {
                // The pool failed or was stopped under the batch: an input's failure now (a worker killed, a
                // task interrupted) is the stop's doing; it stays attached, suppressed.
                throw cutShort(stopped, cause);
            }
            if (cause instanceof TaskExecutionException tee) {
                throw new TaskExecutionException(tee.inputIndex(), tee.getCause());
            }
            if (p.size > 1 && namesNoInput(cause)) {
                sent--;
                split(p);
                return null;
            }
            if (cause instanceof WorkerLostException && threadsPerWorker > 1 && !p.quarantined) {
                // Several tasks ran on that worker: this input may be a bystander. It runs again alone.
                sent--;
                Piece again = new Piece(p.start, p.inputs, true);
                again.quarantined = true;
                pieces.put(again.start, again);
                return null;
            }
            throw new TaskExecutionException(p.start, cause);
        }
    }

    /**
     * {@return the exception that ends a map cut short by its pool, not by an input, naming the first input
     * that did not complete and how many did: a {@link PoolFailedException} if the pool failed, a
     * {@link RejectedExecutionException} if it was stopped ({@code shutdownNow}) or shut down, else (a batch
     * cancelled with the pool still running) a {@link CancellationException}} What the batch itself ended
     * with is kept as a suppressed exception.
     *
     * @param stopped what the pool says a submission gets now, or null if it was not stopped and did not fail
     * @param batch how the batch ended: its failure, or the cancellation; null if none had ended
     */
    private RuntimeException cutShort(RejectedExecutionException stopped, Throwable batch) {
        long[] where = firstIncomplete();
        String at = "map cut short at input #" + where[0] + " (" + where[1] + (where[1] == 1 ? " input" : " inputs")
                + " had completed): ";
        RuntimeException e;
        if (stopped instanceof PoolFailedException) {
            e = new PoolFailedException(
                    at + stopped.getMessage(), stopped.getCause() != null ? stopped.getCause() : stopped);
        } else if (stopped != null) {
            e = new RejectedExecutionException(at + stopped.getMessage(), stopped);
        } else {
            e = new CancellationException(at + "its batch was cancelled");
        }
        // The batch's own end, unless it is the pool's failure again (cause or message): it says nothing new.
        boolean same = batch == stopped
                || batch == e.getCause()
                || (batch != null
                        && stopped != null
                        && batch.getClass() == stopped.getClass()
                        && Objects.equals(batch.getMessage(), stopped.getMessage()));
        if (batch != null && !same) {
            e.addSuppressed(batch);
        }
        return e;
    }

    /**
     * {@return the first input that did not complete, and how many inputs had completed, as
     * {@code [index, count]}} Batches come back in the order they completed, not their inputs' order, so
     * the one that reports the stop is not always the first that failed to complete: every piece is
     * looked at, a batch that completed but was not yet taken counts as completed, and all inputs read
     * after the last piece are incomplete.
     */
    private long[] firstIncomplete() {
        long first = -1;
        long count = doneInputs;
        for (Piece q : pieces.values()) { // by first input
            long through = q.result != null ? q.size : 0; // taken already: counted in doneInputs
            if (q.result == null && q.future != null && q.future.state() == Future.State.SUCCESS) {
                through = q.future.resultNow().outputs().size();
                count += through;
            }
            if (first < 0 && through < q.size) {
                first = q.start + through;
            }
        }
        return new long[] {first < 0 ? nextIndex : first, count};
    }

    /**
     * {@return whether a batch's failure says nothing of which input caused it, so that its halves
     * are tried: its worker died (poison included), it timed out, or it could not be copied}
     */
    static boolean namesNoInput(Throwable cause) {
        return cause instanceof WorkerLostException
                || cause instanceof PoisonTaskException
                || cause instanceof TaskTimeoutException
                || cause instanceof TaskSerializationException;
    }

    /** Stops reading inputs and cancels every batch in flight. Idempotent; any thread. */
    @Override
    public void close() {
        closed = true;
        for (Piece p : pieces.values()) {
            NotifyingFutureTask<BatchResult> f = p.future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    /**
     * A contiguous run of inputs, from the one at index {@code start}: unsent, in flight (with a
     * future) or done (with a result). {@code whole}: the half of a failed batch, sent as it is;
     * otherwise sent in batches of the current size.
     */
    private static final class Piece {
        final long start;
        final int size;
        final boolean whole;
        /**
         * Whether it is one input lost with a worker that ran other tasks too, sent again alone
         * (see {@link #sendUpToWindow}). Consumer only.
         */
        boolean quarantined;
        /** Its inputs, until it is done. Consumer only. */
        PackedList inputs;
        /** Set by the consumer when sent; read by {@link #close()} from any thread. */
        volatile NotifyingFutureTask<BatchResult> future;
        /** Its outputs, once done (the first {@code size} of them if it stopped early). Consumer only. */
        BatchResult result;

        Piece(long start, PackedList inputs, boolean whole) {
            this.start = start;
            this.inputs = inputs;
            this.size = inputs.size();
            this.whole = whole;
        }

        void done(BatchResult r) {
            result = r;
            inputs = null;
        }
    }
}
