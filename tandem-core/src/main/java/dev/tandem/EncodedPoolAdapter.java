package dev.tandem;

import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.spi.EncodedPool;
import dev.tandem.spi.EncodedPools;
import dev.tandem.spi.WorkerListener;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ProcessTaskPool} that takes serialized tasks and gives back encoded replies: what a
 * cluster node runs for each caller session ({@link EncodedPool}). The bytes of a task go to a
 * worker JVM unopened, and the worker's reply comes back unopened, so the node JVM never
 * deserializes the caller's classes; what the conductor itself decides (a lost worker, a timeout,
 * poison, the pool's failure, a cancel) is one of Tandem's exceptions, encoded here.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. Each task's future has one listener, which sends its one reply as the future
 * completes; that may be under the pool's lock, so the listener given at start must only queue it.
 *
 * <h2>Lifecycle</h2>
 * The pool's own ({@link RunState}): {@link #close()} drains, {@link #kill()} stops at once.
 *
 * <h2>A kill answers nothing</h2>
 * Its cancels (and the lost workers of {@code shutdownNow}'s planned kill, the rejection of a task
 * submitted after it) are the node's doing, not the tasks' fate: replied as a
 * {@code CancellationException} or a {@code WorkerLostException}, they reached the caller as the
 * task's outcome, and a task of a stopping node or a fenced session never ran again elsewhere. So
 * once {@link #killed} is set, a future that completes other than with the worker's reply gives
 * {@link WorkerListener#abandoned} instead; the session's end decides those tasks (for the caller, a
 * loss of the node). A worker's reply, a result or the task's own exception, still goes out.
 */
final class EncodedPoolAdapter implements EncodedPool {
    static {
        EncodedPools.register(EncodedPoolAdapter::start);
    }

    /** The stand-in a future holds for a task that arrived serialized; never run in this JVM. */
    record Task(long callerTaskId) implements Callable<Reply> {
        @Override
        public Reply call() {
            throw new UnsupportedOperationException(
                    "task #" + callerTaskId + " arrived serialized: it runs only in a" + " worker JVM");
        }
    }

    /** A worker's reply, still encoded: one of the three kinds below. */
    record Reply(int kind, byte boundary, byte[] bytes) {
        static final int RESULT = 0;
        static final int FAILED = 1;
        static final int COPY_FAILED = 2;
    }

    /** Completes futures with the worker's reply as it came, decoding nothing. */
    static final class RawReplies extends ReplyDecoder {
        RawReplies(DecodingFilter filter) {
            super(filter);
        }

        @Override
        void result(ProcessFuture<?> f, byte[] value) {
            complete(f, new Reply(Reply.RESULT, (byte) 0, value));
        }

        @Override
        void failed(ProcessFuture<?> f, byte[] throwable) {
            complete(f, new Reply(Reply.FAILED, (byte) 0, throwable));
        }

        @Override
        void copyFailed(ProcessFuture<?> f, int workerId, byte boundary, byte[] throwable) {
            complete(f, new Reply(Reply.COPY_FAILED, boundary, throwable));
        }

        @SuppressWarnings("unchecked")
        private static void complete(ProcessFuture<?> f, Reply r) {
            ((ProcessFuture<Reply>) f).succeed(r);
        }
    }

    private final ProcessTaskPool pool;
    private final WorkerListener replies;
    private final String node;
    /** The pool's ids of the futures; this adapter is the pool's only submitter. */
    private final AtomicLong ids = new AtomicLong();
    /** Unanswered tasks by the caller's id. */
    private final ConcurrentHashMap<Long, ProcessFuture<Reply>> unanswered = new ConcurrentHashMap<>();
    /** Set first thing in {@link #kill()}: from then on only a worker's reply is sent. */
    private volatile boolean killed;

    private EncodedPoolAdapter(ProcessTaskPool pool, WorkerListener replies, String node) {
        this.pool = pool;
        this.replies = replies;
        this.node = node;
    }

    static EncodedPool start(PoolOptions options, Launch launch, WorkerListener replies) {
        ReplyDecoder decoder =
                new RawReplies(ReplyDecoder.of(options, BulkLane.off()).filter());
        WorkerLauncher launcher = new WorkerLauncher(
                options,
                launch.initializer(),
                decoder,
                WorkerClassPath.fixed(launch.classPath()),
                launch.systemProperties());
        ProcessTaskPool pool = ProcessTaskPool.start(
                options, decoder, launcher, options.workers(), launch.node(), WorkerLease.of(launch.leaseEnd()));
        return new EncodedPoolAdapter(pool, replies, launch.node());
    }

    @Override
    public void submit(long taskId, byte[] task, boolean stateless) {
        ProcessFuture<Reply> f =
                new ProcessFuture<>(pool, ids.incrementAndGet(), new Task(taskId), task, stateless, List.of());
        if (unanswered.putIfAbsent(taskId, f) != null) {
            // A second task of an id still under way: refused with a reply of its own, since every
            // task submitted gets one (its session waits for them all before it may end).
            replies.failed(
                    taskId,
                    ThrowableCodec.encode(new IllegalStateException("task #" + taskId + " was sent to node " + node
                            + " again while its first copy was under way: the second copy was refused (task ids are"
                            + " unique within a session)")));
            return;
        }
        f.whenDone(() -> answer(f));
        try {
            pool.execute(f);
        } catch (RejectedExecutionException e) {
            f.fail(e);
        }
    }

    private void answer(ProcessFuture<?> f) {
        long id = ((Task) f.callable).callerTaskId();
        unanswered.remove(id, f);
        Future.State state = f.state();
        if (killed && state != Future.State.SUCCESS) {
            replies.abandoned(id); // the kill's doing: the session's end accounts for it
            return;
        }
        switch (state) {
            case SUCCESS -> {
                Reply r = (Reply) f.resultNow();
                switch (r.kind()) {
                    case Reply.RESULT -> replies.result(id, r.bytes());
                    case Reply.COPY_FAILED -> replies.copyFailed(id, r.boundary(), r.bytes());
                    default -> replies.failed(id, r.bytes());
                }
            }
            case FAILED -> replies.failed(id, ThrowableCodec.encode(f.exceptionNow()));
            default ->
                replies.failed(
                        id,
                        ThrowableCodec.encode(
                                new CancellationException("task #" + id + " was cancelled on node " + node)));
        }
    }

    @Override
    public void cancel(long taskId) {
        ProcessFuture<Reply> f = unanswered.get(taskId);
        if (f != null) {
            f.cancel(true);
        }
    }

    @Override
    public int outstanding() {
        return unanswered.size();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public List<Long> workerPids() {
        return pool.workerPids();
    }

    @Override
    public void kill() {
        killed = true;
        for (Runnable never : pool.shutdownNow()) {
            ((Future<?>) never).cancel(false);
        }
        for (ProcessFuture<Reply> f : unanswered.values()) {
            f.cancel(false);
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "encoded " + pool;
    }
}
