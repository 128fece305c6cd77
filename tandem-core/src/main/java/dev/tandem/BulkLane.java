package dev.tandem;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.tandem.protocol.BulkEntry;
import dev.tandem.protocol.BulkReader;
import dev.tandem.protocol.BulkWriter;
import dev.tandem.protocol.WorkerLaunch;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller's end of a pool's shared-memory lane: large primitive arrays and {@code ByteBuffer}s
 * of a task travel to its worker through shared segments beside the frame ({@link BulkWriter}), and
 * those of a result come back the same way ({@link BulkReader}). Both transports use it: it needs
 * no native access, only the segment directory ({@code /dev/shm/tandem-<uid>}).
 *
 * <h2>Lifecycle of the arguments' segments</h2>
 * A task's arguments are copied in when it is submitted; the future holds their leases until it is
 * done (so a retry on another worker reads the same bytes), then gives them back. Free segments are
 * reused by later tasks, and deleted once unused for {@link #TRIM_AFTER_NANOS} (a trim is planned on
 * the shared timer whenever a lease comes back) or when the pool terminates ({@link #close()}).
 * Segments of results belong to the worker that wrote them: the caller marks each read once the
 * reply is decoded ({@link WorkerProcess}), and sweeps those of a worker that died. The reader keeps
 * them mapped for the next result while they are in use, and unmaps them once unused for
 * {@link BulkReader#MAPPING_IDLE_NANOS} (the same timer).
 *
 * <h2>An off lane</h2>
 * A lane is always there, so that no caller checks for one: with {@code -Dtandem.bulkThreshold=0},
 * and for pools whose workers are not on this machine (a cluster's caller, a node's raw pool), it
 * is off ({@link #off()}): its writer puts every value in the frame, its reader never meets an
 * entry, and its workers are told the threshold 0.
 *
 * <p>Thread-safe.
 */
final class BulkLane implements AutoCloseable {
    /** How long a free argument segment waits for reuse: 1 s. */
    static final long TRIM_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BulkWriter arguments;
    private final BulkReader results;
    /** A worker's maximum heap in bytes, or 0 if its options do not say. */
    private final long workerHeapBytes;

    private final AtomicBoolean trimPlanned = new AtomicBoolean();

    BulkLane(long threshold, long workerHeapBytes) {
        this.arguments = new BulkWriter(threshold, false);
        this.results = new BulkReader(
                "give this JVM (the caller) a larger heap: -Xmx on its command line, or return the data in pieces",
                outOfMemoryIsFatal());
        this.workerHeapBytes = workerHeapBytes;
    }

    /**
     * {@return the lane of a pool whose workers run with these JVM options: off when
     * {@code -Dtandem.bulkThreshold} is 0 or less}
     */
    static BulkLane of(List<String> workerJvmOptions) {
        return of(Long.getLong(WorkerLaunch.BULK_THRESHOLD_PROPERTY, BulkWriter.DEFAULT_THRESHOLD), workerJvmOptions);
    }

    /**
     * {@return the lane of a pool whose workers run with these JVM options}
     *
     * @param threshold the smallest value, in bytes, that travels through shared memory; 0 or less
     *     turns the lane off
     */
    static BulkLane of(long threshold, List<String> workerJvmOptions) {
        return new BulkLane(Math.max(0, threshold), WorkerHeap.maxBytes(workerJvmOptions));
    }

    /** {@return a lane that is off, for workers whose heap is not known} */
    static BulkLane off() {
        return new BulkLane(0, 0);
    }

    /** {@return whether large values travel through shared memory: the threshold is positive} */
    boolean on() {
        return threshold() > 0;
    }

    /**
     * {@return whether an {@link OutOfMemoryError} ends, crashes or dumps this JVM, by its flags} If
     * not, the reader of results lets a large allocation make room its own way and reports its
     * {@link OutOfMemoryError} ({@link BulkReader}); a full collection before each large result, as
     * a worker runs, made G1 shrink the caller's heap, and the next results grow it again into
     * fresh memory. Unknown flags count as fatal.
     */
    static boolean outOfMemoryIsFatal() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            for (String flag :
                    List.of("ExitOnOutOfMemoryError", "CrashOnOutOfMemoryError", "HeapDumpOnOutOfMemoryError")) {
                if (Boolean.parseBoolean(vm.getVMOption(flag).getValue())) {
                    return true;
                }
            }
            return !vm.getVMOption("OnOutOfMemoryError").getValue().isEmpty();
        } catch (RuntimeException | LinkageError e) { // no such flag, or no management here
            return true;
        }
    }

    BulkWriter writer() {
        return arguments;
    }

    BulkReader reader() {
        return results;
    }

    /** {@return the smallest value, in bytes, that travels through shared memory; 0 when off} */
    long threshold() {
        return arguments.threshold();
    }

    long workerHeapBytes() {
        return workerHeapBytes;
    }

    /**
     * Marks a result's values read, so that its worker may reuse their segments, and plans the
     * unmapping of the reader's mappings that then stay unused.
     */
    void resultRead(List<BulkEntry> entries) {
        results.markRead(entries);
        planTrim();
    }

    /** Gives back a task's leases and plans the deletion of segments that then stay unused. */
    void release(List<BulkWriter.Lease> leases) {
        if (leases.isEmpty()) {
            return;
        }
        for (BulkWriter.Lease l : leases) {
            l.release();
        }
        planTrim();
    }

    private void planTrim() {
        if (trimPlanned.compareAndSet(false, true)) {
            // Deleting a segment unmaps it, which may take a while: not on the shared timer thread.
            Deadlines.schedule(() -> Thread.ofVirtual().name("tandem-bulk-trim").start(this::trim), TRIM_AFTER_NANOS);
        }
    }

    private void trim() {
        trimPlanned.set(false);
        boolean kept = arguments.trim(TRIM_AFTER_NANOS);
        if (results.trim(BulkReader.MAPPING_IDLE_NANOS) || kept) {
            planTrim();
        }
    }

    /** Deletes every segment of the pool's arguments, and unmaps the results' segments. */
    @Override
    public void close() {
        arguments.close();
        results.close();
    }
}
