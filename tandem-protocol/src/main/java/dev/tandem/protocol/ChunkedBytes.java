package dev.tandem.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An output stream that collects bytes in chunks and copies them once, into an array of the exact
 * size, at the end: what {@link java.io.ByteArrayOutputStream} does with a growing array, without the
 * copies of the growth (a doubling array copies every byte about once more, and
 * {@code toByteArray()} once again). Chunks grow from 256 bytes to 1 MiB, so small payloads stay
 * small and large ones cost one chunk object per MiB.
 *
 * <p>Not thread-safe.
 */
final class ChunkedBytes extends OutputStream {
    private static final int FIRST_CHUNK = 256;
    private static final int LARGEST_CHUNK = 1 << 20;

    private final List<byte[]> full = new ArrayList<>();
    private final long limit;
    private byte[] chunk = new byte[FIRST_CHUNK];
    private int position;
    private long before;

    /** @param limit the most bytes it accepts; a write beyond throws {@link FrameTooLargeException} */
    ChunkedBytes(long limit) {
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        if (position == chunk.length) {
            next(1);
        }
        chunk[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (size() + len > limit) {
            throw new FrameTooLargeException(size() + len, limit);
        }
        while (len > 0) {
            if (position == chunk.length) {
                next(len);
            }
            int n = Math.min(len, chunk.length - position);
            System.arraycopy(b, off, chunk, position, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    /** Starts a new chunk, twice as large as the last (at most 1 MiB). */
    private void next(int wanted) throws IOException {
        if (size() + wanted > limit) {
            throw new FrameTooLargeException(size() + wanted, limit);
        }
        full.add(chunk);
        before += chunk.length;
        chunk = new byte[Math.min(LARGEST_CHUNK, chunk.length * 2)];
        position = 0;
    }

    /** {@return the bytes written so far} */
    long size() {
        return before + position;
    }

    /**
     * Copies everything written into {@code dst} at {@code offset}.
     *
     * @param dst an array with room for {@link #size()} bytes from {@code offset}
     * @param offset where to start
     */
    void copyTo(byte[] dst, int offset) {
        int at = offset;
        for (byte[] c : full) {
            System.arraycopy(c, 0, dst, at, c.length);
            at += c.length;
        }
        System.arraycopy(chunk, 0, dst, at, position);
    }

    /** {@return everything written, as one array of the exact size} */
    byte[] toByteArray() {
        byte[] out = new byte[(int) size()];
        copyTo(out, 0);
        return out;
    }
}
