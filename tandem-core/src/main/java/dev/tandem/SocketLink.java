package dev.tandem;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A worker's control channel over its Unix domain socket, in <b>non-blocking</b> mode.
 *
 * <h2>Why non-blocking</h2>
 * Frames are written by whichever thread submits or cancels a task: the user's threads. Java closes
 * a blocking channel when a thread blocked in it is interrupted ({@code ClosedByInterruptException}),
 * which killed the worker and every task on it, so one interrupt of one user thread cost a worker and
 * its other tasks. A non-blocking channel is never closed by an interrupt: a write that finds the
 * socket's buffer full waits for room on a selector instead, and an interrupt only wakes that wait
 * (the thread's interrupt status is restored when the write is done). Measured cost: see
 * docs/performance.md (RoundTripBenchmark, socket).
 *
 * <h2>Threads</h2>
 * The reader thread is the only reader (one selector for reading); writes are serialized by the
 * {@link FrameWriter}'s lock (one selector for writing). {@link #close()} may be called by any thread.
 */
final class SocketLink implements WorkerLink {
    /** The longest single wait for the socket; the loops around it re-check and wait again. */
    private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(1);

    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final FrameReader reader;
    private final FrameWriter writer;

    /**
     * @param channel the connected socket; from now on non-blocking
     * @throws IOException if it cannot be made non-blocking
     */
    SocketLink(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
        this.reader = new FrameReader(new In(), WorkerLaunch.MAX_FRAME_BYTES);
        this.writer = new FrameWriter(new Out());
    }

    @Override
    public FrameWriter writer() {
        return writer;
    }

    @Override
    public void readLoop(ReplyReading.FrameHandler handler) throws IOException {
        while (reader.next()) {
            handler.handle(reader.type(), reader.taskId(), reader.payload());
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
        readable.wakeup();
        writable.wakeup();
        try {
            readable.close();
            writable.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Reads, waiting on the read selector while nothing is there. Used by the reader thread only. */
    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (true) {
                int n = channel.read(bb);
                if (n != 0) {
                    return n;
                }
                readable.select(WAIT_MILLIS);
                readable.selectedKeys().clear();
                if (!channel.isOpen()) {
                    return -1;
                }
            }
        }
    }

    /** Writes everything, waiting for room on the write selector; an interrupt never breaks it. */
    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            boolean interrupted = false;
            try {
                while (bb.hasRemaining()) {
                    if (channel.write(bb) == 0) {
                        interrupted |= Thread.interrupted(); // else select returns at once, for ever
                        writable.select(WAIT_MILLIS);
                        writable.selectedKeys().clear();
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
