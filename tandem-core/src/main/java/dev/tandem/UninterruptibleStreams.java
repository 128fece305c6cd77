package dev.tandem;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * Views of a shared-memory channel's streams that an interrupt cannot break. The pool reads and
 * writes its control stream from whatever thread needs to: a thread in {@code get()} reading its
 * reply, a thread in {@code submit()} sending its task. If an interrupt of such a thread made the read
 * or write fail half-way, the stream would lose its place and the task its reply. So these views
 * finish the operation and restore the thread's interrupt status afterwards; the thread sees the
 * interrupt where it can act on it (as {@code get()} throwing {@link InterruptedException}).
 *
 * <p>Safe because the channel's streams throw {@link InterruptedIOException} before they consume or
 * publish anything of the piece they were waiting for: a read that is retried reads the same bytes,
 * and a write resumes after the {@link InterruptedIOException#bytesTransferred bytes already sent}.
 *
 * <p>Thread safety: as the wrapped streams'.
 */
final class UninterruptibleStreams {
    private UninterruptibleStreams() {}

    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException;
    }

    private static <T> T retrying(Io<T> io) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return io.run();
                } catch (InterruptedIOException e) {
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static InputStream input(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                return retrying(in::read);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return retrying(() -> in.read(b, off, len));
            }
        };
    }

    static OutputStream output(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int[] sent = {0};
                retrying(() -> {
                    try {
                        out.write(b, off + sent[0], len - sent[0]);
                    } catch (InterruptedIOException e) {
                        sent[0] += e.bytesTransferred;
                        throw e;
                    }
                    return null;
                });
            }
        };
    }
}
