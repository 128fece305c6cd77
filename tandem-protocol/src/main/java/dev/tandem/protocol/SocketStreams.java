package dev.tandem.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Stream views of a socket channel that hand the channel at most {@link #SLICE_BYTES} of a heap
 * array per call.
 *
 * <h2>Why</h2>
 * Given a heap array, a channel copies it into a temporary direct buffer <em>of the whole array's
 * size</em> ({@code sun.nio.ch.Util.getTemporaryDirectBuffer}), which each thread then keeps
 * cached: a 256 MiB frame left 256 MiB of native memory behind in every thread that wrote or read
 * one. Worse, a non-blocking write that the socket takes only in part (a Unix socket takes about
 * 200 KiB at a time) copies the whole <em>remaining</em> array again on every call: writing
 * {@code n} bytes cost about {@code n² / 400 KiB} bytes of copying, 10 GB for 64 MiB. In slices,
 * every byte is copied once and each thread's temporary buffer stays at most one slice (allocated
 * without zeroing, so only the part used is resident).
 *
 * <p>Not thread-safe: one reader, or one writer (under the frame writer's lock), per stream.
 */
public final class SocketStreams {
    /** The most bytes handed to the channel per call: 256 KiB, about what a Unix socket takes. */
    static final int SLICE_BYTES = 256 << 10;

    private SocketStreams() {}

    /** What a non-blocking stream does when the channel made no progress: wait until it may. */
    @FunctionalInterface
    public interface Wait {
        /**
         * Waits until the channel is probably ready again.
         *
         * @return false if the channel was closed meanwhile (a read then ends the stream)
         * @throws IOException if waiting failed
         */
        boolean await() throws IOException;
    }

    /**
     * @param channel a channel; if non-blocking, {@code wait} is called when a read returns nothing
     * @param wait how to wait on a non-blocking channel, or null for a blocking one
     * @return the stream, which buffers nothing itself
     */
    public static InputStream input(ReadableByteChannel channel, Wait wait) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            /** Skips by reading into a scratch array a slice at a time: a frame read past. */
            @Override
            public long skip(long n) throws IOException {
                byte[] scratch = new byte[(int) Math.min(n, SLICE_BYTES)];
                long skipped = 0;
                while (skipped < n) {
                    int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                ByteBuffer slice = ByteBuffer.wrap(b, off, Math.min(len, SLICE_BYTES));
                while (true) {
                    int n = channel.read(slice);
                    if (n != 0) {
                        return n;
                    }
                    if (wait != null && !wait.await()) {
                        return -1;
                    }
                }
            }
        };
    }

    /**
     * @param channel a channel; if non-blocking, {@code wait} is called when a write takes nothing
     * @param wait how to wait on a non-blocking channel, or null for a blocking one
     * @return the stream, which buffers nothing itself: every {@code write} has sent all its bytes
     *     when it returns
     */
    public static OutputStream output(WritableByteChannel channel, Wait wait) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int end = off + len;
                for (int at = off; at < end; ) {
                    ByteBuffer slice = ByteBuffer.wrap(b, at, Math.min(end - at, SLICE_BYTES));
                    while (slice.hasRemaining()) {
                        if (channel.write(slice) == 0 && wait != null && !wait.await()) {
                            throw new IOException("the channel closed while writing");
                        }
                    }
                    at = slice.position();
                }
            }
        };
    }
}
