package dev.tandem;

import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.HeapRoom;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ThrowableCodec;
import java.io.IOException;

/**
 * The one reader-side decoder of a worker's frames: turns each into a call on a typed
 * {@link Events} listener. Stateless; called by whichever thread read the frame (see
 * {@link WorkerLink}).
 */
final class WorkerAdapter implements ReplyReading.FrameHandler {
    /** What a worker says, one method per frame type it may send after HELLO. */
    interface Events {
        /** {@code READY}: the initializer ran; the worker takes tasks. */
        void ready();

        /** {@code INIT_FAILED}: the initializer threw; {@code throwable} is encoded. */
        void initFailed(byte[] throwable);

        /** {@code RESULT} of a task; {@code more}: another frame follows at once (a burst). */
        void result(long taskId, byte[] value, boolean more);

        /** {@code FAILED}: the task threw. */
        void failed(long taskId, byte[] throwable, boolean more);

        /** {@code COPY_FAILED}: the task could not be decoded or its result encoded. */
        void copyFailed(long taskId, byte boundary, byte[] throwable, boolean more);
    }

    private final Events events;

    WorkerAdapter(Events events) {
        this.events = events;
    }

    @Override
    public void handle(byte type, long taskId, byte[] payload, boolean more) throws IOException {
        switch (type) {
            case FrameType.RESULT -> events.result(taskId, payload, more);
            case FrameType.FAILED -> events.failed(taskId, payload, more);
            case FrameType.COPY_FAILED -> {
                MessageCodec.CopyFailed c = MessageCodec.CopyFailed.decode(payload);
                events.copyFailed(taskId, c.boundary(), c.throwable(), more);
            }
            case FrameType.READY -> events.ready();
            case FrameType.INIT_FAILED -> events.initFailed(payload);
            default -> throw new IOException("protocol error: unexpected " + FrameType.name(type));
        }
    }

    /**
     * A reply too large for this JVM's heap fails its task as a copy failure naming the sizes; any
     * other frame that large is a protocol error.
     */
    @Override
    public void skipped(byte type, long taskId, long bytes) throws IOException {
        if (type != FrameType.RESULT && type != FrameType.FAILED) {
            throw new IOException("protocol error: a " + FrameType.name(type) + " frame of " + bytes + " bytes");
        }
        IOException why = new IOException("the reply is " + HeapRoom.describe(bytes) + " of this JVM (the caller);"
                + " give it a larger heap (-Xmx on its command line), or return the data in pieces or as primitive"
                + " arrays or ByteBuffers, which travel through shared memory and are not held twice");
        events.copyFailed(taskId, FrameType.BOUNDARY_DECODE_RESULT, ThrowableCodec.encode(why), false);
    }
}
