package dev.tandem;

import dev.tandem.TaskSerializationException.Boundary;
import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.protocol.ValueCodec;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine of {@link Mode#PROCESSES} and {@link Mode#HYBRID}: tasks run in worker JVMs.
 *
 * <h2>Implementation overview</h2>
 * {@code submit} serializes the task in the calling thread (so an unserializable task is rejected
 * at once, naming the class), wraps it in a {@link ProcessFuture} and queues it in {@link #pending}.
 * {@link #dispatchLocked()} moves queued tasks to workers that have room in their window: T running
 * plus a prefetch that is deep for short tasks and zero for long ones, so short tasks stream without
 * a round trip each and long ones never wait behind each other while a worker idles. Sending
 * appends the task to the worker's FIFO {@link WorkerProcess#sent} and buffers a {@code TASK} frame;
 * both happen under the lock so the FIFO order is the wire order. Frames are flushed after the lock
 * is released. One reader thread per worker ({@link #readLoop}) decodes replies, completes futures
 * and dispatches more work.
 *
 * <h2>Concurrency</h2>
 * One {@link ReentrantLock} guards the pool's state, the queue, the worker list and every worker's
 * mutable fields. It is never held while waiting for a process, decoding a result or flushing a
 * socket (a frame larger than the 64 KiB buffer is written through while it is held, which bounds
 * the wait by the worker's read speed; workers always read).
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * RUNNING  --shutdown()-->                 SHUTDOWN --queue empty, workers idle and exited--> TERMINATED
 * RUNNING, SHUTDOWN --shutdownNow()-->     STOP     --workers exited--> TERMINATED
 * RUNNING, SHUTDOWN --restart limit hit--> FAILED   --workers exited--> TERMINATED
 * </pre>
 * Submissions are accepted only while RUNNING. In SHUTDOWN, queued tasks still run (workers lost
 * meanwhile are replaced); in STOP and FAILED, workers are killed.
 *
 * <h2>Failure</h2>
 * A worker's death is seen by its reader thread as the end of the control stream, after every reply
 * the worker sent before dying has been delivered. Its running tasks (the first T of its FIFO) fail
 * with {@link WorkerLostException}, or are retried when {@code retriesOnWorkerLoss} allows, or fail
 * as poison when they were in {@code poisonThreshold} dead workers; its queued tasks go back to the
 * front of {@link #pending} untouched. Deaths the pool caused (timeouts, cancels, recycling,
 * shutdown) are planned and start a replacement at once; others count against the restart limit
 * and wait an exponential backoff. A timed-out or cancelled task is stopped by killing its worker
 * when the worker runs one task at a time; a hybrid worker is first asked to interrupt the task and
 * killed only if the task has not ended after {@link #KILL_GRACE_NANOS}.
 */
final class ProcessTaskPool extends AbstractTaskPool {
    enum State {
        RUNNING,
        SHUTDOWN,
        STOP,
        FAILED,
        TERMINATED
    }

    static final long KILL_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * A worker training the AOT cache retires after this many tasks, writing the cache as it exits.
     * The cache then holds what a worker needs to start and to run its first tasks, not everything a
     * long-lived worker ever touched: every later worker loads the whole cache at start, so a cache
     * trained on a long run makes every idle worker bigger (about 2 MiB after a million tasks).
     */
    static final int AOT_TRAINING_TASKS = 100;

    private static final int MAX_REMEMBERED_FINGERPRINTS = 10_000;
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final WorkerLauncher launcher;
    private final DecodingFilter filter;
    private final byte[] initializerBytes;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicInteger workerIds = new AtomicInteger();
    private final ExecutorService conductor;
    /** The bytes of stateless task classes, encoded once (see {@link StatelessTasks}). */
    private final ConcurrentHashMap<Class<?>, byte[]> statelessBytes = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    // Everything below is guarded by lock.
    private State state = State.RUNNING;
    private final ArrayDeque<ProcessFuture<?>> pending = new ArrayDeque<>();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private int starting;
    private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    private final Map<Long, Integer> kills = new LinkedHashMap<>(16, 0.75f, true) {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > MAX_REMEMBERED_FINGERPRINTS;
        }
    };
    private Throwable failure;
    /** Mean time from a task starting to its reply, smoothed; sizes the prefetch window. */
    private double meanTaskNanos = 1e9;

    private ProcessTaskPool(PoolOptions options) {
        super(options);
        this.filter = new DecodingFilter(
                options.allowedClasses(), WorkLimits.MAX_DEPTH, 10_000_000, WorkLimits.MAX_ARRAY, WorkLimits.MAX_BYTES);
        this.initializerBytes = encodeInitializer(options.initializer());
        int poolId = POOL_IDS.incrementAndGet();
        this.conductor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tandem-" + poolId + "-conductor");
            t.setDaemon(true);
            return t;
        });
        this.launcher = new WorkerLauncher(options);
    }

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

    static TaskPool start(PoolOptions options) {
        ProcessTaskPool pool = new ProcessTaskPool(options);
        List<Future<WorkerProcess>> starts = new ArrayList<>();
        for (int i = 0; i < options.workers(); i++) {
            int id = pool.workerIds.incrementAndGet();
            starts.add(pool.conductor.submit(() -> pool.launcher.launch(id, pool.initializerBytes, pool::startReader)));
        }
        RuntimeException error = null;
        boolean interrupted = false;
        List<WorkerProcess> started = new ArrayList<>();
        for (Future<WorkerProcess> f : starts) {
            // Every launch is awaited, even after an interrupt, so that none is left running unowned;
            // each is bounded by the worker start timeout.
            while (true) {
                try {
                    started.add(f.get());
                    break;
                } catch (ExecutionException e) {
                    if (error == null) {
                        error = e.getCause() instanceof RuntimeException re
                                ? re
                                : new WorkerStartException(String.valueOf(e.getCause()), e.getCause());
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (error == null) {
                        error = new WorkerStartException("interrupted while starting workers", e);
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        pool.lock.lock();
        try {
            for (WorkerProcess w : started) {
                // A worker that died after its handshake, while others were still starting, has
                // already been handled (and replaced) by its reader thread.
                if (w.state == WorkerProcess.State.STARTING) {
                    w.state = WorkerProcess.State.READY;
                    pool.workers.add(w);
                }
            }
            if (error != null) {
                pool.state = State.STOP;
                pool.failure = error;
                for (WorkerProcess w : pool.workers) { // replacements started meanwhile included
                    w.plannedDeath = "the pool failed to start";
                    w.kill();
                }
                pool.tryTerminateLocked();
            }
        } finally {
            pool.lock.unlock();
        }
        if (error != null) {
            pool.awaitStartFailureCleanUp();
            throw error;
        }
        return pool;
    }

    /**
     * After a failed start, waits (bounded) until the workers that did start have exited and their
     * channels are deleted, so that a retry finds their shared memory and pids free again.
     */
    private void awaitStartFailureCleanUp() {
        try {
            awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] encodeInitializer(WorkerInitializer initializer) {
        if (initializer == null) {
            return new byte[0];
        }
        try {
            return ObjectCodec.encode(new InitializerTask(initializer), null);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "the initializer cannot be serialized (" + e
                            + "): declare it as a lambda or a Serializable class and capture only serializable values",
                    e);
        }
    }

    /** Carries the initializer to the worker as a Callable, the only type the worker knows. */
    record InitializerTask(WorkerInitializer initializer) implements Callable<Void>, Serializable {
        @Override
        public Void call() throws Exception {
            initializer.initialize();
            return null;
        }
    }

    /** Adapts a serializable Runnable to a task. */
    record RunnableTask(Runnable runnable) implements Task<Object> {
        @Override
        public Object call() {
            runnable.run();
            return null;
        }
    }

    // ---------------------------------------------------------------- submission

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return newFuture(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        if (!(runnable instanceof Serializable)) {
            throw notSerializable(runnable, "Runnable");
        }
        @SuppressWarnings("unchecked")
        Callable<T> c = (Callable<T>)
                (value == null
                        ? new RunnableTask(runnable)
                        : (Task<T>) () -> {
                            runnable.run();
                            return value;
                        });
        return newFuture(c);
    }

    private <T> ProcessFuture<T> newFuture(Callable<T> callable) {
        if (!(callable instanceof Serializable)) {
            throw notSerializable(callable, "Callable");
        }
        boolean stateless = StatelessTasks.isStateless(callable);
        byte[] bytes = stateless ? statelessBytes.get(callable.getClass()) : null;
        try {
            if (bytes == null) {
                bytes = ObjectCodec.encode(callable, filter::learn);
                if (stateless) {
                    statelessBytes.putIfAbsent(callable.getClass(), bytes);
                }
            }
        } catch (NotSerializableException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(callable)
                            + " cannot be serialized: it refers to an object of class " + e.getMessage()
                            + ", which is not Serializable. Make that class Serializable, mark the field"
                            + " transient, or capture only serializable values in the task",
                    e);
        } catch (IOException | RuntimeException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(callable) + " cannot be serialized: " + e,
                    e);
        }
        return new ProcessFuture<>(this, taskIds.incrementAndGet(), callable, bytes, stateless);
    }

    private static TaskSerializationException notSerializable(Object task, String kind) {
        return new TaskSerializationException(
                Boundary.ENCODE_TASK_IN_CALLER,
                ThreadTaskPool.describe(task)
                        + " is a " + kind + " that is not Serializable, so it cannot be sent to a worker JVM;"
                        + " declare the lambda as dev.tandem.Task (pool.submit(() -> ...) does) or make the"
                        + " class implement java.io.Serializable",
                null);
    }

    @Override
    public void execute(Runnable command) {
        ProcessFuture<?> f;
        if (command instanceof ProcessFuture<?> pf && pf.pool == this) {
            f = pf;
        } else {
            f = (ProcessFuture<?>) newTaskFor(command, null);
        }
        enqueue(f);
    }

    private void enqueue(ProcessFuture<?> f) {
        List<WorkerProcess> toFlush;
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw rejection();
            }
            Integer k = kills.isEmpty() ? null : kills.get(f.fingerprint());
            if (k != null && k >= options.poisonThreshold()) {
                f.fail(new PoisonTaskException(f.description(), k, null));
                return;
            }
            pending.add(f);
            toFlush = dispatchLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
    }

    private RejectedExecutionException rejection() {
        if (failure instanceof PoolFailedException) {
            return new PoolFailedException("the pool has failed: " + failure.getMessage(), failure);
        }
        return new RejectedExecutionException("the pool is " + state.name().toLowerCase()
                + ": no new tasks are accepted after shutdown(), shutdownNow() or close()");
    }

    private static void flush(List<WorkerProcess> workers) {
        for (WorkerProcess w : workers) {
            w.flush();
        }
    }

    /** Sends queued tasks to workers with room; returns the workers to flush. Lock held. */
    private List<WorkerProcess> dispatchLocked() {
        List<WorkerProcess> touched = List.of();
        if (state != State.RUNNING && state != State.SHUTDOWN) {
            return touched;
        }
        int prefetch = meanTaskNanos < 1e6 ? 16 * options.threadsPerWorker() : meanTaskNanos < 2e7 ? 1 : 0;
        while (!pending.isEmpty()) {
            WorkerProcess best = null;
            for (WorkerProcess w : workers) {
                if (w.state == WorkerProcess.State.READY
                        && w.sent().size() < w.threads + prefetch
                        && (best == null || w.sent().size() < best.sent().size())) {
                    best = w;
                }
            }
            if (best == null) {
                break;
            }
            ProcessFuture<?> f = pending.poll();
            if (f.isDone()) {
                continue;
            }
            f.worker = best;
            f.attempts++;
            best.recordSent(f);
            best.tasksAccepted++;
            if (best.sent().size() <= best.threads) {
                markRunningLocked(best, f);
            }
            best.write(f.stateless ? FrameType.TASK_STATELESS : FrameType.TASK, f.id, f.bytes);
            if (best.sent().size() > best.threads + 1) {
                // Tasks ahead of this one were flushed and will be answered; the reader thread
                // flushes this one with its next reply, so a burst of submissions costs fewer writes.
                best.dirty = true;
            } else {
                if (touched.isEmpty()) {
                    touched = new ArrayList<>(2);
                }
                if (!touched.contains(best)) {
                    touched.add(best);
                }
            }
            if ((options.maxTasksPerWorker() > 0 && best.tasksAccepted >= options.maxTasksPerWorker())
                    || (best.aotTraining != null && best.tasksAccepted >= AOT_TRAINING_TASKS)) {
                // Retiring is not yet a planned death: if the worker crashes before its EXIT, that
                // crash counts as one (retries, poison, restart limit).
                best.state = WorkerProcess.State.RETIRING;
                replaceLocked(best, 0);
                if (best.sent().isEmpty()) {
                    exitLocked(best);
                }
            }
        }
        return touched;
    }

    private void markRunningLocked(WorkerProcess w, ProcessFuture<?> f) {
        f.startedNanos = System.nanoTime();
        if (options.taskTimeout() != null && !f.isDone()) {
            if (f.deadline != null) {
                f.deadline.cancel(false);
            }
            f.deadline = Deadlines.schedule(
                    () -> onDeadline(w, f), options.taskTimeout().toNanos());
        }
    }

    // ---------------------------------------------------------------- replies

    void startReader(WorkerProcess w) {
        if (w.shm != null) {
            w.replies = new ReplyReading(
                    w.shm, w.reader, (type, taskId, payload) -> onFrame(w, type, taskId, payload), () -> w.outstanding);
        }
        Thread t = new Thread(() -> readLoop(w), "tandem-worker-" + w.id + "-reader");
        t.setDaemon(true);
        t.start();
    }

    /** The reader thread of one worker: reads (or lets waiting threads read) until the stream ends. */
    private void readLoop(WorkerProcess w) {
        FrameReader in = w.reader;
        try {
            if (w.replies != null) {
                w.replies.readerLoop();
            } else {
                while (in.next()) {
                    onFrame(w, in.type(), in.taskId(), in.payload());
                }
            }
        } catch (Throwable e) { // a broken or hostile stream, or an error decoding it
            // The stream cannot be trusted any more: end the worker; its end is handled below
            // (as a crash, unless the pool had already planned it).
            w.kill();
        }
        onWorkerEnd(w);
    }

    /** Handles one frame from a worker, in whichever thread read it. */
    private void onFrame(WorkerProcess w, byte type, long taskId, byte[] payload) throws IOException {
        switch (type) {
            case FrameType.READY -> w.ready.complete(null);
            case FrameType.INIT_FAILED ->
                w.ready.completeExceptionally(new WorkerLauncher.InitializerFailure(decodeThrowable(payload, null)));
            case FrameType.RESULT, FrameType.FAILED, FrameType.COPY_FAILED -> onReply(w, type, taskId, payload);
            default -> throw new IOException("protocol error: unexpected " + FrameType.name(type));
        }
    }

    private void onReply(WorkerProcess w, byte type, long taskId, byte[] payload) {
        ProcessFuture<?> f = null;
        List<WorkerProcess> toFlush;
        lock.lock();
        try {
            int[] position = new int[1];
            f = w.answered(taskId, position);
            if (f == null) {
                return; // a late reply for a task this worker no longer holds
            }
            if (position[0] < w.threads) {
                long took = System.nanoTime() - f.startedNanos;
                meanTaskNanos = 0.8 * meanTaskNanos + 0.2 * took;
                if (w.sent().size() >= w.threads) {
                    int j = 0;
                    for (ProcessFuture<?> s : w.sent()) {
                        if (++j == w.threads) {
                            markRunningLocked(w, s);
                            break;
                        }
                    }
                }
            }
            if (w.state == WorkerProcess.State.RETIRING && w.sent().isEmpty()) {
                exitLocked(w);
            }
            toFlush = dispatchLocked();
            if (w.dirty) {
                w.dirty = false;
                if (!toFlush.contains(w)) {
                    toFlush = new ArrayList<>(toFlush);
                    toFlush.add(w);
                }
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
        complete(f, type, payload);
    }

    /** Completes a future from its reply; whatever the payload holds, the future completes. */
    private void complete(ProcessFuture<?> f, byte type, byte[] payload) {
        try {
            decodeReply(f, type, payload);
        } catch (Throwable e) { // malformed payloads, and errors such as OutOfMemoryError while decoding
            f.fail(new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER,
                    "the reply to " + f.description() + " could not be decoded: " + e,
                    e));
        }
    }

    @SuppressWarnings("unchecked")
    private void decodeReply(ProcessFuture<?> f, byte type, byte[] payload) {
        if (f.isDone()) {
            return;
        }
        ClassLoader loader = f.loader;
        switch (type) {
            case FrameType.RESULT -> {
                Object value;
                try {
                    value = ValueCodec.decode(payload, loader, filter);
                } catch (InvalidClassException e) {
                    f.fail(new TaskSerializationException(
                            Boundary.DECODE_RESULT_IN_CALLER,
                            "the result of "
                                    + f.description() + " was refused by the decoding filter (" + e.getMessage()
                                    + "; limits " + filter.limits() + "). If its classes are yours, allow them with"
                                    + " allowClasses(\"com.acme.**\")",
                            e));
                    return;
                } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
                    f.fail(new TaskSerializationException(
                            Boundary.DECODE_RESULT_IN_CALLER,
                            "the result of " + f.description() + " could not be decoded: " + e,
                            e));
                    return;
                }
                ((ProcessFuture<Object>) f).succeed(value);
            }
            case FrameType.FAILED -> f.fail(decodeThrowable(payload, loader));
            case FrameType.COPY_FAILED -> {
                byte[] rest = Arrays.copyOfRange(payload, 1, payload.length);
                Throwable cause = decodeThrowable(rest, loader);
                if (payload[0] == FrameType.BOUNDARY_DECODE_TASK) {
                    f.fail(new TaskSerializationException(
                            Boundary.DECODE_TASK_IN_WORKER,
                            "worker "
                                    + (f.worker == null ? "?" : f.worker.id) + " could not decode " + f.description()
                                    + ": "
                                    + cause + ". Are the task's classes on the worker's class path? Add them with"
                                    + " classPath(...)",
                            cause));
                } else {
                    f.fail(new TaskSerializationException(
                            Boundary.ENCODE_RESULT_IN_WORKER,
                            "the result of "
                                    + f.description() + " could not be serialized in the worker: " + cause
                                    + ". Return a Serializable value",
                            cause));
                }
            }
            default -> throw new IllegalStateException("not a reply: " + type);
        }
    }

    private Throwable decodeThrowable(byte[] payload, ClassLoader loader) {
        try {
            return ThrowableCodec.decode(payload, loader, filter, RemoteTaskException::new);
        } catch (IOException e) {
            return new TaskSerializationException(
                    Boundary.DECODE_RESULT_IN_CALLER, "a worker sent a malformed exception: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- timeouts and cancels

    private void onDeadline(WorkerProcess w, ProcessFuture<?> f) {
        lock.lock();
        try {
            if (f.isDone() || f.worker != w || !w.isRunning(f)) {
                return;
            }
            String action = w.threads == 1
                    ? "its worker " + w.id + " (pid " + w.pid + ") was killed and is being replaced"
                    : "its worker " + w.id + " (pid " + w.pid + ") was asked to interrupt it, and is killed"
                            + " if it does not stop within " + TimeUnit.NANOSECONDS.toMillis(KILL_GRACE_NANOS) + " ms";
            f.fail(new TaskTimeoutException(f.description(), options.taskTimeout(), action));
            stopLocked(w, f, f.description() + " timed out after " + options.taskTimeout());
            conductor.execute(w::flush); // never write to a socket on the shared timer thread
        } finally {
            lock.unlock();
        }
    }

    void onCancel(ProcessFuture<?> f, boolean mayInterrupt) {
        WorkerProcess w;
        lock.lock();
        try {
            w = f.worker;
            if (w == null) {
                pending.remove(f);
                tryTerminateLocked();
                return;
            }
            if (w.state == WorkerProcess.State.DEAD || !w.sent().contains(f)) {
                return;
            }
            if (w.isRunning(f)) {
                if (mayInterrupt) {
                    stopLocked(w, f, f.description() + " was cancelled");
                }
            } else {
                w.write(FrameType.CANCEL, f.id, new byte[0]); // dropped from the worker's inbox
            }
        } finally {
            lock.unlock();
        }
        w.flush();
    }

    /** Stops a running task: kills a one-thread worker, asks a hybrid one to interrupt first. */
    private void stopLocked(WorkerProcess w, ProcessFuture<?> f, String reason) {
        if (w.threads == 1) {
            killLocked(w, reason);
            return;
        }
        w.write(FrameType.CANCEL, f.id, new byte[0]);
        Deadlines.schedule(
                () -> {
                    lock.lock();
                    try {
                        if (w.sent().contains(f) && w.isRunning(f)) {
                            killLocked(w, reason + " and did not stop when interrupted");
                        }
                    } finally {
                        lock.unlock();
                    }
                },
                KILL_GRACE_NANOS);
    }

    private void killLocked(WorkerProcess w, String reason) {
        if (w.state == WorkerProcess.State.DEAD) {
            return;
        }
        w.plannedDeath = reason;
        w.kill();
    }

    private void exitLocked(WorkerProcess w) {
        if (w.plannedDeath == null) {
            w.plannedDeath = w.state != WorkerProcess.State.RETIRING
                    ? "asked to exit"
                    : w.aotTraining != null
                            ? "retired after " + w.tasksAccepted + " tasks to write the AOT cache"
                            : "recycled after " + w.tasksAccepted + " tasks";
        }
        w.state = WorkerProcess.State.EXITING;
        w.write(FrameType.EXIT, 0, new byte[0]);
        conductor.execute(w::flush); // never write to a socket under the lock
    }

    // ---------------------------------------------------------------- deaths and restarts

    private void onWorkerEnd(WorkerProcess w) {
        Integer exit = w.awaitExit();
        w.closeChannel();
        WorkerLauncher.finishTraining(w, exit);
        if (!w.ready.isDone() || w.ready.isCompletedExceptionally()) {
            w.ready.completeExceptionally(new IOException("exited"));
            return; // it never became ready: the launcher reports it, and counts it once
        }
        String stderrTail = w.stderr.tail();
        String stdoutTail = w.stdout.tail();
        String crashLog = DeathReport.crashLog(w.pid, stderrTail, launcher.errorFileDir());
        List<WorkerProcess> toFlush;
        lock.lock();
        try {
            if (w.plannedDeath == null && w.channelLost != null) {
                w.plannedDeath = w.channelLost; // not the worker's fault, nor its task's
            }
            boolean planned = w.plannedDeath != null;
            w.state = WorkerProcess.State.DEAD;
            workers.remove(w);
            List<ProcessFuture<?>> running = new ArrayList<>();
            List<ProcessFuture<?>> queued = new ArrayList<>();
            int i = 0;
            for (ProcessFuture<?> f : w.sent()) {
                (i++ < w.threads ? running : queued).add(f);
            }
            w.clearSent();
            for (int j = queued.size() - 1; j >= 0; j--) {
                ProcessFuture<?> f = queued.get(j);
                f.worker = null;
                f.attempts--;
                if (!f.isDone()) {
                    pending.addFirst(f);
                }
            }
            String signal = DeathReport.signal(exit);
            String hint = planned
                    ? "killed by the pool: " + w.plannedDeath
                    : DeathReport.hint(exit, stderrTail + "\n" + stdoutTail, crashLog);
            WorkerLostException last = null;
            for (ProcessFuture<?> f : running) {
                f.worker = null;
                if (f.isDone()) {
                    continue;
                }
                WorkerLostException lost =
                        new WorkerLostException(w.id, w.pid, exit, signal, f.description(), hint, stderrTail, crashLog);
                last = lost;
                if (planned) {
                    f.fail(lost);
                    continue;
                }
                // Blame is certain only when the worker ran this task alone; hybrid bystanders
                // are not counted toward poison.
                int k = running.size() == 1
                        ? kills.merge(f.fingerprint(), 1, Integer::sum)
                        : kills.getOrDefault(f.fingerprint(), 0);
                if (k >= options.poisonThreshold()) {
                    f.fail(new PoisonTaskException(f.description(), k, lost));
                } else if (f.attempts <= options.retriesOnWorkerLoss()) {
                    pending.addFirst(f);
                } else {
                    f.fail(lost);
                }
            }
            if (!w.replaced) {
                if (planned) {
                    replaceLocked(w, 0);
                } else {
                    onCrashLocked(
                            w,
                            last != null
                                    ? last
                                    : new WorkerLostException(
                                            w.id, w.pid, exit, signal, "no task", hint, stderrTail, crashLog));
                }
            }
            toFlush = dispatchLocked();
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
    }

    /** Counts an unplanned restart; fails the pool beyond the limit, else restarts with backoff. */
    private void onCrashLocked(WorkerProcess w, Throwable cause) {
        long now = System.nanoTime();
        long window = options.restartWindow().toNanos();
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > window) {
            restartTimes.pollFirst();
        }
        if (restartTimes.size() >= options.maxRestarts()) {
            failLocked(new PoolFailedException(
                    "workers died " + (restartTimes.size() + 1) + " times within "
                            + options.restartWindow() + ", more than the restart limit of " + options.maxRestarts()
                            + "; the pool stopped instead of restarting them in a loop. Last death: "
                            + cause.getMessage(),
                    cause));
            return;
        }
        restartTimes.addLast(now);
        int n = restartTimes.size();
        long backoff = n <= 1
                ? 0
                : Math.min(
                        options.maxRestartBackoff().toNanos(),
                        options.restartBackoff().toNanos() << Math.min(30, n - 2));
        replaceLocked(w, backoff);
    }

    /** Starts a replacement for {@code w} after {@code delayNanos}, if the pool still needs one. */
    private void replaceLocked(WorkerProcess w, long delayNanos) {
        if (w != null && w.replaced) {
            return;
        }
        if (state != State.RUNNING && !(state == State.SHUTDOWN && !pending.isEmpty())) {
            return; // not needed now; a worker that later dies with queued tasks asks again
        }
        if (w != null) {
            w.replaced = true;
        }
        starting++;
        Runnable start = () -> conductor.execute(this::startReplacement);
        if (delayNanos == 0) {
            start.run();
        } else {
            Deadlines.schedule(start, delayNanos);
        }
    }

    private void startReplacement() {
        int id = workerIds.incrementAndGet();
        WorkerProcess w = null;
        RuntimeException error = null;
        try {
            w = launcher.launch(id, initializerBytes, this::startReader);
        } catch (RuntimeException e) {
            error = e;
        }
        List<WorkerProcess> toFlush = List.of();
        lock.lock();
        try {
            starting--;
            if (error != null) {
                if (state == State.RUNNING || state == State.SHUTDOWN) {
                    onCrashLocked(null, error);
                }
            } else if (state == State.RUNNING || (state == State.SHUTDOWN && !pending.isEmpty())) {
                w.state = WorkerProcess.State.READY;
                workers.add(w);
                toFlush = dispatchLocked();
            } else {
                w.state = WorkerProcess.State.EXITING;
                w.plannedDeath = "not needed: the pool is " + state.name().toLowerCase();
                workers.add(w);
                if (state == State.SHUTDOWN) {
                    exitLocked(w);
                } else {
                    w.kill();
                }
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        flush(toFlush);
    }

    private void failLocked(PoolFailedException e) {
        if (state == State.FAILED || state == State.TERMINATED) {
            return;
        }
        state = State.FAILED;
        failure = e;
        for (ProcessFuture<?> f : pending) {
            f.fail(e);
        }
        pending.clear();
        for (WorkerProcess w : workers) {
            for (ProcessFuture<?> f : w.sent()) {
                f.fail(e);
            }
            killLocked(w, "the pool failed");
        }
        tryTerminateLocked();
    }

    // ---------------------------------------------------------------- lifecycle

    private void tryTerminateLocked() {
        if (state == State.RUNNING || state == State.TERMINATED) {
            return;
        }
        if (state == State.SHUTDOWN) {
            if (!pending.isEmpty()) {
                return;
            }
            for (WorkerProcess w : workers) {
                if (w.sent().isEmpty()
                        && (w.state == WorkerProcess.State.READY || w.state == WorkerProcess.State.RETIRING)) {
                    exitLocked(w);
                }
            }
        }
        if (workers.isEmpty() && starting == 0) {
            state = State.TERMINATED;
            launcher.close();
            conductor.shutdown();
            terminatedCondition.signalAll();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING || state == State.SHUTDOWN) {
                state = State.STOP;
            }
            for (ProcessFuture<?> f : pending) {
                if (!f.isDone()) {
                    never.add(f);
                }
            }
            pending.clear();
            for (WorkerProcess w : workers) {
                int i = 0;
                for (ProcessFuture<?> f : w.sent()) {
                    if (i++ < w.threads) {
                        f.fail(new CancellationException(
                                f.description() + " was running when shutdownNow() killed " + w));
                    } else if (!f.isDone()) {
                        never.add(f);
                    }
                    f.worker = null;
                }
                w.clearSent();
                killLocked(w, "shutdownNow()");
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        return never;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the rest of TaskPool

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return doInvokeAny(tasks, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot happen without a timeout", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return doInvokeAny(tasks, unit.toNanos(timeout));
    }

    private <T> T doInvokeAny(Collection<? extends Callable<T>> tasks, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        LinkedBlockingQueue<ProcessFuture<?>> done = new LinkedBlockingQueue<>();
        List<ProcessFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> c : tasks) {
                futures.add(newFuture(c));
            }
            for (ProcessFuture<T> f : futures) {
                f.onDone(done::add);
                execute(f);
            }
            ExecutionException last = null;
            for (int remaining = futures.size(); remaining > 0; remaining--) {
                ProcessFuture<?> f = deadline == Long.MAX_VALUE
                        ? done.take()
                        : done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny completed in time");
                }
                try {
                    @SuppressWarnings("unchecked")
                    T value = (T) f.get();
                    return value;
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            for (ProcessFuture<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    @Override
    public List<Long> workerPids() {
        lock.lock();
        try {
            List<Long> pids = new ArrayList<>();
            for (WorkerProcess w : workers) {
                if ((w.state == WorkerProcess.State.READY || w.state == WorkerProcess.State.RETIRING)
                        && w.plannedDeath == null) {
                    pids.add(w.pid);
                }
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "TaskPool[" + options.mode() + " " + options.workers() + "x" + options.threadsPerWorker() + ", "
                    + state + ", workers " + workers + ", queued " + pending.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
