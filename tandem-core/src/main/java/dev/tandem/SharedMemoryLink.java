package dev.tandem;

import dev.tandem.ipc.SharedChannel;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.WorkerLaunch;
import java.nio.channels.SocketChannel;
import java.util.function.IntSupplier;

/**
 * A worker's control channel over a {@link SharedChannel}; the sockets beside it carried only the
 * handshake, and are kept so that the worker sees the caller's end. Replies are read by
 * {@link ReplyReading}: the reader thread, or a thread waiting in {@code get()} for its worker's only
 * outstanding task ({@link #lead}).
 *
 * <p>Thread-safe. The reading is set up once, by the reader thread, before any frame can arrive for
 * a waiting thread to read (the worker replies only to tasks, which are sent after it is ready).
 */
final class SharedMemoryLink implements WorkerLink {
    private final SharedChannel channel;
    private final SocketChannel tasksSocket;
    private final SocketChannel repliesSocket;
    private final FrameReader reader;
    private final FrameWriter writer;
    /** The worker's outstanding tasks (sent, not yet answered). */
    private final IntSupplier outstanding;
    /** Set by {@link #readLoop} before it reads. */
    private volatile ReplyReading replies;

    SharedMemoryLink(SharedChannel channel, SocketChannel tasks, SocketChannel replies, IntSupplier outstanding) {
        this.channel = channel;
        this.tasksSocket = tasks;
        this.repliesSocket = replies;
        this.outstanding = outstanding;
        this.reader =
                new FrameReader(UninterruptibleStreams.input(channel.inputStream()), WorkerLaunch.MAX_FRAME_BYTES);
        this.writer = new FrameWriter(UninterruptibleStreams.output(channel.outputStream()));
    }

    @Override
    public FrameWriter writer() {
        return writer;
    }

    /** {@return whether the worker attached its end of the channel} */
    boolean peerAttached() {
        return channel.peerPid() != 0;
    }

    @Override
    public void readLoop(ReplyReading.FrameHandler handler) throws Throwable {
        ReplyReading r = new ReplyReading(channel, reader, handler, outstanding);
        replies = r;
        r.readerLoop();
    }

    /**
     * Reads replies in the calling thread for at most {@code nanos}, until {@code f} is done, when
     * {@code f} is its worker's only outstanding task and nobody else reads (see
     * {@link ReplyReading#lead}). A virtual thread never leads: waiting would pin its carrier.
     *
     * @return whether it read
     */
    boolean lead(ProcessFuture<?> f, long nanos) throws InterruptedException {
        ReplyReading r = replies;
        return r != null
                && outstanding.getAsInt() == 1
                && !Thread.currentThread().isVirtual()
                && r.lead(f, nanos);
    }

    /** Before a thread blocks for a reply it does not read itself: makes sure someone reads now. */
    void needReader() {
        ReplyReading r = replies;
        if (r != null) {
            r.needReader();
        }
    }

    @Override
    public void close() {
        channel.close();
        SocketLink.closeQuietly(tasksSocket);
        SocketLink.closeQuietly(repliesSocket);
    }
}
