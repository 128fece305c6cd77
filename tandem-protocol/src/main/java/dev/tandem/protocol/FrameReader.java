package dev.tandem.protocol;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads frames (see {@link FrameType}) from a channel. Not thread-safe: one reader thread per
 * channel. A frame longer than the configured limit is a protocol error, so a broken or hostile peer
 * cannot make this side allocate without bound. A frame whose payload does not fit in this JVM's heap
 * ({@link HeapRoom}) is read past and reported by {@link #skipped()} instead of failing with an
 * {@link OutOfMemoryError}, so that one task's payload fails that task only.
 */
public final class FrameReader {
    /** Payloads from this size up are checked against the heap before they are allocated: 1 MiB. */
    private static final int CHECKED_BYTES = 1 << 20;
    /** Frames up to this size are read into a buffer of their size at once: 64 KiB. */
    private static final int GROWTH_START = 1 << 16;

    private final DataInputStream in;
    private final int maxFrameBytes;

    private byte type;
    private long taskId;
    private byte[] payload;
    private long skipped;

    /**
     * @param channel the channel, in blocking mode
     * @param maxFrameBytes the largest acceptable frame
     */
    public FrameReader(ReadableByteChannel channel, int maxFrameBytes) {
        this(SocketStreams.input(channel, null), maxFrameBytes);
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
        int n = length - FrameType.HEADER_AFTER_LENGTH;
        if (n >= CHECKED_BYTES && !HeapRoom.fits(n)) {
            payload = null;
            skipped = n;
            in.skipNBytes(n);
            return true;
        }
        skipped = 0;
        payload = readPayload(n);
        return true;
    }

    /**
     * {@return the payload size of the last frame if it did not fit in the heap and was read past
     * (then {@link #payload()} is null), else 0}
     */
    public long skipped() {
        return skipped;
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
     * {@return the payload of the last frame read (null if it was {@link #skipped()}), handed over
     * to the caller} The reader keeps no reference to it, so a second call returns null.
     */
    public byte[] payload() {
        byte[] p = payload;
        payload = null;
        return p;
    }
}
