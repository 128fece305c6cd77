package dev.tandem.protocol;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads frames (see {@link FrameType}) from a channel. Not thread-safe: one reader thread per
 * channel. A frame longer than the configured limit is a protocol error, so a broken or hostile peer
 * cannot make this side allocate without bound.
 */
public final class FrameReader {
    private final DataInputStream in;
    private final int maxFrameBytes;

    private byte type;
    private long taskId;
    private byte[] payload;

    /**
     * @param channel the channel, in blocking mode
     * @param maxFrameBytes the largest acceptable frame
     */
    public FrameReader(ReadableByteChannel channel, int maxFrameBytes) {
        this(Channels.newInputStream(channel), maxFrameBytes);
    }

    /**
     * @param stream the stream
     * @param maxFrameBytes the largest acceptable frame
     */
    public FrameReader(InputStream stream, int maxFrameBytes) {
        this.in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Reads the next frame.
     *
     * @return false at a clean end of stream between frames
     * @throws IOException on an error, a truncated frame or an oversized one
     */
    public boolean next() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return false;
        }
        if (length < FrameType.HEADER_AFTER_LENGTH || length > maxFrameBytes) {
            throw new IOException("protocol error: frame length " + length + " outside [9, " + maxFrameBytes + "]");
        }
        type = in.readByte();
        taskId = in.readLong();
        payload = new byte[length - FrameType.HEADER_AFTER_LENGTH];
        in.readFully(payload);
        return true;
    }

    /**
     * {@return whether bytes of a next frame are already here, so {@link #next()} would not wait for
     * its start} Cheap and non-blocking: it asks the buffers, not the peer.
     *
     * @throws IOException if the stream failed
     */
    public boolean hasBufferedBytes() throws IOException {
        return in.available() > 0;
    }

    /** {@return the type of the last frame read} */
    public byte type() {
        return type;
    }

    /** {@return the task id of the last frame read} */
    public long taskId() {
        return taskId;
    }

    /** {@return the payload of the last frame read; owned by the caller} */
    public byte[] payload() {
        return payload;
    }
}
