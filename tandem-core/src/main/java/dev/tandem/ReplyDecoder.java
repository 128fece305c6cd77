package dev.tandem;

import dev.tandem.TaskSerializationException.Boundary;
import dev.tandem.protocol.BulkEntry;
import dev.tandem.protocol.BulkTable;
import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.SharedRef;
import dev.tandem.protocol.TaskShares;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.protocol.ValueCodec;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.io.InvalidClassException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Completes a task's future from its worker's reply: decodes the result or the exception through
 * the pool's {@link DecodingFilter}, with the class loader of the user's code, and turns whatever
 * goes wrong on the way into a {@link TaskSerializationException} naming the copy that failed.
 * Whatever the payload holds, the future completes.
 *
 * <p>Thread-safe and stateless apart from the filter, which is thread-safe. Called without the
 * pool's lock, by the thread that read the reply.
 */
sealed class ReplyDecoder permits EncodedPoolAdapter.RawReplies {
    /**
     * Limits of what a worker may send back. The depth bound also bounds the cost of nested hash
     * collections, whose deserialization time doubles with each level ("SerialDOS").
     */
    static final class WorkLimits {
        static final long MAX_DEPTH = 40;
        static final long MAX_BYTES = WorkerLaunch.MAX_FRAME_BYTES;
        static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

        private WorkLimits() {}
    }

    /** The input index in a {@link TaskExecutionException}'s message. */
    private static final Pattern INPUT_INDEX = Pattern.compile("map failed at input #(\\d+)");

    /** The class name a serialized shared-array reference carries ({@link SharedRef}). */
    private static final byte[] SHARED_REF = SharedRef.class.getName().getBytes(StandardCharsets.US_ASCII);

    private final DecodingFilter filter;
    /** The pool's shared-memory lane, perhaps {@linkplain BulkLane#off() off}. */
    private final BulkLane lane;

    ReplyDecoder(DecodingFilter filter) {
        this(filter, BulkLane.off());
    }

    ReplyDecoder(DecodingFilter filter, BulkLane lane) {
        this.filter = filter;
        this.lane = Objects.requireNonNull(lane, "lane");
    }

    /**
     * {@return a decoder for a pool with these options: its allowed classes and the work limits}
     *
     * @param lane the pool's shared-memory lane, perhaps {@linkplain BulkLane#off() off}
     */
    static ReplyDecoder of(PoolOptions options, BulkLane lane) {
        return new ReplyDecoder(
                new DecodingFilter(
                        options.allowedClasses(),
                        WorkLimits.MAX_DEPTH,
                        10_000_000,
                        WorkLimits.MAX_ARRAY,
                        WorkLimits.MAX_BYTES),
                lane);
    }

    DecodingFilter filter() {
        return filter;
    }

    /** {@return the pool's shared-memory lane, perhaps off} */
    BulkLane lane() {
        return lane;
    }

    /** Completes {@code f} with the task's result. */
    void result(ProcessFuture<?> f, byte[] value) {
        long shared = 0;
        for (BulkEntry e : BulkTable.entries(value)) {
            shared += e.bytes();
        }
        f.replied(value.length + shared);
        if (f.isDone()) {
            dropped(f, value);
            return;
        }
        guarded(f, () -> decodeResult(f, value));
    }

    /**
     * A result for a future done already (cancelled, timed out): nobody takes it, but the shared
     * arrays a worker handed over in it are the caller's now, and would stay until the worker ends.
     * Decoded only if it names them, then closed: adopted ones are deleted.
     */
    private void dropped(ProcessFuture<?> f, byte[] payload) {
        if (!mentions(payload, SHARED_REF)) {
            return;
        }
        TaskShares received = TaskShares.inCaller();
        try {
            ValueCodec.decode(payload, f.loader, filter, lane.reader(), received);
        } catch (Throwable e) { // whatever it was, nobody waits for it
        } finally {
            received.close();
        }
    }

    /** {@return whether {@code needle} occurs in {@code bytes}} */
    static boolean mentions(byte[] bytes, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Completes {@code f} with the task's exception. */
    void failed(ProcessFuture<?> f, byte[] throwable) {
        guarded(f, () -> f.fail(throwable(throwable, f.loader)));
    }

    /** Completes {@code f} with the failure to copy the task or its result in the worker. */
    void copyFailed(ProcessFuture<?> f, int workerId, byte boundary, byte[] throwable) {
        guarded(f, () -> {
            Throwable cause = throwable(throwable, f.loader);
            if (boundary == FrameType.BOUNDARY_DECODE_RESULT) {
                f.fail(new TaskSerializationException(
                        Boundary.DECODE_RESULT_IN_CALLER,
                        "the result of " + f.description() + " could not be read: " + cause.getMessage(),
                        cause));
            } else if (boundary == FrameType.BOUNDARY_DECODE_TASK) {
                f.fail(new TaskSerializationException(
                        Boundary.DECODE_TASK_IN_WORKER,
                        "worker " + workerId + " could not decode " + f.description() + ": " + cause
                                + ". Are the task's classes on the worker's class path? Add them with"
                                + " classPath(...)",
                        cause));
            } else {
                f.fail(new TaskSerializationException(
                        Boundary.ENCODE_RESULT_IN_WORKER,
                        "the result of " + f.description() + " could not be serialized in the worker: " + cause
                                + (String.valueOf(cause.getMessage()).contains("over the limit")
                                                || String.valueOf(cause.getMessage())
                                                        .contains("shared array")
                                        ? ""
                                        : ". Return a Serializable value"),
                        cause));
            }
        });
    }

    private static void guarded(ProcessFuture<?> f, Runnable decode) {
        if (f.isDone()) {
            return;
        }
        try {
            decode.run();
        } catch (Throwable e) { // malformed payloads, and errors such as OutOfMemoryError while decoding
            f.fail(new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER,
                    "the reply to " + f.description() + " could not be decoded: " + e,
                    e));
        }
    }

    @SuppressWarnings("unchecked")
    private void decodeResult(ProcessFuture<?> f, byte[] payload) {
        Object value;
        // The shared arrays the result brings: the user's once delivered, else closed (adopted ones deleted).
        TaskShares received = TaskShares.inCaller();
        try {
            value = ValueCodec.decode(payload, f.loader, filter, lane.reader(), received);
        } catch (InvalidClassException e) {
            received.close();
            f.fail(new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER,
                    "the result of " + f.description() + " was refused by the decoding filter (" + e.getMessage()
                            + "; limits " + filter.limits() + "). If its classes are yours, allow them with"
                            + " allowClasses(\"com.acme.**\")",
                    e));
            return;
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            received.close();
            f.fail(new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER,
                    "the result of " + f.description() + " could not be decoded: " + e,
                    e));
            return;
        }
        ((ProcessFuture<Object>) f).succeed(value);
        if (f.state() != Future.State.SUCCESS || f.resultNow() != value) {
            received.close(); // the future was done first (cancelled): nobody gets the value
        }
    }

    /**
     * {@return the exception encoded in {@code payload}, or a stand-in saying why it could not be}
     * A {@link TaskExecutionException} whose cause could not be decoded is rebuilt around the cause's
     * stand-in, so a {@code map} still says which input failed, with the class and message of what
     * it threw.
     */
    Throwable throwable(byte[] payload, ClassLoader loader) {
        try {
            Throwable t = ThrowableCodec.decode(payload, loader, filter, RemoteTaskException::new);
            if (t instanceof RemoteTaskException r
                    && r.remoteClassName().equals(TaskExecutionException.class.getName())
                    && r.getMessage() != null) {
                Matcher m = INPUT_INDEX.matcher(r.getMessage());
                if (m.find()) {
                    TaskExecutionException rebuilt = new TaskExecutionException(
                            Long.parseLong(m.group(1)), r.getCause() != null ? r.getCause() : r);
                    rebuilt.setStackTrace(r.getStackTrace());
                    return rebuilt;
                }
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER, "a worker sent a malformed exception: " + e.getMessage(), e);
        }
    }
}
