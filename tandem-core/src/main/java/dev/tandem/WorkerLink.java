package dev.tandem;

import dev.tandem.protocol.FrameWriter;

/**
 * The control channel to one worker JVM, one kind per {@link Transport}: the Unix domain socket
 * ({@link SocketLink}), or a shared-memory channel beside it ({@link SharedMemoryLink}), which then
 * carries every frame while the socket only tells whether the peer lives.
 *
 * <p>A link has one writer (its {@link WorkerProxy} writes through {@link #writer()}) and one reading
 * role ({@link #readLoop}, run by the worker's reader thread; over shared memory a waiting caller
 * thread may read too, see {@link ReplyReading}). {@link #close()} may be called by any thread, more
 * than once.
 */
sealed interface WorkerLink permits SocketLink, SharedMemoryLink {
    /** {@return the writer of frames to the worker} */
    FrameWriter writer();

    /**
     * Reads frames until the stream ends, handing each to {@code handler}; run by the reader thread.
     *
     * @throws Throwable what broke the stream (then the worker cannot be trusted and is killed)
     */
    void readLoop(ReplyReading.FrameHandler handler) throws Throwable;

    /** Closes the channel; for shared memory, deletes the segment (the caller created it). */
    void close();
}
