package dev.tandem;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.SocketStreams;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.io.OutputStream;
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
 * <p>Bytes go to and from the channel through {@link SocketStreams}, 256 KiB at a time: a large
 * frame written straight from its array made the JDK copy the whole remaining array on every
 * partial write.
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
    /** Whether the writing thread was interrupted while it waited; guarded by the frame writer's lock. */
    private boolean writerInterrupted;

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
        this.reader = new FrameReader(SocketStreams.input(channel, this::awaitReadable), WorkerLaunch.MAX_FRAME_BYTES);
        this.writer = new FrameWriter(new Out());
    }

    @Override
    public FrameWriter writer() {
        return writer;
    }

    @Override
    public void readLoop(ReplyReading.FrameHandler handler) throws IOException {
        while (reader.next()) {
            ReplyReading.dispatch(reader, handler);
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

    /** Waits on the read selector until the socket is readable; false once the channel is closed. */
    private boolean awaitReadable() throws IOException {
        readable.select(WAIT_MILLIS);
        readable.selectedKeys().clear();
        return channel.isOpen();
    }

    /**
     * Waits on the write selector until the socket takes bytes again. An interrupt is put aside (else
     * select returns at once, for ever) and restored when the write is done: it never breaks it.
     * Called only by the thread writing, under the frame writer's lock.
     */
    private boolean awaitWritable() throws IOException {
        writerInterrupted |= Thread.interrupted();
        writable.select(WAIT_MILLIS);
        writable.selectedKeys().clear();
        return true;
    }

    /** Writes everything through {@link SocketStreams}, then restores an interrupt put aside meanwhile. */
    private final class Out extends OutputStream {
        private final OutputStream out = SocketStreams.output(channel, SocketLink.this::awaitWritable);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } finally {
                if (writerInterrupted) {
                    writerInterrupted = false;
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
