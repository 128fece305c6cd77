package dev.tandem.protocol;

import java.io.IOException;
import java.io.Serial;

/**
 * An encoded payload is larger than one frame may be ({@link WorkerLaunch#MAX_FRAME_BYTES} less the
 * header). Thrown by the encoders before they assemble the payload, so nothing of that size is
 * allocated. Primitive arrays and {@code ByteBuffer}s above the shared-memory threshold do not count:
 * they travel beside the frame.
 */
public final class FrameTooLargeException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    /**
     * @param size the size the payload would have had
     * @param limit the largest payload of a frame
     */
    public FrameTooLargeException(long size, long limit) {
        super(size + " bytes serialized (" + HeapRoom.mib(size) + "), over the limit of " + limit + " bytes ("
                + HeapRoom.mib(limit) + ") of one frame, which the protocol fixes."
                + " Primitive arrays and ByteBuffers of any size travel through shared memory beside the frame and"
                + " do not count: pass the data as arrays or buffers, or in pieces");
        this.size = size;
        this.limit = limit;
    }

    /** {@return the size the payload would have had, in bytes} */
    public long size() {
        return size;
    }

    /** {@return the largest payload of a frame, in bytes} */
    public long limit() {
        return limit;
    }
}
