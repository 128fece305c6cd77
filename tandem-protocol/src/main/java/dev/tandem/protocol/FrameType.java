package dev.tandem.protocol;

/**
 * The kinds of frame on a worker's control channel. Every frame is
 *
 * <pre>
 *  0        4      5              13
 *  +--------+------+--------------+----------------------+
 *  | length | type | task id      | payload (length - 9) |
 *  +--------+------+--------------+----------------------+
 *    int      byte   long (0 when the frame is not about a task)
 * </pre>
 *
 * big-endian, where {@code length} counts the bytes after itself. Every frame about a task carries
 * that task's id, so a late reply can never complete another task. Type 6 is retired (it was a
 * "started" frame that was never sent: the caller knows the running tasks from the FIFO order).
 * Payloads are encoded by {@link MessageCodec}, or are values, tasks and throwables encoded by
 * {@link ObjectCodec}, {@link ValueCodec} and {@link ThrowableCodec}.
 */
public final class FrameType {
    /**
     * Worker to caller, first frame on each of the worker's two connections (one per direction, see
     * {@link #ROLE_TASKS}): payload {@link MessageCodec.Hello}.
     */
    public static final byte HELLO = 1;
    /**
     * Caller to worker: payload {@link MessageCodec.Init}. With shared memory, every frame after
     * INIT, READY included, travels through the channel.
     */
    public static final byte INIT = 2;
    /** Worker to caller: the initializer ran; the worker takes tasks. Empty payload. */
    public static final byte READY = 3;
    /** Worker to caller: the initializer failed; payload is an encoded throwable. */
    public static final byte INIT_FAILED = 4;
    /** Caller to worker: run a task; payload is the serialized task. */
    public static final byte TASK = 5;
    /** Worker to caller: the task returned; payload is the result encoded by {@link ValueCodec}. */
    public static final byte RESULT = 7;
    /** Worker to caller: the task threw; payload is an encoded throwable. */
    public static final byte FAILED = 8;
    /**
     * Worker to caller: copying failed in the worker; payload {@link MessageCodec.CopyFailed}.
     */
    public static final byte COPY_FAILED = 9;
    /** Caller to worker: interrupt the task if it is running, drop it if it is queued. */
    public static final byte CANCEL = 10;
    /** Caller to worker: exit now; the caller has no more work for this worker. */
    public static final byte EXIT = 11;
    /**
     * Caller to worker: as {@link #TASK}, for a task whose class has no state, so that identical
     * bytes always decode to an equivalent object and the worker may reuse the decoded one.
     */
    public static final byte TASK_STATELESS = 12;
    /**
     * Caller to worker: the worker starts no task after the payload's time, a {@code long} of
     * {@link System#nanoTime()} (the same clock in every process of one Linux host), until a later
     * LEASE; tasks that arrive or wait meanwhile are held, not dropped. Sent only by a cluster node's
     * pool, which passes its caller's lease on, so that a worker whose node froze starts none of the
     * tasks the caller has given up on (fencing); a worker that never got one has no such limit.
     */
    public static final byte LEASE = 13;

    /** {@link #COPY_FAILED} boundary: the worker could not decode the task. */
    public static final byte BOUNDARY_DECODE_TASK = 1;
    /** {@link #COPY_FAILED} boundary: the worker could not encode the result. */
    public static final byte BOUNDARY_ENCODE_RESULT = 2;
    /**
     * Copy-failure boundary that never travels: the caller could not read a reply (it did not fit in
     * the caller's heap), reported by the caller's own reader as if the worker had sent it.
     */
    public static final byte BOUNDARY_DECODE_RESULT = 3;

    /**
     * {@link #HELLO} role: the connection that carries frames from the caller to the worker (INIT,
     * TASK, CANCEL, EXIT, LEASE). The caller writes it in non-blocking mode, so that an interrupt of a
     * caller thread writing a task can never close it; its end tells the worker the caller is gone.
     */
    public static final byte ROLE_TASKS = 1;
    /** {@link #HELLO} role: the connection that carries frames from the worker to the caller. */
    public static final byte ROLE_REPLIES = 2;

    /** {@link #INIT} transport: stay on the socket. */
    public static final int TRANSPORT_SOCKET = 0;
    /** {@link #INIT} transport: switch to the shared-memory channel named in INIT. */
    public static final int TRANSPORT_SHARED_MEMORY = 1;

    /** The version in {@link #HELLO}; a mismatch fails the handshake. */
    public static final int PROTOCOL_VERSION = 3;

    /** Bytes of header after the length field: type and task id. */
    public static final int HEADER_AFTER_LENGTH = 1 + 8;

    private FrameType() {}

    /** {@return a readable name of a frame type, for error messages} */
    public static String name(byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case INIT -> "INIT";
            case READY -> "READY";
            case INIT_FAILED -> "INIT_FAILED";
            case TASK -> "TASK";
            case RESULT -> "RESULT";
            case FAILED -> "FAILED";
            case COPY_FAILED -> "COPY_FAILED";
            case CANCEL -> "CANCEL";
            case EXIT -> "EXIT";
            case TASK_STATELESS -> "TASK_STATELESS";
            case LEASE -> "LEASE";
            default -> "UNKNOWN(" + type + ")";
        };
    }
}
