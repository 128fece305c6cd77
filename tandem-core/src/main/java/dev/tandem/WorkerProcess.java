package dev.tandem;

import dev.tandem.ipc.SharedChannel;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameWriter;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The caller's side of one worker JVM: its process, its control channel, its output pumps, and the
 * FIFO of tasks sent to it and not yet answered.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * STARTING --handshake done--> READY --maxTasksPerWorker reached--> RETIRING --idle, EXIT sent--> EXITING
 *     |                          |                                     |                            |
 *     +--------------------------+-------- process ended -------------+----------------------------+--> DEAD
 * </pre>
 * Only the pool moves a worker between states, under the pool's lock. {@link #plannedDeath} is set
 * before the pool kills or retires a worker, so that its end is not counted as a crash.
 *
 * <h2>The running set</h2>
 * The worker serves its FIFO inbox with T threads, so the tasks running at any moment are the first
 * T of {@link #sent}; the rest are queued in the worker and are sent elsewhere, untouched, if it dies.
 */
final class WorkerProcess {
    enum State {
        STARTING,
        READY,
        RETIRING,
        EXITING,
        DEAD
    }

    final int id;
    final Process process;
    final long pid;
    final int threads;
    final OutputPump stdout;
    final OutputPump stderr;
    /** Completes when the handshake is done, or fails with the reason the worker could not start. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    // Guarded by the pool's lock.
    State state = State.STARTING;
    /** The size of {@link #sent}, readable without the pool's lock. */
    volatile int outstanding;
    /**
     * Set when the control channel was closed because a thread writing to it was interrupted (Java
     * closes a channel interrupted during I/O); the worker is then killed and this is why.
     */
    volatile String channelLost;

    String plannedDeath;
    long tasksAccepted;
    /** Frames were buffered without a flush; the reader thread flushes them with its next reply. */
    boolean dirty;

    boolean replaced;

    /** Where this worker writes an AOT cache when it exits cleanly, or null; and the final file. */
    Path aotTraining;

    Path aotCache;

    /** The shared-memory channel when the pool uses {@link Transport#SHARED_MEMORY}, else null. */
    SharedChannel shm;
    /** Who reads the replies when they come over {@link #shm}; set before the reader thread starts. */
    ReplyReading replies;

    // Set once by the handshake, before the reader thread starts.
    FrameWriter writer;
    FrameReader reader;
    SocketChannel channel;

    /** Changed only through {@link #recordSent(ProcessFuture)}, {@link #answered} and {@link #clearSent()}. */
    private final ArrayDeque<ProcessFuture<?>> sent = new ArrayDeque<>();
    /**
     * Frames queued in wire order. Appended under the pool's lock, which fixes their order; written
     * by {@link #flush()} outside it, so the pool's lock is never held across a socket write that
     * could block on a slow or full peer (a large task, say) while that peer waits for the caller.
     */
    private final ConcurrentLinkedQueue<Frame> outbox = new ConcurrentLinkedQueue<>();

    WorkerProcess(int id, Process process, int threads, boolean forward) {
        this.id = id;
        this.process = process;
        this.pid = process.pid();
        this.threads = threads;
        String prefix = "[worker " + id + "] ";
        this.stdout = new OutputPump(
                process.getInputStream(),
                prefix,
                () -> System.out,
                forward,
                OutputPump.encoding("stdout.encoding"),
                "tandem-worker-" + id + "-stdout");
        this.stderr = new OutputPump(
                process.getErrorStream(),
                prefix,
                () -> System.err,
                forward,
                OutputPump.encoding("stderr.encoding"),
                "tandem-worker-" + id + "-stderr");
        stdout.start();
        stderr.start();
    }

    /** {@return the tasks sent to this worker and not yet answered, oldest first} (pool lock held) */
    ArrayDeque<ProcessFuture<?>> sent() {
        return sent;
    }

    /** Records that {@code f} was sent to this worker (pool lock held). */
    void recordSent(ProcessFuture<?> f) {
        sent.add(f);
        outstanding = sent.size();
    }

    /** Removes the task {@code taskId} answered, and returns it with its position, or null (pool lock held). */
    ProcessFuture<?> answered(long taskId, int[] position) {
        int i = 0;
        for (Iterator<ProcessFuture<?>> it = sent.iterator(); it.hasNext(); i++) {
            ProcessFuture<?> s = it.next();
            if (s.id == taskId) {
                it.remove();
                outstanding = sent.size();
                position[0] = i;
                return s;
            }
        }
        return null;
    }

    /** Forgets every sent task (pool lock held). */
    void clearSent() {
        sent.clear();
        outstanding = 0;
    }

    /** {@return whether {@code f} is among the tasks this worker is running now} (pool lock held) */
    boolean isRunning(ProcessFuture<?> f) {
        int i = 0;
        for (ProcessFuture<?> s : sent) {
            if (i++ >= threads) {
                return false;
            }
            if (s == f) {
                return true;
            }
        }
        return false;
    }

    private record Frame(byte type, long taskId, byte[] payload) {}

    /** Queues a frame; whoever queues it flushes after releasing the pool's lock. */
    void write(byte type, long taskId, byte[] payload) {
        outbox.add(new Frame(type, taskId, payload));
    }

    /**
     * Writes every queued frame, in order, and sends them. Any thread may call, an interrupted one
     * too: its interrupt status is put aside while writing and restored after, since Java closes a
     * socket channel when the thread using it is interrupted (and the shared-memory streams retry,
     * see {@link UninterruptibleStreams}).
     */
    void flush() {
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (writer) {
                Frame f;
                while ((f = outbox.poll()) != null) {
                    writer.write(f.type, f.taskId, f.payload);
                }
                writer.flush();
            }
        } catch (ClosedByInterruptException e) {
            // Interrupted in the middle of a write, by another thread: the channel is closed.
            channelLost = "its control channel was closed because a thread writing to it was interrupted"
                    + " (Java closes a channel interrupted during I/O)";
            outbox.clear();
            kill();
        } catch (IOException e) {
            // The worker is gone; its reader thread sees the end of stream and reports the death.
            outbox.clear();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills the process (SIGKILL); the reader thread then reports the death. */
    void kill() {
        process.destroyForcibly();
    }

    /**
     * Waits, bounded, for the process to end, killing it if it does not, and for its output to drain.
     *
     * @return the exit code, or null if it could not be had
     */
    Integer awaitExit() {
        Integer code = null;
        try {
            // A worker writing its AOT cache at exit needs a few seconds; others end at once.
            if (!process.waitFor(aotTraining == null ? 2 : 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            if (!process.isAlive()) {
                code = process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stderr.awaitEnd(1000);
        stdout.awaitEnd(200);
        return code;
    }

    void closeChannel() {
        if (shm != null) {
            shm.close(); // the caller created it: this deletes the segment
        }
        SocketChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + pid + ")";
    }
}
