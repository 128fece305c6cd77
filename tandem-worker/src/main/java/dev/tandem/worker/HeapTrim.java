package dev.tandem.worker;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.tandem.protocol.BulkReader;
import dev.tandem.protocol.BulkWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps a worker's heap from growing on every large task while tasks come, and gives the memory back
 * once the worker has nothing to do.
 *
 * <h2>Why</h2>
 * The serial collector puts a large array in the old generation and, when that is full, grows the
 * heap rather than collect it: a worker passed 64 MiB arrays one task after another grew by 64 MiB
 * per task, each time into fresh memory that the kernel must zero and map page by page (about as
 * long as the copy itself), until the heap reached its maximum; only then did a full collection run,
 * and (with a small {@code MaxHeapFreeRatio}) give the memory back, so that the next tasks paid for
 * it again. And an idle JVM never collects: the garbage of the last large task stayed resident.
 *
 * <h2>What it does</h2>
 * <ul>
 * <li><b>While busy</b>: workers run with {@code -XX:MaxHeapFreeRatio=100}, so a collection never
 * shrinks the heap. After a task that moved at least {@link #LARGE_BYTES} of data, if the old
 * generation's free room is smaller than that task's data and the heap already holds about
 * {@link #HEADROOM_TASKS} such tasks, it runs a full collection at once (after the reply left, so that it overlaps with the
 * caller's work): the next such tasks then reuse memory already mapped instead of growing into new
 * memory. The heap grows to about {@link #HEADROOM_TASKS} tasks' data (at most
 * {@link #HEADROOM_BYTES}), so that the full collection,
 * whose cost is the live set's and not the garbage's, runs once every few large tasks, not after each;
 * and in a heap that size the young generation holds a task's arrays, which then die young. Measured
 * (40 pairs of 16 MiB argument and result round trips through {@code processes(1)}, {@code -Xlog:gc}
 * in the worker, both transports): 2 full and about 104 young collections (0.16–0.24 ms each), 0.39–0.44 s of
 * pauses in all, where a heap kept to one task's room ran 100 full collections, 0.92–3.65 s of pauses
 * (machine busy, load average 15), at 78 MiB of heap instead of 31 MiB while busy.
 * <li><b>When idle</b> for {@link #IDLE_NANOS} after such a task (or with more than
 * {@link #TRIM_ABOVE_BYTES} of heap), it runs one full collection with
 * {@code MaxHeapFreeRatio=30} (a manageable flag, set through {@link HotSpotDiagnosticMXBean} and
 * set back afterwards), which returns the heap's free memory to the system, deletes the
 * shared-memory segments of results that wait for reuse, and unmaps the caller's segments that
 * arguments came through.
 * </ul>
 * The management classes load at the first large task or idle trim only, so a worker that only runs
 * small tasks never pays for them.
 *
 * <h2>Idle means the caller has the result</h2>
 * A worker whose last result still waits in shared memory for the caller to copy it out is not idle:
 * the round trip is not over, and the next task may follow the moment the caller has its copy. So
 * the idle time counts from when the caller marked the results read ({@link BulkWriter#awaitsReader()},
 * polled every {@link #READER_POLL_NANOS}; at most {@link #UNREAD_GRACE_NANOS}, for a mark that never
 * comes). It used to count from the reply: a caller that took longer than {@link #IDLE_NANOS} to copy
 * out a 256 MiB result (its own heap growing into fresh memory) found the worker trimmed by the time
 * it sent the next task, which then paid for a new heap and a new segment, fresh pages that the
 * kernel of the project's VM maps at about 150 MB/s: every round trip took 2.6 s instead of 0.3, and
 * the slowness sustained itself.
 *
 * <h2>Concurrency</h2>
 * {@link #busy()}, {@link #afterTask(long)} and {@link #idle()} are called by task threads; the timer
 * thread is made on first need. Thread-safe: state is guarded by this object (and the results'
 * writer is only ever locked inside it, never the other way round).
 */
final class HeapTrim {
    /**
     * How long the worker must have been idle before it trims: 1 s. Long enough that a caller that
     * prepares its next large task for a while does not find the heap shrunk (and pay to grow it
     * again), short enough that an idle worker is small again soon.
     */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Committed heap beyond which an idle worker collects: 32 MiB, well above an idle worker's. */
    static final long TRIM_ABOVE_BYTES = 32L << 20;
    /**
     * How many large tasks' data a busy worker's heap may hold before it collects: 4, so that it collects about
     * once every three such tasks. The heap it grows to is given back when the worker is idle.
     */
    static final int HEADROOM_TASKS = 4;
    /**
     * The most a busy worker's heap grows for that headroom: 128 MiB. Beyond it fresh memory, which this project's
     * VM maps at about 150 MB/s, costs more than the collections it saves: a full collection costs about the same
     * for any task size (6 ms here), a small part of a 64 MiB or 256 MiB task's copy; so tasks that large
     * collect, as before, whenever the next would not fit.
     */
    static final long HEADROOM_BYTES = 128L << 20;
    /** A task that moved this much data or more is large: 4 MiB. */
    static final long LARGE_BYTES = 4L << 20;
    /** The free ratio an idle trim shrinks the heap to (the JVM's flag, in percent). */
    static final String TRIM_FREE_RATIO = "30";
    /** How often an idle worker looks whether the caller has read its results: 50 ms. */
    static final long READER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest an idle worker waits for the caller to read its results before it trims anyway: 30 s. */
    static final long UNREAD_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Runs an action after a delay; the returned future cancels it. */
    @FunctionalInterface
    interface Timer {
        Future<?> after(long delayNanos, Runnable action);
    }

    private final BulkWriter results;
    private final BulkReader arguments;
    private final Timer timer;
    private final LongSupplier clock;
    /** The collection that gives the heap's free memory back. */
    private final Runnable shrink;
    /** Guarded by this. */
    private Future<?> pending;
    /** Whether a large task ran since the last trim. Guarded by this. */
    private boolean grown;
    /** When the worker became idle. Guarded by this. */
    private long idleSince;
    /** Whether the pending check found the results unread. Guarded by this. */
    private boolean awaitedReader;

    HeapTrim(BulkWriter results, BulkReader arguments, String threadName) {
        this(results, arguments, new DaemonTimer(threadName), System::nanoTime, HeapTrim::shrinkingCollection);
    }

    /** For tests: a timer and a clock of their own, and the collection replaced. */
    HeapTrim(BulkWriter results, BulkReader arguments, Timer timer, LongSupplier clock, Runnable shrink) {
        this.results = results;
        this.arguments = arguments;
        this.timer = timer;
        this.clock = clock;
        this.shrink = shrink;
    }

    /** The timer of a worker: one daemon thread, made on first need. */
    private static final class DaemonTimer implements Timer {
        private final String threadName;
        /** Guarded by this. */
        private ScheduledThreadPoolExecutor executor;

        DaemonTimer(String threadName) {
            this.threadName = threadName;
        }

        @Override
        public synchronized Future<?> after(long delayNanos, Runnable action) {
            if (executor == null) {
                executor = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
                executor.setRemoveOnCancelPolicy(true);
            }
            return executor.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A task starts: whatever trim was planned waits for the next idle time. */
    synchronized void busy() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /**
     * A task ended, its reply sent; it moved {@code dataBytes} (arguments decoded plus result
     * encoded). Collects now if the next task like it would otherwise grow the heap.
     */
    void afterTask(long dataBytes) {
        // A busy worker may not go idle for long: the caller's segments it no longer reads go now.
        arguments.trim(BulkReader.MAPPING_IDLE_NANOS);
        if (dataBytes < LARGE_BYTES) {
            return;
        }
        synchronized (this) {
            grown = true;
        }
        Runtime rt = Runtime.getRuntime();
        if (collectsAfter(dataBytes, OldGeneration.free(), rt.totalMemory(), rt.maxMemory())) {
            System.gc();
        }
    }

    /**
     * The heap's old generation, where arrays too large for the young one are allocated: its free room says
     * whether the next large task fits without growing the heap. {@link Runtime#freeMemory()} counts the young
     * generation's room too, which a heap grown large has plenty of while its old generation expands by a task at
     * a time (was: a worker passed 16 MiB over the socket grew to 1.5 GiB, collected once in 40 tasks). Loads the
     * management classes at the first large task.
     */
    private static final class OldGeneration {
        /** The old generation's pool, or null when the collector names none (then the whole heap counts). */
        private static final MemoryPoolMXBean POOL = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
                .findFirst()
                .orElse(null);

        /** {@return the old generation's free room (committed but unused), bytes} */
        static long free() {
            if (POOL == null) {
                return Runtime.getRuntime().freeMemory();
            }
            MemoryUsage u = POOL.getUsage();
            return u.getCommitted() - u.getUsed();
        }
    }

    /**
     * {@return whether a busy worker collects after a task that moved {@code dataBytes}} When the next such task
     * would not fit in the old generation's free room and growing by one would take the heap to
     * {@link #HEADROOM_TASKS} such tasks (or {@link #HEADROOM_BYTES}, or its maximum), or past: below that the next
     * task grows the heap, once, into memory that later tasks reuse. A full
     * collection costs about what marking the live objects costs, whatever the garbage (6 ms for a 4 MiB live
     * set here), so a heap with room for several large tasks collects once every few tasks; with room for one,
     * it collected after every task (a full collection per 16 MiB round trip, measured).
     *
     * @param dataBytes what the task moved, bytes
     * @param free the old generation's free room, bytes
     * @param total the heap's committed size, bytes
     * @param max the heap's maximum, bytes
     */
    static boolean collectsAfter(long dataBytes, long free, long total, long max) {
        long roomy = Math.min(Math.min(max, HEADROOM_BYTES), HEADROOM_TASKS * dataBytes);
        return free < dataBytes && total >= roomy - dataBytes;
    }

    /** The last running task ended and none is queued: plan a trim if there is something to give back. */
    synchronized void idle() {
        if (!grown
                && Runtime.getRuntime().totalMemory() <= TRIM_ABOVE_BYTES
                && results.isEmpty()
                && arguments.isEmpty()) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        idleSince = clock.getAsLong();
        awaitedReader = false;
        pending = timer.after(IDLE_NANOS, this::trim);
    }

    /**
     * Trims, unless the caller is still reading the results (then looks again soon) or has just
     * finished (then waits {@link #IDLE_NANOS} from now).
     */
    private void trim() {
        synchronized (this) {
            if (pending == null || pending.isCancelled()) {
                return;
            }
            if (results.awaitsReader() && clock.getAsLong() - idleSince < UNREAD_GRACE_NANOS) {
                awaitedReader = true;
                pending = timer.after(READER_POLL_NANOS, this::trim);
                return;
            }
            if (awaitedReader) {
                awaitedReader = false;
                pending = timer.after(IDLE_NANOS, this::trim);
                return;
            }
            pending = null;
            grown = false;
        }
        results.trim(0);
        arguments.trim(0);
        if (Runtime.getRuntime().totalMemory() > TRIM_ABOVE_BYTES) {
            shrink.run();
        }
    }

    /** One full collection that gives free heap back to the system. */
    private static void shrinkingCollection() {
        HotSpotDiagnosticMXBean vm;
        String before;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            before = vm.getVMOption("MaxHeapFreeRatio").getValue();
            if (Integer.parseInt(before) > Integer.parseInt(TRIM_FREE_RATIO)) {
                vm.setVMOption("MaxHeapFreeRatio", TRIM_FREE_RATIO);
            } else {
                vm = null; // already that low: a plain collection shrinks
            }
        } catch (RuntimeException | LinkageError e) { // no management in this JVM: collect all the same
            vm = null;
            before = null;
        }
        try {
            System.gc();
        } finally {
            if (vm != null) {
                try {
                    vm.setVMOption("MaxHeapFreeRatio", before);
                } catch (RuntimeException e) {
                    // the lower ratio stays: the heap shrinks at later collections too
                }
            }
        }
    }
}
