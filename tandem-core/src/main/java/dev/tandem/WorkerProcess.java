package dev.tandem;

import dev.tandem.ipc.SharedSegment;
import dev.tandem.protocol.BulkEntry;
import dev.tandem.protocol.BulkTable;
import dev.tandem.protocol.WorkerLaunch;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The caller's side of one worker JVM: its process, its output pumps, its control link with the
 * link's one writer ({@link WorkerProxy}) and one reader thread, whose frames the
 * {@link WorkerAdapter} turns into events. It is the {@link Worker} the conductor dispatches to; the
 * conductor's own state of it (lifecycle, the FIFO of tasks sent) is its {@link WorkerWindow}.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * created --{@link #connect}--> connected --{@link #startReading}--> reading --READY--> ready
 *    any --the control stream ended or broke--> ended: {@link WorkerListener#ended} if it was ready,
 *                                               else the launch fails
 * </pre>
 * The reader thread is started once and ends with the stream; after it, the process is awaited
 * (bounded), the link closed and an AOT training finished, before the listener hears of the end.
 *
 * <p>Thread-safe: the conductor calls {@link #send}, {@link #cancel}, {@link #exit} under its lock
 * and {@link #flush} outside it; events come from the reader thread (or, over shared memory, from a
 * thread waiting for its reply).
 */
final class WorkerProcess implements Worker, WorkerAdapter.Events {
    private final int id;
    private final Process process;
    private final int threads;
    private final OutputPump stdout;
    private final OutputPump stderr;
    private final Optional<AotTraining> training;
    private final WorkerListener listener;
    private final ReplyDecoder decoder;
    private final Path errorFileDir;
    /** Completes when the handshake is done, or fails with the reason the worker could not start. */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Tasks sent and not yet answered; read without a lock by threads that may read replies. */
    private final AtomicInteger outstanding = new AtomicInteger();

    /** Set once by {@link #connect}, before the reader thread starts. */
    private volatile WorkerLink link;

    /** Set once by {@link #connect}, with {@link #link}. */
    private volatile WorkerProxy proxy;

    private final AtomicBoolean reading = new AtomicBoolean();
    /** Why the link was lost through nobody's fault (see {@link WorkerProxy}), or null. */
    private volatile String linkLost;
    /** Why the pool killed it after a stop from outside (see {@link FreezeWatch}), or null. */
    private volatile String frozen;

    WorkerProcess(
            int id,
            Process process,
            int threads,
            boolean forwardOutput,
            Optional<AotTraining> training,
            WorkerListener listener,
            ReplyDecoder decoder,
            Path errorFileDir) {
        this.id = id;
        this.process = process;
        this.threads = threads;
        this.training = training;
        this.listener = listener;
        this.decoder = decoder;
        this.errorFileDir = errorFileDir;
        String prefix = "[worker " + id + "] ";
        this.stdout = new OutputPump(
                process.getInputStream(),
                prefix,
                () -> System.out,
                forwardOutput,
                OutputPump.encoding("stdout.encoding"),
                "tandem-worker-" + id + "-stdout");
        this.stderr = new OutputPump(
                process.getErrorStream(),
                prefix,
                () -> System.err,
                forwardOutput,
                OutputPump.encoding("stderr.encoding"),
                "tandem-worker-" + id + "-stderr");
        if (training.isPresent()) {
            stdout.quietAotTraining();
            stderr.quietAotTraining();
        }
        stdout.start();
        stderr.start();
    }

    /**
     * created to connected: attaches the control link once the handshake connected it.
     *
     * @throws IllegalStateException if it was connected before
     */
    void connect(WorkerLink link) {
        if (this.link != null) {
            throw new IllegalStateException("worker " + id + " is connected already");
        }
        this.link = link;
        this.proxy = new WorkerProxy(link, reason -> {
            linkLost = reason;
            kill();
        });
    }

    WorkerLink link() {
        return link;
    }

    int outstanding() {
        return outstanding.get();
    }

    Process process() {
        return process;
    }

    /** {@return the handshake's completion: READY, or why the worker did not start} */
    CompletableFuture<Void> handshake() {
        return ready;
    }

    /**
     * connected to reading: starts the reader thread, which reads until the stream ends, then reports
     * the end.
     *
     * @throws IllegalStateException if it is not connected, or reads already
     */
    void startReading() {
        if (link == null || !reading.compareAndSet(false, true)) {
            throw new IllegalStateException(
                    "worker " + id + (link == null ? " is not connected" : " has its reader already"));
        }
        Thread t = new Thread(this::readLoop, "tandem-worker-" + id + "-reader");
        t.setDaemon(true);
        t.start();
    }

    private void readLoop() {
        try {
            link.readLoop(new WorkerAdapter(this));
        } catch (Throwable e) { // a broken or hostile stream, or an error handling it
            // The stream cannot be trusted any more: end the worker; its end is reported below.
            kill();
        }
        onEnd();
    }

    private void onEnd() {
        Integer exit = awaitExit();
        ProcessTree.killGroup(pid()); // what it started goes with it, however it ended
        link.close();
        if (decoder.lane().on()) {
            sweepSharedMemory(); // the segments of its results, if it died holding some
        }
        training.ifPresent(t -> t.finish(exit));
        if (!ready.isDone() || ready.isCompletedExceptionally()) {
            ready.completeExceptionally(new IOException("exited"));
            return; // it never became ready: the launcher reports it
        }
        String stderrTail = stderr.tail();
        String stdoutTail = stdout.tail();
        String crashLog = DeathReport.crashLog(pid(), stderrTail, errorFileDir);
        listener.ended(WorkerEnd.local(
                pid(),
                exit,
                DeathReport.signal(exit),
                frozen != null ? frozen : DeathReport.hint(exit, stderrTail + "\n" + stdoutTail, crashLog),
                stderrTail,
                crashLog,
                linkLost));
    }

    // ---------------------------------------------------------------- events from the adapter

    @Override
    public void ready() {
        ready.complete(null);
        Deadlines.schedule(() -> watchFreeze(new FreezeWatch(FreezeWatch.LIMIT_NANOS)), FreezeWatch.PERIOD_NANOS);
    }

    /**
     * Looks at the worker's state once a {@linkplain FreezeWatch#PERIOD_NANOS period} until it ends; kills
     * it once it was stopped from outside for {@linkplain FreezeWatch the limit}. Runs on the timer thread:
     * a read of {@code /proc/<pid>/stat}, and a kill at most once.
     */
    private void watchFreeze(FreezeWatch watch) {
        if (!process.isAlive()) {
            return;
        }
        long now = System.nanoTime();
        if (watch.killAfter(now, ProcessTree.stopped(pid()))) {
            frozen = watch.describe(now);
            kill();
            return;
        }
        Deadlines.schedule(() -> watchFreeze(watch), FreezeWatch.PERIOD_NANOS);
    }

    @Override
    public void initFailed(byte[] throwable) {
        ready.completeExceptionally(new WorkerLauncher.InitializerFailure(decoder.throwable(throwable, null)));
    }

    /**
     * Hands a result to the conductor, which decodes it before it returns; then marks the shared
     * memory the result came through as read, whatever became of it (decoded, refused, or dropped
     * as late), so that the worker may reuse it.
     */
    @Override
    public void result(long taskId, byte[] value, boolean more) {
        outstanding.decrementAndGet();
        try {
            listener.result(taskId, value, more);
        } finally {
            List<BulkEntry> shared = BulkTable.entries(value);
            if (!shared.isEmpty()) {
                decoder.lane().resultRead(shared);
            }
        }
    }

    @Override
    public void failed(long taskId, byte[] throwable, boolean more) {
        outstanding.decrementAndGet();
        listener.failed(taskId, throwable, more);
    }

    @Override
    public void copyFailed(long taskId, byte boundary, byte[] throwable, boolean more) {
        outstanding.decrementAndGet();
        listener.copyFailed(taskId, boundary, throwable, more);
    }

    // ---------------------------------------------------------------- Worker

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public int slots() {
        return threads;
    }

    @Override
    public void send(long taskId, byte[] task, boolean stateless) {
        outstanding.incrementAndGet();
        proxy.task(taskId, task, stateless);
    }

    @Override
    public void cancel(long taskId) {
        proxy.cancel(taskId);
    }

    @Override
    public void lease(long untilNanos) {
        proxy.lease(untilNanos);
    }

    /**
     * Asks the worker to exit (EXIT), and bounds that: if its process still lives
     * {@link #exitGraceMillis()} later (a shutdown hook that blocks, a frozen process), its process
     * tree is killed, so that its reader sees the end of the stream and the pool its end.
     */
    @Override
    public void exit() {
        proxy.exit();
        process.onExit()
                .completeOnTimeout(process, exitGraceMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (process.isAlive()) {
                        kill();
                    }
                });
    }

    /**
     * {@return how long a worker asked to exit may take before it is killed, in milliseconds} The
     * worker's own watchdog halts it after {@link WorkerLaunch#EXIT_GRACE_MILLIS}, or
     * {@link WorkerLaunch#TRAINING_EXIT_GRACE_MILLIS} when it writes its AOT cache at exit; this is 2 s
     * more.
     */
    long exitGraceMillis() {
        return (training.isPresent() ? WorkerLaunch.TRAINING_EXIT_GRACE_MILLIS : WorkerLaunch.EXIT_GRACE_MILLIS)
                + 2_000;
    }

    @Override
    public void flush() {
        proxy.flush();
    }

    /** Kills the worker and its descendants; see {@link ProcessTree}. */
    @Override
    public void kill() {
        ProcessTree.killTree(process.toHandle());
    }

    @Override
    public long retireAfter() {
        return training.isPresent() ? AotTraining.TASKS : 0;
    }

    @Override
    public String retireReason(long tasks) {
        return training.isPresent()
                ? "retired after " + tasks + " tasks to write the AOT cache"
                : "recycled after " + tasks + " tasks";
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
            if (!process.waitFor(training.isEmpty() ? 2 : 30, TimeUnit.SECONDS)) {
                kill();
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

    private static void sweepSharedMemory() {
        try {
            SharedSegment.sweep();
        } catch (IOException e) {
            // the next sweep of any Tandem JVM removes them
        }
    }

    /** {@return the last lines of its stderr and stdout, for a failed start} */
    String outputTail() {
        return (stderr.tail() + "\n" + stdout.tail()).strip();
    }

    /** Ends a worker that failed to start: kill, await, close, free its AOT training slot. */
    Integer abandon() {
        kill();
        Integer exit = awaitExit();
        ProcessTree.killGroup(pid());
        if (link != null) {
            link.close();
        }
        training.ifPresent(t -> t.finish(exit));
        return exit;
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + pid() + ")";
    }
}
