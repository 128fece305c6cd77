package dev.tandem.ipc.passing;

import dev.tandem.ipc.SegmentHandle;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a Tandem pool's codec needs to pass shared arrays ({@code SharedByteArray},
 * {@code SharedLongArray}, {@code SharedDoubleArray}) between processes by reference: their handle,
 * the hand-over of ownership, attaching on the other side, and the shared array behind a direct
 * buffer. Exported only to {@code dev.tandem.protocol}; the shared arrays install the implementation
 * when their class is initialised. Thread-safe.
 */
public final class ArrayPassing {
    /** The operations, implemented in {@code dev.tandem.ipc} over its package-private state. */
    public interface Access {
        /** {@return whether {@code value} is a shared array} */
        boolean isSharedArray(Object value);

        /**
         * {@return the handle of an open array whose segment file still exists}
         *
         * @throws IOException naming the array and what to do when it is closed or its file is gone
         */
        SegmentHandle handleOf(Object array) throws IOException;

        /**
         * Gives up deleting the array's segment, for another process to adopt it.
         *
         * @return whether this process owned it (created or adopted it)
         */
        boolean handOver(Object array);

        /** Undoes {@link #handOver}: the result that carried the array was not sent. */
        void takeBack(Object array);

        /**
         * {@return an open array of this process whose segment is {@code path} and that the codec
         * did not attach for one task, or null}
         */
        Object open(String path);

        /**
         * Attaches an array; with {@code adopt}, this process becomes its owner.
         *
         * @param handle the array's handle
         * @param lent whether it is attached for one task only (never returned by {@link #open})
         * @param adopt whether to take over its deletion
         * @throws IOException if the segment is gone or is not an array
         */
        Object attach(SegmentHandle handle, boolean lent, boolean adopt) throws IOException;

        /** Closes an array (unmaps it; deletes it if this process owns it). */
        void close(Object array);

        /**
         * {@return the open array whose elements hold every remaining byte of a direct buffer, and the
         * offset of its position in them, or null if none does}
         */
        View viewed(ByteBuffer buffer);

        /** {@return a buffer over {@code length} bytes of an array's elements from {@code offset}} */
        ByteBuffer buffer(Object array, long offset, int length);
    }

    /**
     * A direct buffer's place in a shared array.
     *
     * @param array the shared array
     * @param offset the byte offset of the buffer's position in the array's elements
     */
    public record View(Object array, long offset) {}

    private static volatile Access access;

    private ArrayPassing() {}

    /**
     * Installs the implementation; called once, by the shared arrays' class initialiser.
     *
     * @param implementation the implementation
     */
    public static void install(Access implementation) {
        access = implementation;
    }

    /** {@return the implementation, initialising the shared arrays' class first if need be} */
    public static Access access() {
        Access a = access;
        if (a == null) {
            try {
                Class.forName("dev.tandem.ipc.SharedArray", true, ArrayPassing.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("dev.tandem.ipc is incomplete", e);
            }
            a = access;
        }
        return a;
    }
}
