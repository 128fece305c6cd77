package dev.tandem.worker;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.protocol.WorkerLaunch;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * The main class of a worker JVM.
 *
 * <h2>Implementation overview</h2>
 * The worker connects to the caller's Unix domain socket (named by {@link WorkerLaunch#SOCKET_PROPERTY}),
 * greets it with {@code HELLO} and the one-time token, receives {@code INIT} (its thread count and
 * initializer), runs the initializer and answers {@code READY}. The control channel is that socket,
 * never stdout or stderr, which stay with the user's code: whatever a task prints, even raw writes to
 * file descriptors 1 and 2, reaches the caller as output and cannot corrupt the protocol.
 *
 * <p>The main thread then only reads frames. {@code TASK} frames go to a FIFO inbox served by T task
 * threads; each task thread decodes, runs and answers exactly one terminal frame per task
 * ({@code RESULT}, {@code FAILED} or {@code COPY_FAILED}). Because the inbox is FIFO and a free
 * thread takes the next task at once, the tasks running at any moment are the first T unanswered
 * ones in the order the caller sent them; the caller relies on this instead of a "started" frame.
 *
 * <h2>Liveness</h2>
 * End of stream on the socket means the caller is gone (closed the pool, or died by any means,
 * SIGKILL included, since the kernel closes its sockets): the worker halts at once, so no worker
 * outlives its caller. {@code EXIT} ends the worker with {@link System#exit} so that shutdown hooks
 * and JVM exit actions (such as writing an AOT cache) run.
 *
 * <h2>Failure</h2>
 * Errors thrown by a task, {@link StackOverflowError} included, fail only that task. An
 * {@link OutOfMemoryError} ends the JVM when it runs with {@code -XX:+ExitOnOutOfMemoryError}, as the
 * caller's defaults ask, since a JVM after OOM is in an unknown state.
 */
public final class WorkerMain {
    private final FrameWriter out;
    private final FrameReader in;
    private final LinkedBlockingDeque<Job> inbox = new LinkedBlockingDeque<>();
    /** Task id to the thread running it; written by task threads, read by the reader for CANCEL. */
    private final ConcurrentHashMap<Long, Thread> running = new ConcurrentHashMap<>();
    private final int workerId;

    private record Job(long taskId, byte[] bytes) {
    }

    private WorkerMain(SocketChannel channel, int workerId) {
        this.out = new FrameWriter(channel);
        this.in = new FrameReader(channel, WorkerLaunch.MAX_FRAME_BYTES);
        this.workerId = workerId;
    }

    /**
     * Entry point of a worker JVM; started by the caller, not by users.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        String socket = System.getProperty(WorkerLaunch.SOCKET_PROPERTY);
        String token = System.getProperty(WorkerLaunch.TOKEN_PROPERTY, "");
        int workerId = Integer.getInteger(WorkerLaunch.WORKER_ID_PROPERTY, 0);
        if (socket == null) {
            System.err.println("tandem worker: no -D" + WorkerLaunch.SOCKET_PROPERTY
                    + "; worker JVMs are started by a Tandem process pool, not by hand");
            System.exit(2);
        }
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(Path.of(socket)));
            new WorkerMain(channel, workerId).run(token);
        } catch (IOException | RuntimeException e) {
            System.err.println("tandem worker " + workerId + ": control channel failed: " + e);
        }
        // The caller is gone or the channel broke: never outlive it.
        Runtime.getRuntime().halt(0);
    }

    private void run(String token) throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(hello)) {
            d.writeInt(FrameType.PROTOCOL_VERSION);
            d.writeLong(ProcessHandle.current().pid());
            d.writeUTF(token);
        }
        out.writeAndFlush(FrameType.HELLO, 0, hello.toByteArray());
        if (!in.next() || in.type() != FrameType.INIT) {
            return;
        }
        DataInputStream init = new DataInputStream(new java.io.ByteArrayInputStream(in.payload()));
        int threads = init.readInt();
        byte[] initializer = init.readAllBytes();
        if (initializer.length > 0) {
            // The caller wraps its initializer in a Callable, so this module needs no API types.
            try {
                ((Callable<?>) ObjectCodec.decode(initializer, null, null)).call();
            } catch (Throwable e) { // whatever the initializer threw is reported, then the worker ends
                out.writeAndFlush(FrameType.INIT_FAILED, 0, ThrowableCodec.encode(e));
                return;
            }
        }
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::serve, "tandem-worker-" + workerId + "-task-" + i);
            t.setDaemon(true);
            t.start();
        }
        out.writeAndFlush(FrameType.READY, 0, new byte[0]);
        while (in.next()) {
            switch (in.type()) {
                case FrameType.TASK -> inbox.add(new Job(in.taskId(), in.payload()));
                case FrameType.CANCEL -> cancel(in.taskId());
                case FrameType.EXIT -> {
                    out.flush();
                    System.exit(0);
                }
                default -> throw new IOException("protocol error: unexpected " + FrameType.name(in.type()));
            }
        }
    }

    private void cancel(long taskId) throws IOException {
        if (inbox.removeIf(j -> j.taskId == taskId)) {
            out.writeAndFlush(FrameType.FAILED, taskId, ThrowableCodec.encode(
                    new java.util.concurrent.CancellationException("cancelled before it started")));
            return;
        }
        Thread t = running.get(taskId);
        if (t != null) {
            t.interrupt();
        }
    }

    private void serve() {
        while (true) {
            Job job;
            try {
                job = inbox.take();
            } catch (InterruptedException e) {
                // An interrupt meant for a cancelled task that already ended: keep serving.
                continue;
            }
            try {
                runJob(job);
            } catch (IOException e) {
                // The channel is gone; the reader thread sees it too and halts the JVM.
                return;
            }
        }
    }

    private void runJob(Job job) throws IOException {
        Callable<?> task;
        try {
            task = (Callable<?>) ObjectCodec.decode(job.bytes, null, null);
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            reply(job.taskId, FrameType.COPY_FAILED, copyFailure(FrameType.BOUNDARY_DECODE_TASK, e));
            return;
        }
        Object result;
        Thread self = Thread.currentThread();
        running.put(job.taskId, self);
        try {
            result = task.call();
        } catch (Throwable t) { // the task's own failure, whatever it is, belongs to the caller
            running.remove(job.taskId);
            Thread.interrupted();
            reply(job.taskId, FrameType.FAILED, ThrowableCodec.encode(t));
            return;
        }
        running.remove(job.taskId);
        Thread.interrupted(); // a late cancel must not reach the next task
        byte[] bytes;
        try {
            bytes = ObjectCodec.encode(result, null);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            reply(job.taskId, FrameType.COPY_FAILED, copyFailure(FrameType.BOUNDARY_ENCODE_RESULT, e));
            return;
        }
        reply(job.taskId, FrameType.RESULT, bytes);
    }

    private void reply(long taskId, byte type, byte[] payload) throws IOException {
        out.writeAndFlush(type, taskId, payload);
    }

    private static byte[] copyFailure(byte boundary, Throwable e) {
        byte[] t = ThrowableCodec.encode(e);
        byte[] p = new byte[t.length + 1];
        p[0] = boundary;
        System.arraycopy(t, 0, p, 1, t.length);
        return p;
    }
}
