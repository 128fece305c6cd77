package dev.tandem;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.FrameWriter;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
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
    enum State { STARTING, READY, RETIRING, EXITING, DEAD }

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
    final ArrayDeque<ProcessFuture<?>> sent = new ArrayDeque<>();
    String plannedDeath;
    long tasksAccepted;
    /** Frames were buffered without a flush; the reader thread flushes them with its next reply. */
    boolean dirty;
    boolean replaced;

    /** Where this worker writes an AOT cache when it exits cleanly, or null; and the final file. */
    java.nio.file.Path aotTraining;
    java.nio.file.Path aotCache;

    /** The shared-memory channel when the pool uses {@link Transport#SHARED_MEMORY}, else null. */
    dev.tandem.ipc.SharedChannel shm;

    // Set once by the handshake, before the reader thread starts.
    FrameWriter writer;
    FrameReader reader;
    SocketChannel channel;

    WorkerProcess(int id, Process process, int threads, boolean forward) {
        this.id = id;
        this.process = process;
        this.pid = process.pid();
        this.threads = threads;
        String prefix = "[worker " + id + "] ";
        this.stdout = new OutputPump(process.getInputStream(), prefix, () -> System.out, forward,
                "tandem-worker-" + id + "-stdout");
        this.stderr = new OutputPump(process.getErrorStream(), prefix, () -> System.err, forward,
                "tandem-worker-" + id + "-stderr");
        stdout.start();
        stderr.start();
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

    private record Frame(byte type, long taskId, byte[] payload) {
    }

    /**
     * Frames queued in wire order. Appended under the pool's lock, which fixes their order; written
     * by {@link #flush()} outside it, so the pool's lock is never held across a socket write that
     * could block on a slow or full peer (a large task, say) while that peer waits for the caller.
     */
    private final ConcurrentLinkedQueue<Frame> outbox = new ConcurrentLinkedQueue<>();

    /** Queues a frame; whoever queues it flushes after releasing the pool's lock. */
    void write(byte type, long taskId, byte[] payload) {
        outbox.add(new Frame(type, taskId, payload));
    }

    /** Writes every queued frame, in order, and sends them. */
    void flush() {
        synchronized (writer) {
            try {
                Frame f;
                while ((f = outbox.poll()) != null) {
                    writer.write(f.type, f.taskId, f.payload);
                }
                writer.flush();
            } catch (IOException e) {
                // The worker is gone; its reader thread sees the end of stream and reports the death.
                outbox.clear();
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
