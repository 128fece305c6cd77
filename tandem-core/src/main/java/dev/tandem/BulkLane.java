package dev.tandem;

import dev.tandem.protocol.BulkReader;
import dev.tandem.protocol.BulkWriter;
import dev.tandem.protocol.WorkerLaunch;
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
 * reply is decoded ({@link WorkerProcess}), and sweeps those of a worker that died.
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
                "give this JVM (the caller) a larger heap: -Xmx on its command line, or return the data in pieces");
        this.workerHeapBytes = workerHeapBytes;
    }

    /**
     * {@return the lane of a pool with these options and worker JVM options, or null when the lane
     * is off ({@code -Dtandem.bulkThreshold=0})}
     */
    static BulkLane of(List<String> workerJvmOptions) {
        long threshold = Long.getLong(WorkerLaunch.BULK_THRESHOLD_PROPERTY, BulkWriter.DEFAULT_THRESHOLD);
        return threshold <= 0 ? null : new BulkLane(threshold, WorkerHeap.maxBytes(workerJvmOptions));
    }

    BulkWriter writer() {
        return arguments;
    }

    BulkReader reader() {
        return results;
    }

    long threshold() {
        return arguments.threshold();
    }

    long workerHeapBytes() {
        return workerHeapBytes;
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
        if (arguments.trim(TRIM_AFTER_NANOS)) {
            planTrim();
        }
    }

    /** Deletes every segment of the pool's arguments. */
    @Override
    public void close() {
        arguments.close();
    }
}
