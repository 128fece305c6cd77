package dev.tandem;

import dev.tandem.protocol.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The one writer of frames to a worker: {@code TASK}, {@code CANCEL}, {@code LEASE} and {@code EXIT} (the
 * handshake's {@code INIT} is written by the launcher before the proxy exists).
 *
 * <p><b>Concurrency.</b> Frames are queued in wire order by {@link #task}, {@link #cancel} and
 * {@link #exit}, under the pool's lock, which fixes their order; {@link #flush()} writes them outside
 * it, so the pool's lock is never held across a write that could block on a slow or full peer (a
 * large task, say) while that peer waits for the caller. Any thread may flush; flushes serialize on
 * the writer.
 *
 * <p><b>Failure.</b> A write that fails means the worker is gone; its reader thread sees the end of
 * the stream and reports the death. A write interrupted half-way closes a socket channel (Java
 * closes a channel interrupted during I/O): the worker is then lost through nobody's fault, which is
 * reported to {@code onLinkLost}.
 */
final class WorkerProxy {
    private record Frame(byte type, long taskId, byte[] payload) {}

    private static final byte[] EMPTY = new byte[0];

    private final WorkerLink link;
    private final Consumer<String> onLinkLost;
    private final ConcurrentLinkedQueue<Frame> outbox = new ConcurrentLinkedQueue<>();

    WorkerProxy(WorkerLink link, Consumer<String> onLinkLost) {
        this.link = link;
        this.onLinkLost = onLinkLost;
    }

    /** Queues a task. */
    void task(long taskId, byte[] task, boolean stateless) {
        outbox.add(new Frame(stateless ? FrameType.TASK_STATELESS : FrameType.TASK, taskId, task));
    }

    /** Queues a cancel of a task: dropped if queued in the worker, interrupted if running. */
    void cancel(long taskId) {
        outbox.add(new Frame(FrameType.CANCEL, taskId, EMPTY));
    }

    /** Queues a lease: the worker starts no task after {@code untilNanos} until a later one. */
    void lease(long untilNanos) {
        outbox.add(new Frame(
                FrameType.LEASE,
                0,
                ByteBuffer.allocate(Long.BYTES).putLong(untilNanos).array()));
    }

    /** Queues an exit request. */
    void exit() {
        outbox.add(new Frame(FrameType.EXIT, 0, EMPTY));
    }

    /**
     * Writes every queued frame, in order, and sends them. Any thread may call, an interrupted one
     * too: its interrupt status is put aside while writing and restored after (the shared-memory
     * streams retry, see {@link UninterruptibleStreams}).
     */
    void flush() {
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (link.writer()) {
                Frame f;
                while ((f = outbox.poll()) != null) {
                    link.writer().write(f.type, f.taskId, f.payload);
                }
                link.writer().flush();
            }
        } catch (ClosedByInterruptException e) {
            outbox.clear();
            onLinkLost.accept("its control channel was closed because a thread writing to it was interrupted"
                    + " (Java closes a channel interrupted during I/O)");
        } catch (IOException e) {
            outbox.clear(); // the worker is gone; its reader thread reports the death
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
