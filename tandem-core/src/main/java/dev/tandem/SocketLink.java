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
 * A worker's control channel over two Unix domain socket connections, one per direction.
 *
 * <h2>Why two, and why the one written to is non-blocking</h2>
 * Frames are written by whichever thread submits or cancels a task: the user's threads. Java closes
 * a blocking channel when a thread blocked in it is interrupted ({@code ClosedByInterruptException}),
 * which killed the worker and every task on it: one interrupt of one user thread cost a worker and
 * its other tasks. A non-blocking channel is never closed by an interrupt: a write that finds the
 * socket's buffer full waits for room on a selector instead, and an interrupt only wakes that wait
 * (the thread's interrupt status is restored when the write is done). Replies are read by the
 * worker's own reader thread, which nobody interrupts, with plain blocking reads: as fast as before,
 * where reading through a selector doubled the socket round trip. A channel is either blocking or
 * not, hence one connection per direction.
 *
 * <p>Bytes go to and from the channel through {@link SocketStreams}, 256 KiB at a time: a large
 * frame written straight from its array made the JDK copy the whole remaining array on every
 * partial write.
 *
 * <h2>Threads</h2>
 * The reader thread is the only reader; writes are serialized by the {@link FrameWriter}'s lock.
 * {@link #close()} may be called by any thread.
 */
final class SocketLink implements WorkerLink {
    /** The longest single wait for room to write; the loop around it re-checks and waits again. */
    private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(1);

    private final SocketChannel tasks;
    private final SocketChannel replies;
    private final Selector writable;
    private final FrameReader reader;
    private final FrameWriter writer;
    /** Whether the writing thread was interrupted while it waited; guarded by the frame writer's lock. */
    private boolean writerInterrupted;

    /**
     * @param tasks the connection frames are written to; from now on non-blocking
     * @param replies the connection frames are read from, blocking
     * @throws IOException if the first cannot be made non-blocking
     */
    SocketLink(SocketChannel tasks, SocketChannel replies) throws IOException {
        this.tasks = tasks;
        this.replies = replies;
        tasks.configureBlocking(false);
        this.writable = Selector.open();
        tasks.register(writable, SelectionKey.OP_WRITE);
        this.reader = new FrameReader(replies, WorkerLaunch.MAX_FRAME_BYTES);
        this.writer = new FrameWriter(new Out());
    }

    @Override
    public FrameWriter writer() {
        return writer;
    }

    @Override
    public void readLoop(ReplyReading.FrameHandler handler) throws IOException {
        while (reader.next()) {
            ReplyReading.dispatch(reader, handler, true);
        }
    }

    @Override
    public void close() {
        closeQuietly(tasks);
        closeQuietly(replies);
        writable.wakeup();
        try {
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
        private final OutputStream out = SocketStreams.output(tasks, SocketLink.this::awaitWritable);

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
