package dev.tandem.protocol;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;

/**
 * Writes frames (see {@link FrameType}) to a channel, buffering them until {@link #flush()}, so that
 * frames written in a burst leave in one system call.
 *
 * <p>Thread-safe: {@link #write} and {@link #flush} synchronize on this writer. Callers that write
 * several frames and then flush hold no other lock while doing so.
 */
public final class FrameWriter {
    private final DataOutputStream out;

    /** @param channel the channel, in blocking mode */
    public FrameWriter(WritableByteChannel channel) {
        this(SocketStreams.output(channel, null));
    }

    /** @param stream the stream */
    public FrameWriter(OutputStream stream) {
        this.out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
    }

    /**
     * Buffers one frame.
     *
     * @param type the frame type
     * @param taskId the task id, or 0
     * @param payload the payload, may be empty
     * @throws IOException if the channel failed
     */
    public synchronized void write(byte type, long taskId, byte[] payload) throws IOException {
        out.writeInt(FrameType.HEADER_AFTER_LENGTH + payload.length);
        out.writeByte(type);
        out.writeLong(taskId);
        out.write(payload);
    }

    /**
     * Sends every buffered frame.
     *
     * @throws IOException if the channel failed
     */
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /**
     * Buffers one frame and sends everything buffered.
     *
     * @param type the frame type
     * @param taskId the task id, or 0
     * @param payload the payload
     * @throws IOException if the channel failed
     */
    public synchronized void writeAndFlush(byte type, long taskId, byte[] payload) throws IOException {
        write(type, taskId, payload);
        out.flush();
    }
}
