package dev.tandem.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A duplex pipe of {@code byte[]} frames between two processes over shared memory: the creator is
 * one end, the one process that attaches is the other. A message transport for a process pool,
 * beside a Unix-domain socket: frames keep their boundaries and order, have any size (large ones
 * travel in fragments), and every wait is bounded and notices the peer's death.
 *
 * <pre>{@code
 * // caller                                            // worker JVM
 * SharedChannel ch = SharedChannel.create(1 << 20);    SharedChannel ch = SharedChannel.attach(handle);
 * send handle to the worker, then:                     byte[] task = ch.receive(timeout);
 * ch.send(task, timeout);                              ch.send(result, timeout);
 * byte[] result = ch.receive(timeout);
 * }</pre>
 *
 * <h2>Ends and failure</h2>
 * {@link #receive} returns every frame the peer sent before it closed or died, then throws
 * {@link EOFException} (the peer closed) or {@link PeerDiedException} (its process is gone, checked
 * by pid and start time about every 50 ms while waiting). {@link #send} returns once the frame is in
 * the ring (like a pipe write, not a delivery receipt); if it must wait for room and the peer closed
 * or died, it throws the same exceptions. Both return {@code null}/{@code false} when their timeout
 * elapses. Closing this end wakes this object's waiting threads with
 * {@link AsynchronousCloseException}, and the peer's with {@link EOFException}. Until an end attaches
 * the creator cannot check the peer's liveness: use {@link #awaitPeer} or the peer's process handle.
 * The channel's memory is reserved when it is created ({@link SharedMemoryFullException} if the
 * segment directory is full); should a page fault all the same (its file truncated by another
 * program), {@link #send} and {@link #receive} throw {@link IOException}.
 *
 * <h2>Concurrency</h2>
 * Each direction is a single-producer single-consumer ring ({@link ChannelDescriptor}); senders of
 * one end are serialized by a lock, as are receivers, so any threads may call. Waiting spins for
 * about 20 µs, then sleeps on a futex ({@link Signal}); a sender wakes the receiver only when it is
 * asleep.
 *
 * <p><b>Thread safety.</b> Thread-safe.
 *
 * <p><b>Memory consistency effects.</b> Actions in a process before it sends a frame happen-before
 * actions after the receive that returns that frame in the other process.
 */
public final class SharedChannel implements AutoCloseable {
    private final SharedSegment segment;
    private final MemorySegment memory;
    private final boolean endA;
    private final int capacity;
    private final long mask;
    private final int maxFragment;
    private final long outRing;
    private final long inRing;
    private final Signal outData;
    private final Signal outSpace;
    private final Signal inData;
    private final Signal inSpace;
    private final long peerOffset;
    private final long peerClosedOffset;
    private final long myClosedOffset;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private volatile boolean closed;

    /** The tail of the out ring; written only under sendLock. */
    private long outTail;
    /** The head of the in ring; written only under receiveLock, read by {@link #awaitReadable} without it. */
    private volatile long inHead;
    /** The frame being reassembled across receive calls; guarded by receiveLock. */
    private byte[] partial;

    private int partialLength;

    private SharedChannel(SharedSegment segment, boolean endA) {
        this.segment = segment;
        this.memory = segment.whole();
        this.endA = endA;
        this.capacity = Atomics.getIntPlain(memory, ChannelDescriptor.CAPACITY_OFFSET);
        if (Integer.bitCount(capacity) != 1 || ChannelDescriptor.segmentSize(capacity) != memory.byteSize()) {
            throw new IllegalStateException("corrupt channel header: capacity " + capacity);
        }
        this.mask = capacity - 1L;
        this.maxFragment = ChannelDescriptor.maxFragment(capacity);
        this.outRing = ChannelDescriptor.ringOffset(capacity, endA);
        this.inRing = ChannelDescriptor.ringOffset(capacity, !endA);
        this.outData = new Signal(
                memory, outRing + ChannelDescriptor.RING_DATA_SEQUENCE, outRing + ChannelDescriptor.RING_DATA_WAITERS);
        this.outSpace = new Signal(
                memory,
                outRing + ChannelDescriptor.RING_SPACE_SEQUENCE,
                outRing + ChannelDescriptor.RING_SPACE_WAITERS);
        this.inData = new Signal(
                memory, inRing + ChannelDescriptor.RING_DATA_SEQUENCE, inRing + ChannelDescriptor.RING_DATA_WAITERS);
        this.inSpace = new Signal(
                memory, inRing + ChannelDescriptor.RING_SPACE_SEQUENCE, inRing + ChannelDescriptor.RING_SPACE_WAITERS);
        this.peerOffset = endA ? ChannelDescriptor.END_B_OFFSET : ChannelDescriptor.END_A_OFFSET;
        this.peerClosedOffset = endA ? ChannelDescriptor.END_B_CLOSED_OFFSET : ChannelDescriptor.END_A_CLOSED_OFFSET;
        this.myClosedOffset = endA ? ChannelDescriptor.END_A_CLOSED_OFFSET : ChannelDescriptor.END_B_CLOSED_OFFSET;
        this.outTail = Atomics.getLongVolatile(memory, outRing + ChannelDescriptor.RING_TAIL);
        this.inHead = Atomics.getLongVolatile(memory, inRing + ChannelDescriptor.RING_HEAD);
    }

    /**
     * Creates a channel whose creator is one end.
     *
     * @param ringBytes the capacity of each direction's ring, a power of two between 4 KiB and 1 GiB;
     *        frames larger than a quarter of it are fragmented
     * @return this end; its {@link #close()} deletes the channel
     * @throws SharedMemoryFullException if the segment directory's file system has no room for it
     * @throws IOException if the segment cannot be created
     */
    public static SharedChannel create(int ringBytes) throws IOException {
        if (ringBytes < ChannelDescriptor.MIN_CAPACITY
                || ringBytes > ChannelDescriptor.MAX_CAPACITY
                || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("ringBytes must be a power of two between "
                    + ChannelDescriptor.MIN_CAPACITY + " and " + ChannelDescriptor.MAX_CAPACITY + ", was " + ringBytes);
        }
        SharedSegment segment = SharedSegment.create(
                Kind.CHANNEL, ChannelDescriptor.VERSION, ChannelDescriptor.segmentSize(ringBytes), whole -> {
                    Atomics.setIntPlain(whole, ChannelDescriptor.CAPACITY_OFFSET, ringBytes);
                    Atomics.setLongPlain(whole, ChannelDescriptor.END_A_OFFSET, ProcessIdentity.self());
                });
        return new SharedChannel(segment, true);
    }

    /**
     * Attaches the other end of a channel. Only one process attaches, once.
     *
     * @param handle the channel's {@link #handle()}
     * @return the other end; close it to detach
     * @throws IOException if the segment is gone, is not a channel, or already has its second end
     */
    public static SharedChannel attach(SegmentHandle handle) throws IOException {
        SharedSegment segment = SharedSegment.attach(handle, Kind.CHANNEL, ChannelDescriptor.VERSION);
        try {
            MemorySegment whole = segment.whole();
            if (!Atomics.casLong(whole, ChannelDescriptor.END_B_OFFSET, 0, ProcessIdentity.self())) {
                throw new IOException("channel " + handle.path() + " already has its second end ("
                        + ProcessIdentity.describe(Atomics.getLongVolatile(whole, ChannelDescriptor.END_B_OFFSET))
                        + ")");
            }
            SharedChannel channel = new SharedChannel(segment, false);
            channel.outData.signal(); // wakes awaitPeer
            return channel;
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    /**
     * Waits until the other end has attached.
     *
     * @param timeout the longest wait
     * @return whether it attached
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitPeer(Duration timeout) throws InterruptedException {
        return inData.await(() -> Atomics.getLongVolatile(memory, peerOffset) != 0, Signal.deadline(timeout), () -> {});
    }

    /**
     * Sends a frame, waiting at most {@code timeout} for room in the ring.
     *
     * @param frame the bytes; copied
     * @param timeout the longest wait for room (for a fragmented frame: for all of it)
     * @return whether the whole frame was sent; {@code false} on timeout. A fragmented frame may then
     *         have been sent in part: the receiver never returns it, and drops it when the next frame
     *         begins, so the channel stays usable
     * @throws EOFException if the peer closed its end
     * @throws PeerDiedException if the peer's process died
     * @throws ClosedChannelException if this end is closed (or {@link AsynchronousCloseException} if it
     *         was closed while waiting)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean send(byte[] frame, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(frame, "frame");
        long deadline = Signal.deadline(timeout);
        if (!sendLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            int offset = 0;
            boolean first = true;
            do {
                ensureOpen();
                int chunk = Math.min(frame.length - offset, maxFragment);
                int recordLength = (int) Atomics.align(ChannelDescriptor.RECORD_HEADER + chunk, 8);
                long index = outTail & mask;
                long toEnd = capacity - index;
                long needed = recordLength + (toEnd < recordLength ? toEnd : 0);
                if (!hasRoom(needed)) {
                    outSpace.await(
                            () -> hasRoom(needed) || closed || peerClosed(), deadline, this::checkPeerWhileSending);
                    ensureOpen();
                    if (!hasRoom(needed)) {
                        if (peerClosed()) {
                            throw new EOFException("the peer closed the channel");
                        }
                        return false;
                    }
                }
                if (toEnd < recordLength) {
                    Atomics.setIntPlain(
                            memory, ring(outRing, index) + ChannelDescriptor.RECORD_LENGTH, ChannelDescriptor.PADDING);
                    outTail += toEnd;
                    index = 0;
                }
                long record = ring(outRing, index);
                int flags = (first ? ChannelDescriptor.FIRST : 0)
                        | (offset + chunk == frame.length ? ChannelDescriptor.LAST : 0);
                Atomics.setIntPlain(memory, record + ChannelDescriptor.RECORD_LENGTH, chunk);
                Atomics.setIntPlain(memory, record + ChannelDescriptor.RECORD_FLAGS, flags);
                Atomics.setIntPlain(memory, record + ChannelDescriptor.RECORD_FRAME_LENGTH, frame.length);
                MemorySegment.copy(
                        frame, offset, memory, ValueLayout.JAVA_BYTE, record + ChannelDescriptor.RECORD_HEADER, chunk);
                outTail += recordLength;
                Atomics.setLongRelease(memory, outRing + ChannelDescriptor.RING_TAIL, outTail);
                outData.signal();
                offset += chunk;
                first = false;
            } while (offset < frame.length);
            return true;
        } catch (IllegalStateException e) {
            throw closedWhileWaiting(e);
        } catch (InternalError e) {
            throw fault(e);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives the next frame, waiting at most {@code timeout} for it.
     *
     * @param timeout the longest wait
     * @return the frame, or {@code null} if none (or not all of it) arrived in time; fragments that did
     *         arrive are kept for the next call
     * @throws EOFException if the peer closed its end and every frame it sent was received
     * @throws PeerDiedException if the peer's process died and every frame it sent was received
     * @throws ClosedChannelException if this end is closed (or {@link AsynchronousCloseException} if it
     *         was closed while waiting)
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] receive(Duration timeout) throws IOException, InterruptedException {
        long deadline = Signal.deadline(timeout);
        if (!receiveLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return null;
        }
        try {
            while (true) {
                ensureOpen();
                if (!hasData()) {
                    inData.await(() -> hasData() || closed || peerClosed(), deadline, this::checkPeerWhileReceiving);
                    ensureOpen();
                    if (!hasData()) {
                        if (peerClosed()) {
                            throw new EOFException("the peer closed the channel");
                        }
                        return null;
                    }
                }
                byte[] frame = readRecord();
                if (frame != null) {
                    return frame;
                }
            }
        } catch (IllegalStateException e) {
            throw closedWhileWaiting(e);
        } catch (InternalError e) {
            throw fault(e);
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Waits until {@link #receive} would not wait: a frame (or a fragment of one) has arrived, the
     * peer closed its end or died, or this end was closed. Receives nothing, so several threads may
     * take turns: one waits for readiness, then receives. With a zero timeout it only checks, which
     * makes it usable in a spin loop. A wait checks whether the peer process lives about every 50 ms,
     * as {@link #receive} does; a shorter one does not.
     *
     * @param timeout the longest wait; zero or less checks once
     * @param unit its unit
     * @return whether a receive would return (or throw) at once; {@code false} when the timeout elapsed
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitReadable(long timeout, TimeUnit unit) throws InterruptedException {
        if (closed || hasData() || peerClosed()) {
            return true;
        }
        if (timeout <= 0) {
            return false;
        }
        long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), TimeUnit.DAYS.toNanos(365));
        try {
            return inData.await(() -> hasData() || closed || peerClosed(), deadline, this::checkPeerWhileReceiving);
        } catch (PeerDiedException | IllegalStateException e) {
            return true; // receive reports the death, or the close
        }
    }

    /** Consumes one record; returns the frame if it completed one. Caller holds receiveLock. */
    private byte[] readRecord() {
        long index = inHead & mask;
        long record = ring(inRing, index);
        int length = Atomics.getIntPlain(memory, record + ChannelDescriptor.RECORD_LENGTH);
        if (length == ChannelDescriptor.PADDING) {
            inHead += capacity - index;
            publishHead();
            return null;
        }
        int flags = Atomics.getIntPlain(memory, record + ChannelDescriptor.RECORD_FLAGS);
        if ((flags & ChannelDescriptor.FIRST) != 0) {
            partial = new byte[Atomics.getIntPlain(memory, record + ChannelDescriptor.RECORD_FRAME_LENGTH)];
            partialLength = 0;
        } else if (partial == null) {
            throw new IllegalStateException("corrupt channel: a continuation fragment without a first one");
        }
        MemorySegment.copy(
                memory,
                ValueLayout.JAVA_BYTE,
                record + ChannelDescriptor.RECORD_HEADER,
                partial,
                partialLength,
                length);
        partialLength += length;
        inHead += Atomics.align(ChannelDescriptor.RECORD_HEADER + length, 8);
        publishHead();
        if ((flags & ChannelDescriptor.LAST) == 0) {
            return null;
        }
        byte[] frame = partial;
        partial = null;
        return frame;
    }

    private void publishHead() {
        Atomics.setLongRelease(memory, inRing + ChannelDescriptor.RING_HEAD, inHead);
        inSpace.signal();
    }

    private boolean hasData() {
        return Atomics.getLongAcquire(memory, inRing + ChannelDescriptor.RING_TAIL) != inHead;
    }

    private boolean hasRoom(long needed) {
        long head = Atomics.getLongAcquire(memory, outRing + ChannelDescriptor.RING_HEAD);
        return capacity - (outTail - head) >= needed;
    }

    private boolean peerClosed() {
        return Atomics.getIntAcquire(memory, peerClosedOffset) != 0;
    }

    private void checkPeerWhileReceiving() throws PeerDiedException {
        long peer = Atomics.getLongVolatile(memory, peerOffset);
        if (peer != 0 && !hasData() && !ProcessIdentity.isAlive(peer) && !hasData()) {
            throw new PeerDiedException(
                    ProcessIdentity.pid(peer), "the peer process (pid " + ProcessIdentity.pid(peer) + ") died");
        }
    }

    private void checkPeerWhileSending() throws PeerDiedException {
        long peer = Atomics.getLongVolatile(memory, peerOffset);
        if (peer != 0 && !ProcessIdentity.isAlive(peer)) {
            throw new PeerDiedException(
                    ProcessIdentity.pid(peer), "the peer process (pid " + ProcessIdentity.pid(peer) + ") died");
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new AsynchronousCloseException();
        }
    }

    private IOException closedWhileWaiting(IllegalStateException e) {
        if (closed) {
            IOException closedException = new AsynchronousCloseException();
            closedException.initCause(e);
            return closedException;
        }
        throw e;
    }

    /**
     * A page of the mapping could not be read or written ({@code SIGBUS}, which the JVM reports as
     * {@link InternalError}): the file was truncated behind our back, or it was made by a creator
     * that did not reserve its memory and the file system is full. The channel is unusable; an
     * {@link IOException} lets each side treat it as a broken channel instead of losing a thread.
     */
    private IOException fault(InternalError e) {
        return new IOException(
                "a fault accessing the shared memory of " + segment.handle().path()
                        + " (was its file truncated, or is its file system full?): " + e.getMessage(),
                e);
    }

    private long ring(long ring, long index) {
        return ring + ChannelDescriptor.RING_META + index;
    }

    /**
     * A stream view of the receiving direction: reads consume frames in order, across boundaries, and
     * return -1 once the peer closed its end and every frame was read.
     *
     * @return the view; it throws {@link PeerDiedException} when the peer's process died, and
     *         {@link java.io.InterruptedIOException} when the reading thread is interrupted
     */
    public InputStream inputStream() {
        return ChannelStreams.input(this);
    }

    /**
     * A stream view of the sending direction: each {@code write} call sends one frame, or pieces of
     * a quarter of the ring when longer (wrap it in a {@link java.io.BufferedOutputStream} to send
     * many small writes as one), waiting as long as the peer is alive for room in the ring.
     *
     * @return the view; it throws {@link PeerDiedException} or {@link EOFException} when the peer is
     *         gone, and {@link java.io.InterruptedIOException} when the writing thread is interrupted
     *         (its {@code bytesTransferred} says how much of the write was sent)
     */
    public OutputStream outputStream() {
        return ChannelStreams.output(this);
    }

    /** {@return the longest frame sent without fragments: a quarter of the ring} */
    int maxFragment() {
        return maxFragment;
    }

    /** {@return the peer's pid, or 0 until an end attached} */
    public long peerPid() {
        long peer = Atomics.getLongVolatile(memory, peerOffset);
        return peer == 0 ? 0 : ProcessIdentity.pid(peer);
    }

    /** {@return a handle that the other end can {@link #attach(SegmentHandle) attach}} */
    public SegmentHandle handle() {
        return segment.handle();
    }

    /**
     * Closes this end: the peer receives what was already sent, then {@link EOFException}; threads of
     * this process waiting on this object fail with {@link AsynchronousCloseException}. Unmaps the
     * channel; the creator's close also deletes it. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Atomics.setIntRelease(memory, myClosedOffset, 1);
            outData.wakeAll();
            outSpace.wakeAll();
            inData.wakeAll();
            inSpace.wakeAll();
            // Let this process's waiting threads leave before the memory goes away (bounded).
            boolean sending = tryLock(sendLock);
            boolean receiving = tryLock(receiveLock);
            if (sending) {
                sendLock.unlock();
            }
            if (receiving) {
                receiveLock.unlock();
            }
        } finally {
            segment.close();
        }
    }

    private static boolean tryLock(ReentrantLock lock) {
        try {
            return lock.tryLock(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "SharedChannel[" + (endA ? "creator" : "attached") + " end, ring " + capacity + " bytes, "
                + segment.handle().path() + "]";
    }
}
