package dev.tandem;

import dev.tandem.ipc.SharedChannel;
import dev.tandem.protocol.FrameReader;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Who reads one worker's replies when they travel over shared memory: the thread waiting for one of
 * them, or the worker's reader thread. Leader/follower, as in the worker itself.
 *
 * <h2>Why</h2>
 * When only the reader thread reads, a reply wakes the reader thread, which then wakes the thread
 * waiting in {@code get()}: on one CPU that is a third context switch per round trip, and the most
 * expensive part of it. A thread waiting for its worker's only outstanding task reads the reply
 * itself instead: submit, the worker runs, the reply wakes the waiting thread directly.
 *
 * <h2>Roles</h2>
 * Exactly one thread at a time holds {@link #lease} and may use the {@link FrameReader}.
 * <ul>
 * <li>A <em>leader</em> is a thread in {@code get()}. It asks by counting itself in {@link #leads},
 * then takes the lease only if it is free ({@code tryLock}, never waiting for it), and reads for at
 * most the time it was given. It leaves when its future is done, and hands back to the reader thread
 * ({@link #handBack}) when it leaves with tasks outstanding, its time ran out, or the stream ended.
 * <li>The <em>reader thread</em> is either READING (it holds the lease and waits for frames in
 * slices, as a plain reader thread would) or FOLLOWING (it holds nothing and checks every
 * {@link #FOLLOW_CHECK_NANOS}).
 * </ul>
 * <pre>
 * READING --a leader asked since it took the lease, and no task is outstanding--> FOLLOWING
 * FOLLOWING --a leader handed back, or no leader asked during a whole check--> READING
 * either --the stream ended--> done (the pool then handles the worker's end)
 * </pre>
 *
 * <h2>Why no reply is left unread</h2>
 * A frame can only arrive while a task is outstanding (or the stream ends). While one is, either a
 * leader holds the lease; or a leader left and handed back; or the reader thread is READING (it
 * leaves READING only with nothing outstanding); or it is FOLLOWING and a task was submitted since,
 * with no leader: then no leader asks during the next whole check, and it reads again. So a reply
 * nobody waits for in {@code get()} is read within two check periods at worst, and a thread that
 * blocks in {@code get()} after leading was handed back to the reader thread before it blocked.
 *
 * <p>Thread-safe. The lease gives the reading thread exclusive use of the {@link FrameReader}, and
 * its release and acquisition order one reader's reads before the next one's.
 */
final class ReplyReading {
    /** How long a leader reads before it hands back and blocks as usual: 1 ms. */
    static final long LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often a FOLLOWING reader thread checks whether leaders still lead: 1 ms. */
    static final long FOLLOW_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The reader thread's longest single wait while READING. Longer than the channel's own slice
     * (50 ms), after which a waiting thread checks whether the peer process still lives: a worker
     * that dies without a word is noticed that way.
     */
    static final long READ_SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What to do with a frame; the pool's dispatch. */
    interface FrameHandler {
        /**
         * Handles a frame; {@code more} is true when the next frame is already in hand and is handled
         * next, by this thread, before it waits for anything (see {@code WorkerListener}'s bursts).
         */
        void handle(byte type, long taskId, byte[] payload, boolean more) throws IOException;

        /** A frame whose payload of {@code bytes} did not fit in this JVM's heap was read past. */
        void skipped(byte type, long taskId, long bytes) throws IOException;
    }

    private final SharedChannel channel;
    private final FrameReader reader;
    private final FrameHandler handler;
    /** The worker's outstanding tasks (sent, not yet answered). */
    private final IntSupplier outstanding;

    private final ReentrantLock lease = new ReentrantLock();
    private final AtomicLong leads = new AtomicLong();
    private volatile boolean handBack;
    /** Whether the reader thread is FOLLOWING (reads nothing until woken or a check). */
    private volatile boolean following;

    private volatile boolean ended;
    /** Why the stream broke, when it did not simply end; set before {@link #ended}. */
    private volatile Throwable broken;

    private volatile Thread readerThread;

    ReplyReading(SharedChannel channel, FrameReader reader, FrameHandler handler, IntSupplier outstanding) {
        this.channel = channel;
        this.reader = reader;
        this.handler = handler;
        this.outstanding = outstanding;
    }

    /**
     * Hands the frame {@code reader} just read to {@code handler}, saying whether more bytes are
     * already buffered behind it when {@code bursts} (a thread that reads on until the stream
     * is drained may; a leader, who stops when its own reply came, may not).
     */
    static void dispatch(FrameReader reader, FrameHandler handler, boolean bursts) throws IOException {
        byte[] payload = reader.payload();
        if (payload == null) {
            handler.skipped(reader.type(), reader.taskId(), reader.skipped());
        } else {
            handler.handle(reader.type(), reader.taskId(), payload, bursts && reader.hasBufferedBytes());
        }
    }

    /**
     * The reader thread's loop. Returns when the stream ended cleanly.
     *
     * @throws Throwable what broke the stream, read by this thread or by a leader
     */
    void readerLoop() throws Throwable {
        readerThread = Thread.currentThread();
        while (true) {
            lease.lock();
            try {
                handBack = false;
                long asked = leads.get();
                while (!ended) {
                    if (reader.hasBufferedBytes() || channel.awaitReadable(READ_SLICE_NANOS, TimeUnit.NANOSECONDS)) {
                        readOne();
                    }
                    if (leads.get() != asked && outstanding.getAsInt() == 0) {
                        break; // leaders are back and nothing is left to read: let them
                    }
                }
            } catch (Throwable e) {
                broken = e;
                ended = true;
            } finally {
                lease.unlock();
            }
            if (ended) {
                Throwable e = broken;
                if (e != null) {
                    throw e;
                }
                return;
            }
            following = true;
            long asked = leads.get();
            while (!handBack && !ended) {
                LockSupport.parkNanos(this, FOLLOW_CHECK_NANOS);
                long now = leads.get();
                if (now == asked) {
                    break; // no leader during a whole check: read again
                }
                asked = now;
            }
            following = false;
        }
    }

    /**
     * Called by a thread about to block for a reply it does not read itself (its worker has other
     * tasks outstanding): wakes a FOLLOWING reader thread, so the reply is read now rather than at
     * its next check.
     */
    void needReader() {
        if (following) {
            handBack = true;
            LockSupport.unpark(readerThread);
        }
    }

    /**
     * Reads replies in the calling thread until {@code f} is done or {@code nanos} have passed, if no
     * other thread is reading; else returns at once. Either way the caller then waits on {@code f} as
     * usual.
     *
     * @return whether it read (or waited to read); false when another thread is reading
     * @throws InterruptedException if interrupted while waiting for a frame
     */
    boolean lead(ProcessFuture<?> f, long nanos) throws InterruptedException {
        leads.incrementAndGet();
        if (!lease.tryLock()) {
            return false;
        }
        try {
            long start = System.nanoTime();
            long spinEnd = start + SpinWait.spinNanos();
            while (!f.isDone() && !ended) {
                if (!reader.hasBufferedBytes()) {
                    long now = System.nanoTime();
                    long left = nanos - (now - start);
                    if (left <= 0) {
                        break;
                    }
                    boolean ready = now - spinEnd < 0
                            ? channel.awaitReadable(0, TimeUnit.NANOSECONDS)
                            : channel.awaitReadable(left, TimeUnit.NANOSECONDS);
                    if (!ready) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                readOne();
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Throwable e) { // a broken or hostile stream: the reader thread ends the worker
            broken = e;
            ended = true;
        } finally {
            boolean back = ended || !f.isDone() || outstanding.getAsInt() > 0;
            if (back) {
                handBack = true;
            }
            lease.unlock();
            if (back) {
                LockSupport.unpark(readerThread);
            }
        }
        return true;
    }

    private void readOne() throws IOException {
        if (!reader.next()) {
            ended = true;
            return;
        }
        dispatch(reader, handler, false);
    }
}
