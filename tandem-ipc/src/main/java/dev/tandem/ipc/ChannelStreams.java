package dev.tandem.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;

/**
 * Byte-stream views of a {@link SharedChannel}, so that code written for sockets (a framed protocol
 * over buffered streams) runs over shared memory unchanged. Each {@code write} call sends one frame,
 * or pieces of at most a quarter of the ring when it is longer, so that a large write streams
 * through the ring as through a socket instead of being reassembled whole on the other side; reads
 * consume frames in order, across frame boundaries. Blocking calls wait in slices of
 * {@link #SLICE}, so the peer's death or the channel's close is seen within one slice.
 *
 * <p>Thread safety: as the channel's; a stream is meant for one reader or one writer at a time.
 */
final class ChannelStreams {
    static final Duration SLICE = Duration.ofSeconds(1);

    private ChannelStreams() {}

    static InputStream input(SharedChannel channel) {
        return new InputStream() {
            private byte[] frame = new byte[0];
            private int position;

            private boolean fill() throws IOException {
                while (position == frame.length) {
                    byte[] next;
                    try {
                        next = channel.receive(SLICE);
                    } catch (EOFException e) {
                        return false; // the peer closed: end of stream
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading " + channel);
                    }
                    if (next != null) {
                        frame = next;
                        position = 0;
                    }
                }
                return true;
            }

            @Override
            public int read() throws IOException {
                return fill() ? frame[position++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, frame.length - position);
                System.arraycopy(frame, position, b, off, n);
                position += n;
                return n;
            }

            @Override
            public int available() {
                return frame.length - position;
            }
        };
    }

    static OutputStream output(SharedChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return;
                }
                int piece = channel.maxFragment();
                int at = off;
                try {
                    for (int end = off + len; at < end; at += piece) {
                        int n = Math.min(piece, end - at);
                        byte[] frame = at == 0 && n == b.length ? b : Arrays.copyOfRange(b, at, at + n);
                        // A piece fits one record: it is sent whole or, if interrupted, not at all.
                        while (!channel.send(frame, SLICE)) {
                            // the ring is full and the peer is alive: it is reading, keep waiting
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException stopped = new InterruptedIOException("interrupted while writing " + channel);
                    stopped.bytesTransferred = at - off;
                    throw stopped;
                }
            }
        };
    }
}
