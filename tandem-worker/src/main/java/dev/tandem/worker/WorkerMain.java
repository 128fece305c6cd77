package dev.tandem.worker;

import dev.tandem.ipc.SegmentHandle;
import dev.tandem.ipc.SharedChannel;
import dev.tandem.ipc.SharedSegment;
import dev.tandem.protocol.BulkEntry;
import dev.tandem.protocol.BulkReader;
import dev.tandem.protocol.BulkTable;
import dev.tandem.protocol.BulkWriter;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameTooLargeException;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.HeapRoom;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.TaskShares;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.protocol.ValueCodec;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The main class of a worker JVM.
 *
 * <h2>Implementation overview</h2>
 * The worker connects twice to the caller's Unix domain socket (named by
 * {@link WorkerLaunch#SOCKET_PROPERTY}): one connection for the caller's frames, one for its own
 * replies. It greets on each with {@code HELLO} (protocol version, pid, the one-time token read from
 * stdin, and the connection's role), receives {@code INIT} (its thread count T and initializer), runs
 * the initializer and answers {@code READY}. The control channel is those connections, never stdout
 * or stderr, which stay with the user's code: whatever a task prints, even raw writes to
 * file descriptors 1 and 2, reaches the caller as output and cannot corrupt the protocol.
 *
 * <p>With the shared-memory transport, INIT names a {@code SharedChannel}; the worker attaches it and
 * every later frame travels through it, while the sockets are kept only to see the caller's end.
 *
 * <h2>Concurrency: leader and followers</h2>
 * T + 1 threads share the socket. One at a time is the <em>leader</em> and reads frames. A leader
 * that reads a task while fewer than T run hands leadership to the next thread and runs the task
 * itself, so a task costs one wake-up (the read returning) instead of a hand-off to another thread.
 * When T tasks already run, the task waits in {@link #inbox}; a thread that finishes a task takes
 * from the inbox before it competes for leadership. The extra thread guarantees that someone always
 * reads, so {@code CANCEL} and the end of the stream are seen while T tasks run. Tasks thus start in
 * the order they were sent, and the tasks running at any moment are the first T unanswered ones; the
 * caller relies on this instead of a "started" frame. With T = 1 leadership passes lazily
 * ({@link Leadership.Lazy}): the thread that ran a task reads the next frame itself, and the spare
 * thread takes over the reading only while a task runs, noticing that within
 * {@link Leadership.Lazy#POLL_NANOS}; so a stream of short tasks costs no thread hand-off at all. Every task gets exactly one terminal frame:
 * {@code RESULT}, {@code FAILED} or {@code COPY_FAILED}.
 *
 * <h2>Lease (fencing)</h2>
 * A worker of a cluster node gets {@code LEASE} frames: it starts a task only while
 * {@link System#nanoTime()} is before the latest lease's end, and holds the tasks that are due
 * meanwhile (in order, cancellable) until a later lease arrives. The node passes on its caller's
 * lease, which ends before the caller declares the node lost; so a worker whose node froze (SIGSTOP:
 * the worker runs on, its inbox full of prefetched tasks, and may be blocked writing a reply the
 * frozen node does not read) starts none of the tasks the caller gave up on, even in the moment
 * after the node resumes and before it kills its workers. A worker that never got a lease (every
 * pool of a caller's own) has no such limit.
 *
 * <h2>Liveness</h2>
 * End of stream on the socket means the caller is gone (closed the pool, or died by any means,
 * SIGKILL included, since the kernel closes its sockets): the worker halts at once, killing the
 * processes its tasks started, so no worker
 * outlives its caller. {@code EXIT} ends the worker with {@link System#exit} so that shutdown hooks
 * and JVM exit actions run; it first arms a watchdog that halts the JVM if the hooks have not ended
 * it within {@link WorkerLaunch#EXIT_GRACE_MILLIS}, and keeps watching the socket, so that a worker
 * stuck in a shutdown hook still halts at once when its caller dies.
 *
 * <h2>Data</h2>
 * Large primitive arrays and buffers travel beside the frames, through shared memory: the caller's
 * {@link BulkWriter} holds a task's, this worker's {@link #RESULTS} holds its results until the
 * caller marks them read (see {@code dev.tandem.protocol.BulkWriter}). A task or value that does not
 * fit in the heap fails that task as a copy failure naming the sizes ({@link HeapRoom}), before
 * anything is allocated for it. The heap itself is kept small when idle by {@link HeapTrim}. Shared
 * arrays travel by reference ({@code dev.tandem.protocol.SharedRef}): those a task brings, or hands
 * over to the caller by returning them, are unmapped just before its reply is written ({@link TaskShares}).
 *
 * <h2>Failure</h2>
 * Errors thrown by a task, {@link StackOverflowError} included, fail only that task. An
 * {@link OutOfMemoryError} ends the JVM when it runs with {@code -XX:+ExitOnOutOfMemoryError}, as the
 * caller's defaults ask, since a JVM after OOM is in an unknown state. When the caller dies, the
 * worker deletes the shared memory of its results and sweeps away the dead caller's before it halts.
 */
public final class WorkerMain {
    private static final int MAX_CACHED_TASKS = 256;
    /**
     * The largest reply payload: a frame's limit less its header. The internal system property
     * {@code tandem.maxReplyBytes} lowers it, for tests.
     */
    private static final int MAX_REPLY_BYTES = Math.min(
            WorkerLaunch.MAX_FRAME_BYTES - FrameType.HEADER_AFTER_LENGTH,
            Integer.getInteger("tandem.maxReplyBytes", Integer.MAX_VALUE));
    /** Where large results go; the caller marks each read, which gives its segment back. */
    private static final BulkWriter RESULTS =
            new BulkWriter(Long.getLong(WorkerLaunch.BULK_THRESHOLD_PROPERTY, BulkWriter.DEFAULT_THRESHOLD), true);
    /** Reads large arguments out of the caller's shared memory. */
    private static final BulkReader ARGUMENTS =
            new BulkReader("give workers a larger heap with jvmOptions(\"-Xmx<size>\") (the default is sized from the"
                    + " machine's memory and the number of workers)");

    /** The control channel; replaced by the shared-memory channel's before any task thread starts. */
    private FrameWriter out;

    private FrameReader in;
    /** Whether frames travel over shared memory; then a watcher thread reads the socket for its end. */
    private boolean overSharedMemory;

    private final int workerId;
    /** Gives memory back when the worker is idle after large data. */
    private final HeapTrim trim;
    /** Who may read; set by the handshake, before any worker thread starts (see {@link Leadership}). */
    private Leadership lead;
    /** Guards {@link #inbox} and {@link #running}. */
    private final Object queue = new Object();

    private final ArrayDeque<Job> inbox = new ArrayDeque<>();
    private int running;
    private int threads;
    /** Whether a LEASE came; then no task starts at or after {@link #leaseEnd}. Guarded by queue. */
    private boolean leased;

    private long leaseEnd;
    /** Task id to the thread running it; for CANCEL. */
    private final ConcurrentHashMap<Long, Thread> runners = new ConcurrentHashMap<>();
    /** Decoded stateless tasks by their bytes; accessed only by the thread running a task, under itself. */
    private final Map<ByteBuffer, Callable<?>> statelessTasks = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Callable<?>> eldest) {
            return size() > MAX_CACHED_TASKS;
        }
    };

    private record Job(long taskId, byte[] bytes, boolean stateless) {}

    private WorkerMain(SocketChannel tasks, SocketChannel replies, int workerId) {
        this.out = new FrameWriter(replies);
        this.in = new FrameReader(tasks, WorkerLaunch.MAX_FRAME_BYTES);
        this.workerId = workerId;
        this.trim = new HeapTrim(RESULTS, ARGUMENTS, "tandem-worker-" + workerId + "-trim");
    }

    /**
     * Entry point of a worker JVM; started by the caller, not by users.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ProcessGroup.lead(); // before any process is started: what tasks start joins its group
        String socket = System.getProperty(WorkerLaunch.SOCKET_PROPERTY);
        String token;
        try {
            token = new String(System.in.readNBytes(WorkerLaunch.TOKEN_CHARS), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            token = "";
        }
        int workerId = Integer.getInteger(WorkerLaunch.WORKER_ID_PROPERTY, 0);
        if (socket == null) {
            System.err.println("tandem worker: no -D" + WorkerLaunch.SOCKET_PROPERTY
                    + "; worker JVMs are started by a Tandem process pool, not by hand");
            System.exit(2);
        }
        try {
            // One connection per direction: the caller writes tasks to one and reads replies from
            // the other, each in the mode that suits it (see FrameType.ROLE_TASKS).
            SocketChannel tasks = SocketChannel.open(StandardProtocolFamily.UNIX);
            tasks.connect(UnixDomainSocketAddress.of(Path.of(socket)));
            SocketChannel replies = SocketChannel.open(StandardProtocolFamily.UNIX);
            replies.connect(UnixDomainSocketAddress.of(Path.of(socket)));
            WorkerMain worker = new WorkerMain(tasks, replies, workerId);
            if (worker.handshake(token, tasks)) {
                worker.lead();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("tandem worker " + workerId + ": control channel failed: " + e);
        }
        // The caller is gone or the channel broke: never outlive it.
        halt();
    }

    /**
     * Ends this JVM at once, with the processes its tasks started: the caller is gone, and nothing
     * of this worker may outlive it.
     */
    private static void halt() {
        try {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            RESULTS.close();
            SharedSegment.sweep(); // the dead caller's segments: its task arguments
        } catch (IOException | RuntimeException e) {
            // best effort: the next sweep of any Tandem JVM removes what is left
        } finally {
            Runtime.getRuntime().halt(0);
        }
    }

    private boolean handshake(String token, SocketChannel tasks) throws IOException {
        long pid = ProcessHandle.current().pid();
        new FrameWriter(tasks)
                .writeAndFlush(
                        FrameType.HELLO,
                        0,
                        new MessageCodec.Hello(FrameType.PROTOCOL_VERSION, pid, token, FrameType.ROLE_TASKS).encode());
        out.writeAndFlush(
                FrameType.HELLO,
                0,
                new MessageCodec.Hello(FrameType.PROTOCOL_VERSION, pid, token, FrameType.ROLE_REPLIES).encode());
        if (!in.next() || in.type() != FrameType.INIT) {
            return false;
        }
        MessageCodec.Init init = MessageCodec.Init.decode(in.payload());
        threads = init.threads();
        if (init.channelHandle() != null) {
            SharedChannel channel;
            try {
                channel = SharedChannel.attach((SegmentHandle) ObjectCodec.decode(init.channelHandle(), null, null));
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                System.err.println("tandem worker " + workerId + ": cannot attach the shared-memory channel: " + e);
                return false;
            }
            // The socket now only tells whether the caller lives: its end of stream halts this JVM.
            watchCaller(in);
            in = new FrameReader(channel.inputStream(), WorkerLaunch.MAX_FRAME_BYTES);
            out = new FrameWriter(channel.outputStream());
            overSharedMemory = true;
        }
        byte[] initializer = init.initializer();
        if (initializer.length > 0) {
            // The caller wraps its initializer in a Callable, so this module needs no API types.
            try {
                ((Callable<?>) ObjectCodec.decode(initializer, null, null)).call();
            } catch (Throwable e) { // whatever the initializer threw is reported, then the worker ends
                out.writeAndFlush(FrameType.INIT_FAILED, 0, ThrowableCodec.encode(e));
                return false;
            }
        }
        lead = threads == 1 ? new Leadership.Lazy() : new Leadership.Eager();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::lead, "tandem-worker-" + workerId + "-task-" + i);
            t.setDaemon(true);
            t.start();
        }
        out.writeAndFlush(FrameType.READY, 0, new byte[0]);
        return true;
    }

    /** The loop of every worker thread: run queued work, else lead (read) until a task arrives. */
    private void lead() {
        try {
            while (true) {
                Job job = takeQueued();
                if (job == null) {
                    lead.acquire();
                    try {
                        job = takeQueued();
                        while (job == null) {
                            job = readUntilRunnableTask();
                        }
                    } finally {
                        lead.release();
                    }
                }
                trim.busy();
                boolean idle;
                try {
                    trim.afterTask(runJob(job));
                } finally {
                    synchronized (queue) {
                        running--;
                        idle = running == 0 && inbox.isEmpty();
                    }
                }
                if (idle) {
                    trim.idle();
                }
            }
        } catch (IOException e) {
            // End of stream or a broken channel: the caller is gone.
            halt();
        }
    }

    private Job takeQueued() {
        synchronized (queue) {
            if (!inbox.isEmpty() && running < threads && leaseHoldsLocked()) {
                running++;
                return inbox.poll();
            }
            return null;
        }
    }

    /** {@return whether a task may start now: no lease came, or the latest has not ended} */
    private boolean leaseHoldsLocked() {
        return !leased || System.nanoTime() - leaseEnd < 0;
    }

    /**
     * Reads one frame as the leader. Returns a task this thread must run now, or null when the frame
     * was handled (queued task, cancel).
     */
    private Job readUntilRunnableTask() throws IOException {
        if (!in.next()) {
            throw new IOException("end of stream: the caller closed the channel or died");
        }
        switch (in.type()) {
            case FrameType.TASK, FrameType.TASK_STATELESS -> {
                if (in.skipped() > 0) {
                    out.writeAndFlush(
                            FrameType.COPY_FAILED,
                            in.taskId(),
                            copyFailure(
                                    FrameType.BOUNDARY_DECODE_TASK,
                                    new IOException(
                                            "the task is " + HeapRoom.describe(in.skipped()) + " of worker " + workerId
                                                    + "; give workers a larger heap with jvmOptions(\"-Xmx<size>\")")));
                    return null;
                }
                Job job = new Job(in.taskId(), in.payload(), in.type() == FrameType.TASK_STATELESS);
                synchronized (queue) {
                    if (inbox.isEmpty() && running < threads && leaseHoldsLocked()) {
                        running++;
                        return job;
                    }
                    inbox.add(job);
                    return null;
                }
            }
            case FrameType.CANCEL -> {
                cancel(in.taskId());
                return null;
            }
            case FrameType.LEASE -> {
                long end = ByteBuffer.wrap(in.payload()).getLong();
                synchronized (queue) {
                    leased = true;
                    leaseEnd = end;
                }
                return takeQueued(); // the tasks it held, if the lease now holds
            }
            case FrameType.EXIT -> {
                out.flush();
                armExitWatchdog();
                System.exit(0);
                return null;
            }
            default -> throw new IOException("protocol error: unexpected " + FrameType.name(in.type()));
        }
    }

    /**
     * Bounds a planned exit: a daemon thread halts the JVM after {@link WorkerLaunch#EXIT_GRACE_MILLIS}
     * (a shutdown hook that blocks, or one that waits for a task that never ends), and over the socket
     * transport another keeps reading the socket, whose end (the caller died) halts the JVM at once;
     * over shared memory the caller-watch thread already does that.
     */
    private void armExitWatchdog() {
        long grace = writesAotCache() ? WorkerLaunch.TRAINING_EXIT_GRACE_MILLIS : WorkerLaunch.EXIT_GRACE_MILLIS;
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(grace);
                    } catch (InterruptedException e) {
                        // nobody interrupts it: halt all the same
                    }
                    System.err.println("tandem worker " + workerId + ": its shutdown hooks did not end within " + grace
                            + " ms of EXIT; halting");
                    halt();
                },
                "tandem-worker-" + workerId + "-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        if (!overSharedMemory) {
            watchCaller(in);
        }
    }

    /**
     * {@return whether this JVM writes an AOT cache as it exits: its caller started it with
     * {@code -XX:AOTCacheOutput} and said so ({@link WorkerLaunch#WRITES_AOT_CACHE_PROPERTY})}
     */
    private static boolean writesAotCache() {
        return Boolean.getBoolean(WorkerLaunch.WRITES_AOT_CACHE_PROPERTY);
    }

    /**
     * Starts a daemon thread that reads {@code socket} to its end, ignoring frames (none are sent
     * once it is watched), and then halts the JVM: the caller is gone.
     */
    private void watchCaller(FrameReader socket) {
        Thread watch = new Thread(
                () -> {
                    try {
                        while (socket.next()) {
                            // nothing is sent on a watched socket
                        }
                    } catch (IOException e) {
                        // broken: the same as closed
                    }
                    halt();
                },
                "tandem-worker-" + workerId + "-caller-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private void cancel(long taskId) throws IOException {
        boolean removed = false;
        synchronized (queue) {
            for (Iterator<Job> it = inbox.iterator(); it.hasNext(); ) {
                if (it.next().taskId == taskId) {
                    it.remove();
                    removed = true;
                    break;
                }
            }
        }
        if (removed) {
            out.writeAndFlush(
                    FrameType.FAILED,
                    taskId,
                    ThrowableCodec.encode(new CancellationException("cancelled before it started")));
            return;
        }
        // Interrupts under the map's lock of this entry: once runJob removed the entry, no interrupt
        // for this task can come any more, so one cannot hit the thread while it writes the reply.
        runners.computeIfPresent(taskId, (id, t) -> {
            t.interrupt();
            return t;
        });
    }

    private Callable<?> decode(Job job, TaskShares shares) throws IOException, ClassNotFoundException {
        if (!job.stateless) {
            return (Callable<?>) ObjectCodec.decode(job.bytes, null, null, ARGUMENTS, shares);
        }
        ByteBuffer key = ByteBuffer.wrap(job.bytes);
        synchronized (statelessTasks) {
            Callable<?> cached = statelessTasks.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Callable<?> task = (Callable<?>) ObjectCodec.decode(job.bytes, null, null);
        synchronized (statelessTasks) {
            statelessTasks.put(key, task);
        }
        return task;
    }

    /**
     * Runs a task and sends its one terminal reply.
     *
     * @return the bytes of data the task moved: its frame, its arguments from shared memory, and its
     *     result as sent (for {@link HeapTrim})
     */
    private long runJob(Job job) throws IOException {
        // The shared arrays the task brings or hands over are unmapped before its reply is written.
        try (TaskShares shares = TaskShares.inWorker()) {
            return runJob(job, shares);
        }
    }

    private long runJob(Job job, TaskShares shares) throws IOException {
        long moved = job.bytes.length;
        for (BulkEntry e : BulkTable.entries(job.bytes)) {
            moved += e.bytes();
        }
        Callable<?> task;
        try {
            task = decode(job, shares);
        } catch (Exception | StackOverflowError | LinkageError e) { // a task's readObject may throw anything
            reply(shares, FrameType.COPY_FAILED, job.taskId, copyFailure(FrameType.BOUNDARY_DECODE_TASK, e));
            return moved;
        }
        Object result;
        runners.put(job.taskId, Thread.currentThread());
        try {
            result = task.call();
        } catch (Throwable t) { // the task's own failure, whatever it is, belongs to the caller
            runners.remove(job.taskId);
            Thread.interrupted();
            byte[] failure;
            try {
                failure = ThrowableCodec.encode(t);
            } catch (Throwable encoding) { // even a broken exception gets its one terminal reply
                failure = ThrowableCodec.encode(new RuntimeException(
                        t.getClass().getName() + " (thrown by the task; it could not be described: "
                                + encoding.getClass().getName() + ")"));
            }
            reply(shares, FrameType.FAILED, job.taskId, failure);
            return moved;
        }
        runners.remove(job.taskId);
        Thread.interrupted(); // a late cancel must not reach the next task
        ObjectCodec.Encoded encoded;
        try {
            encoded = ValueCodec.encode(result, RESULTS, MAX_REPLY_BYTES, shares);
        } catch (FrameTooLargeException e) {
            shares.resultNotSent();
            // The caller would refuse the frame as a protocol error and kill this worker for it.
            reply(
                    shares,
                    FrameType.COPY_FAILED,
                    job.taskId,
                    copyFailure(
                            FrameType.BOUNDARY_ENCODE_RESULT,
                            new IOException("the result is " + e.getMessage()
                                    + "; or write it to a file and return its path")));
            return moved;
        } catch (Exception | StackOverflowError | LinkageError e) { // a result's writeObject may throw anything
            shares.resultNotSent();
            reply(shares, FrameType.COPY_FAILED, job.taskId, copyFailure(FrameType.BOUNDARY_ENCODE_RESULT, e));
            return moved;
        }
        reply(shares, FrameType.RESULT, job.taskId, encoded.bytes());
        return moved + encoded.bytes().length + encoded.sharedBytes();
    }

    /**
     * Writes a task's one terminal reply, after unmapping the shared arrays it brought or hands over:
     * the caller may use the reply at once, and the arrays' files stay (the caller owns them, or
     * adopts them from the reply).
     */
    private void reply(TaskShares shares, byte type, long taskId, byte[] payload) throws IOException {
        shares.close();
        out.writeAndFlush(type, taskId, payload);
    }

    private static byte[] copyFailure(byte boundary, Throwable e) {
        return new MessageCodec.CopyFailed(boundary, ThrowableCodec.encode(e)).encode();
    }
}
