package dev.tandem.protocol;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads frames (see {@link FrameType}) from a channel. Not thread-safe: one reader thread per
 * channel. A frame longer than the configured limit is a protocol error, so a broken or hostile peer
 * cannot make this side allocate without bound.
 */
public final class FrameReader {
    /** Frames up to this size are read into a buffer of their size at once: 64 KiB. */
    private static final int GROWTH_START = 1 << 16;

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
        payload = readPayload(length - FrameType.HEADER_AFTER_LENGTH);
        return true;
    }

    /**
     * Reads {@code n} bytes into a buffer that grows as they arrive (doubling from 64 KiB), so a
     * header announcing a large frame costs memory only as its bytes come.
     */
    private byte[] readPayload(int n) throws IOException {
        if (n <= GROWTH_START) {
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }
        byte[] b = new byte[GROWTH_START];
        int filled = 0;
        while (filled < n) {
            if (filled == b.length) {
                b = Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
            }
            int r = in.read(b, filled, b.length - filled);
            if (r < 0) {
                throw new EOFException("protocol error: the stream ended " + (n - filled) + " bytes into a frame");
            }
            filled += r;
        }
        return b;
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

    /**
     * {@return the payload of the last frame read, handed over to the caller} The reader keeps no
     * reference to it, so a second call returns null.
     */
    public byte[] payload() {
        byte[] p = payload;
        payload = null;
        return p;
    }
}
