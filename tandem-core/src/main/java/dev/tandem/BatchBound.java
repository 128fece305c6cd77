package dev.tandem;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When a running {@link MapBatch.Batch} stops early and returns the outputs it has: the bound of one
 * batch while it runs, in the JVM that runs it (a worker, in isolated modes).
 *
 * <h2>Why</h2>
 * {@link MapRun} sizes the next batch from what earlier ones cost per input. When outputs grow
 * inside a batch (the 2,000 small ones before the 400 large ones, or sizes that grow with the
 * input), nothing in that estimate bounds the batch while it runs, and its outputs filled the
 * worker's heap until it died of {@link OutOfMemoryError}. So the batch itself checks, after each
 * output, three bounds, and once one is reached it ends with the outputs it has; the caller submits
 * the rest of its inputs again (nothing completed runs twice).
 *
 * <h2>The bounds</h2>
 * <ul>
 * <li><b>Bytes of outputs</b>: at most {@code maxBytes} (given by the caller,
 * {@link MapRun#MAX_OUTPUT_BYTES}), and at most an eighth of this JVM's maximum heap shared by the
 * {@code threads} batches that may run in it at once: the outputs, their serialized form and the
 * copy a frame is assembled into are about three times their size, and the rest is the function's.
 * A value's bytes are estimated from its shape ({@link #estimate}): exact enough for arrays,
 * buffers, strings and numbers; any other object counts {@link #OBJECT_BYTES}, and the heap bound
 * covers what that misses.
 * <li><b>The heap</b>: looked at after the first output, then again after {@link #CHECK_EVERY_BYTES}
 * estimated bytes, or after as many outputs as would, at the heap's growth per output since the last
 * look, fill a sixteenth of the room left (at most {@link #CHECK_EVERY_ITEMS}): so outputs of a shape
 * the estimate does not know are looked at often once they are large, and small ones cost two cheap
 * calls per hundreds. If more than three quarters of the maximum heap is in use, a collection (at
 * most one per batch) tells garbage from what lives; the batch stops if more than half the heap then
 * lives. A heap found that full within the last second ({@link #FULL_HEAP_MEMORY_NANOS}, shared by
 * every batch of this JVM) stops a batch without another collection.
 * <li><b>Time</b>: with a task timeout, a batch stops once it ran half of it, so that a batch of
 * inputs that each take well under the timeout never times out as a whole.
 * </ul>
 * Every batch returns at least one output, so a map always progresses; an input whose output alone
 * does not fit still ends its worker, and the caller then finds that input by splitting (see
 * {@link MapRun}).
 *
 * <p>Not thread-safe: one per running batch, used by the thread running it.
 */
final class BatchBound {
    /** What an output of no known shape is counted as, in bytes. */
    static final long OBJECT_BYTES = 16;
    /** Estimated bytes of outputs between two looks at the heap. */
    static final long CHECK_EVERY_BYTES = 1L << 20;
    /** Outputs between two looks at the heap. */
    static final int CHECK_EVERY_ITEMS = 256;
    /** How long a heap found full stops batches without another collection. */
    static final long FULL_HEAP_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** When a collection last found this JVM's heap more than half full of live objects. */
    private static volatile long heapFullAt;
    /** Whether one ever did. */
    private static volatile boolean heapFullSeen;

    private final long maxBytes;
    private final long maxNanos;
    private final long startNanos;
    private final LongSupplier clock;
    private final Runtime runtime = Runtime.getRuntime();

    private long bytes;
    private long bytesAtCheck;
    private int itemsSinceCheck;
    /** Outputs to count before the next look at the heap. */
    private int checkAfterItems = 1;
    /** The heap in use at the last look. */
    private long usedAtCheck;

    private boolean collected;
    private String reason;

    /**
     * @param maxBytes the most bytes of outputs the caller wants back, or 0 for no byte or heap bound
     *     (thread modes: the outputs are in the caller's heap already)
     * @param maxNanos the longest the batch may run, or 0 for no limit
     * @param threads how many batches may run at once in this JVM
     * @param clock the time in nanoseconds ({@link System#nanoTime()}; another in tests)
     */
    BatchBound(long maxBytes, long maxNanos, int threads, LongSupplier clock) {
        this.maxBytes =
                maxBytes <= 0 ? 0 : Math.min(maxBytes, Runtime.getRuntime().maxMemory() / 8 / Math.max(1, threads));
        this.maxNanos = maxNanos;
        this.clock = clock;
        this.startNanos = maxNanos > 0 ? clock.getAsLong() : 0;
        this.usedAtCheck = this.maxBytes > 0 ? used() : 0;
    }

    /** {@return the byte bound in force: the caller's, lowered to this JVM's heap; 0 for none} */
    long maxBytes() {
        return maxBytes;
    }

    /**
     * Counts one output.
     *
     * @param output what the function returned
     * @return whether the batch must stop now
     */
    boolean reached(Object output) {
        if (maxNanos > 0 && clock.getAsLong() - startNanos >= maxNanos) {
            reason = "ran half the task timeout";
            return true;
        }
        if (maxBytes == 0) {
            return false;
        }
        bytes += estimate(output);
        if (bytes >= maxBytes) {
            reason = "its outputs reached " + bytes + " bytes";
            return true;
        }
        if (++itemsSinceCheck < checkAfterItems && bytes - bytesAtCheck < CHECK_EVERY_BYTES) {
            return false;
        }
        long used = used();
        long growth = Math.max(1, (used - usedAtCheck) / itemsSinceCheck);
        long room = Math.max(0, runtime.maxMemory() - used);
        checkAfterItems = Math.clamp(room / 16 / growth, 1, CHECK_EVERY_ITEMS);
        itemsSinceCheck = 0;
        bytesAtCheck = bytes;
        usedAtCheck = used;
        return heapFull(used);
    }

    /** {@return why the batch stopped, for tests and messages, or null while it runs} */
    String reason() {
        return reason;
    }

    private boolean heapFull(long used) {
        long max = runtime.maxMemory();
        if (used <= max / 4 * 3) {
            return false;
        }
        if (heapFullSeen && clock.getAsLong() - heapFullAt < FULL_HEAP_MEMORY_NANOS) {
            reason = "the heap was found more than half full of live objects";
            return true;
        }
        if (collected) {
            return false; // one collection per batch: this one found mostly garbage
        }
        collected = true;
        System.gc(); // a serial or parallel full collection; only when three quarters are in use
        usedAtCheck = used();
        if (usedAtCheck > max / 2) {
            heapFullAt = clock.getAsLong();
            heapFullSeen = true;
            reason = "the heap is more than half full of live objects";
            return true;
        }
        return false;
    }

    private long used() {
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * {@return about how many bytes {@code value} takes as it travels} Arrays by their elements,
     * buffers by their remaining bytes, strings by their length, numbers as 8, anything else as
     * {@link #OBJECT_BYTES}.
     */
    static long estimate(Object value) {
        return switch (value) {
            case null -> 0;
            case Number _ -> 8; // first: the common case of a map of numbers
            case String s -> s.length();
            case byte[] a -> a.length;
            case boolean[] a -> a.length;
            case short[] a -> 2L * a.length;
            case char[] a -> 2L * a.length;
            case int[] a -> 4L * a.length;
            case float[] a -> 4L * a.length;
            case long[] a -> 8L * a.length;
            case double[] a -> 8L * a.length;
            case Object[] a -> OBJECT_BYTES * a.length;
            case ByteBuffer b -> b.remaining();
            default -> OBJECT_BYTES;
        };
    }
}
