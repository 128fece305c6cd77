package dev.tandem.protocol;

import dev.tandem.ipc.SegmentHandle;
import dev.tandem.ipc.SharedByteArray;
import dev.tandem.ipc.SharedDoubleArray;
import dev.tandem.ipc.SharedLongArray;
import dev.tandem.ipc.passing.ArrayPassing;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * Stands in a serialized object graph for a shared array ({@link SharedByteArray},
 * {@link SharedLongArray}, {@link SharedDoubleArray}), or a direct {@link ByteBuffer} over one's
 * elements, that travels by reference: the array's handle, and for a buffer the bytes it views. The
 * receiver maps the same memory (no copy); writes on either side are visible to both.
 *
 * <h2>Who owns what</h2>
 * <ul>
 * <li>The caller's arrays stay the caller's: a worker attaches them for the task ({@link TaskShares})
 *     and unmaps them when the task ends; an array that comes back to the caller is its own object.
 * <li>An array a worker created and returns is handed over: the worker stops deleting it
 *     ({@link ArrayPassing.Access#handOver}), unmaps it when the task ends, and the caller adopts it:
 *     it is then the caller's, deleted by its {@code close()}, at the caller's exit, or by the sweep
 *     after the caller died. Until the caller adopts it, the worker's exit or death removes it.
 * <li>A buffer travels by reference when it views an array the receiver can keep without owning
 *     it: any array, from the caller; from a worker, only an array that came with the task. A buffer
 *     over an array the worker made is copied, as any buffer is. A buffer the caller receives over
 *     an array it had not mapped keeps its mapping until the buffer is unreachable.
 * </ul>
 *
 * <p>Only where the shared-memory lane is on: both sides on one machine. Elsewhere (a cluster, or
 * {@code -Dtandem.bulkThreshold=0}) a shared array cannot be sent, and says so.
 *
 * @param handle the array's handle
 * @param handedOver whether the receiver adopts the array (the worker that made it returns it)
 * @param buffer whether it stands for a buffer over the array rather than the array
 * @param offset a buffer's first byte in the array's elements
 * @param length a buffer's bytes
 * @param flags a buffer's {@link BulkEntry#BIG_ENDIAN} and {@link BulkEntry#READ_ONLY}
 */
public record SharedRef(SegmentHandle handle, boolean handedOver, boolean buffer, long offset, int length, byte flags)
        implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Unmaps the arrays behind buffers the caller received once the buffers are unreachable. */
    private static final class Buffers {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** {@return whether objects of class {@code c} are shared arrays; no class is initialised} */
    static boolean isSharedArray(Class<?> c) {
        return c == SharedByteArray.class || c == SharedLongArray.class || c == SharedDoubleArray.class;
    }

    /**
     * {@return the reference that replaces {@code value} in a stream, or null if it travels as usual}
     *
     * @param value a shared array, or a direct buffer that may view one
     * @param bulk the lane of the payload being written; by reference only when it is on
     * @param shares the task's shares, in a worker writing a result; null in the caller (or a
     *     caller's set, which changes nothing here)
     * @throws SharedArrayException for a shared array where the lane is off, or a closed or stale
     *     one, naming what to do
     */
    static SharedRef of(Object value, BulkWriter bulk, TaskShares shares) throws IOException {
        boolean array = isSharedArray(value.getClass());
        if (!array && !(value instanceof ByteBuffer b && b.isDirect())) {
            return null;
        }
        boolean on = bulk != null && bulk.threshold() > 0;
        if (array && !on) {
            throw new SharedArrayException(
                    value.getClass().getName() + " cannot be sent: a shared array travels by reference only to worker"
                            + " JVMs on this machine, through the shared-memory lane, which is off here (a cluster"
                            + " pool, or -Dtandem.bulkThreshold=0); pass a copy of its elements",
                    null);
        }
        ArrayPassing.Access access = ArrayPassing.access();
        if (array) {
            SegmentHandle h = handleOf(access, value);
            boolean handedOver = false;
            if (shares != null && shares.worker() && access.handOver(value)) {
                shares.handedOver(value);
                handedOver = true;
            }
            return new SharedRef(h, handedOver, false, 0, 0, (byte) 0);
        }
        ByteBuffer b = (ByteBuffer) value;
        ArrayPassing.View view = on ? access.viewed(b) : null;
        if (view == null || (shares != null && shares.worker() && !shares.isLent(view.array()))) {
            return null; // not shared memory, or an array the worker made: copied
        }
        byte flags = (byte) (BulkEntry.flagsOf(b) & ~BulkEntry.DIRECT);
        return new SharedRef(handleOf(access, view.array()), false, true, view.offset(), b.remaining(), flags);
    }

    private static SegmentHandle handleOf(ArrayPassing.Access access, Object array) throws SharedArrayException {
        try {
            return access.handleOf(array);
        } catch (IOException e) {
            throw new SharedArrayException(e.getMessage(), e);
        }
    }

    /**
     * {@return the array or buffer this reference stands for, in this process}
     *
     * @param shares the task's shares in a worker reading a task; in the caller, null or the set
     *     of what a result brings (closed if the result is not delivered)
     * @throws IOException if the array's segment is gone
     */
    Object resolve(TaskShares shares) throws IOException {
        ArrayPassing.Access access = ArrayPassing.access();
        boolean worker = shares != null && shares.worker();
        Object array = handedOver ? null : access.open(handle.path());
        boolean attached = array == null;
        if (attached) {
            array = access.attach(handle, worker, handedOver && !worker);
            if (shares != null) {
                shares.lent(array);
            }
        }
        if (!buffer) {
            return array;
        }
        ByteBuffer b = access.buffer(array, offset, length);
        b = BufferValue.finish(b, flags);
        if (attached && !worker) {
            Object mapped = array;
            Buffers.CLEANER.register(b, () -> access.close(mapped));
        }
        return b;
    }
}
