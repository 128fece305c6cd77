package dev.tandem;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerStarter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The conductor of {@link Mode#PROCESSES} and {@link Mode#HYBRID}: it owns the pool's run state, the queue of
 * pending tasks, dispatch to workers, and what happens when workers die. Everything else has a room of its own:
 * {@link TaskEncoder} serializes tasks, {@link WorkerStarter} (the {@link WorkerLauncher}) starts workers, each
 * {@link Worker} carries frames (a {@link WorkerProcess} through its {@link WorkerProxy} and {@link WorkerAdapter}),
 * {@link WorkerWindow} books what each worker holds, {@link ReplyDecoder} completes futures, and the policies
 * {@link PrefetchWindow}, {@link RestartPolicy}, {@link WorkerLossPolicy}, {@link WorkerLease} and
 * {@link AotTraining} decide; {@link PoolEvents} hears of every change (statistics, JFR, logs).
 *
 * <h2>The path of a task</h2>
 * Queued in {@link #pending}; {@link #dispatchLocked()} sends it to a READY worker with room in its window (slots
 * plus prefetch), appending it to the window and buffering its frame under the lock, so the window's order is the
 * wire order; frames are flushed after the lock is released.
 *
 * <h2>Concurrency</h2>
 * One {@link ReentrantLock} guards the pool's state, the queue, the windows and the policies. It is never held
 * while waiting for a process, decoding a result or writing to a worker.
 *
 * <h2>Lifecycle</h2>
 * See {@link RunState}. Submissions are accepted only while RUNNING. In SHUTDOWN, queued tasks still run
 * (workers lost meanwhile are replaced); in STOP and FAILED, workers are killed.
 *
 * <h2>Failure</h2>
 * A worker's end is reported once, after every reply it sent before it ended ({@link #onWorkerEnd}). Its running
 * tasks (the first {@code slots} of its window; for a lost cluster node, every task it was sent,
 * {@link WorkerEnd.NodeLoss}) fail with {@link WorkerLostException}, or are retried, or fail as poison, as
 * {@link WorkerLossPolicy} says; the rest of its window goes back to the front of {@link #pending} untouched. Deaths
 * the pool caused (timeouts, cancels, recycling, shutdown) are planned: the worker is condemned first (it takes no
 * new task), the kill is aimed at one task, and only that task fails with it; the replacement starts at once. Other
 * deaths count against the {@link RestartPolicy}. Timeouts and cancels stop tasks through {@link TaskStops}.
 */
final class ProcessTaskPool extends AbstractTaskPool {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** Its caller's lease on a cluster node (fencing), which each worker gets as it starts; or none. */
    final WorkerLease lease;

    private final WorkerStarter starter;
    private final TaskEncoder encoder;
    private final ReplyDecoder decoder;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicInteger workerIds = new AtomicInteger();
    /** Starts workers and flushes frames off the lock (never on the shared timer thread). */
    private final ExecutorService background;

    private final CompletionServiceAdapter completionService = new CompletionServiceAdapter();
    private final ReentrantLock lock = new ReentrantLock();
    // Everything below is guarded by lock.
    private final RunState state = new RunState(lock);
    private final ArrayDeque<ProcessFuture<?>> pending = new ArrayDeque<>();
    private final List<WorkerWindow> workers = new ArrayList<>();
    private int starting;
    private boolean startsAbandoned; // set as tryTerminateLocked abandons the starts under way
    private final RestartPolicy restarts;
    private final WorkerLossPolicy losses;
    private final PrefetchWindow prefetch = new PrefetchWindow();
    private final TaskStops stops;
    /** The cluster node this pool runs on, named in its failures; null for a caller's own pool. */
    private final String node;

    private ProcessTaskPool(
            PoolOptions options, ReplyDecoder decoder, WorkerStarter starter, String node, WorkerLease lease) {
        super(options);
        this.node = node;
        this.lease = lease;
        this.decoder = decoder;
        this.encoder = new TaskEncoder(decoder.filter(), WorkerLauncher.loadableCheck(starter), decoder.lane());
        this.starter = starter;
        this.restarts = RestartPolicy.of(options);
        this.losses = new WorkerLossPolicy(options.retriesOnWorkerLoss(), options.poisonThreshold(), System::nanoTime);
        int poolId = POOL_IDS.incrementAndGet();
        this.background = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tandem-" + poolId + "-conductor");
            t.setDaemon(true);
            return t;
        });
        this.stops = new TaskStops(lock, options.taskTimeout(), background);
    }

    /** The seam's entry: {@code n} workers (or node sessions); failures name {@code node}; see {@link WorkerLease}. */
    static ProcessTaskPool start(
            PoolOptions o, ReplyDecoder d, WorkerStarter starter, int n, String node, WorkerLease lease) {
        ProcessTaskPool pool = new ProcessTaskPool(o, d, starter, node, lease);
        List<WorkerWindow> windows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            windows.add(new WorkerWindow(pool.workerIds.incrementAndGet(), pool, pool.lock));
        }
        FirstWorkers.Outcome outcome = FirstWorkers.start(windows, starter, pool.background);
        RuntimeException error = outcome.error();
        List<Worker> started = outcome.started();
        pool.lock.lock();
        try {
            for (int i = 0; i < windows.size(); i++) {
                WorkerWindow w = windows.get(i);
                // A worker that died after its handshake, while others were still starting, has
                // already been handled (and replaced) as it ended.
                if (started.get(i) != null && w.stateLocked() == WorkerWindow.State.STARTING) {
                    w.startedLocked(started.get(i));
                    pool.workers.add(w);
                }
            }
            if (error != null) {
                pool.state.stopLocked(error);
                for (WorkerWindow w : pool.workers) { // replacements started meanwhile included
                    w.condemnLocked("the pool failed to start", null);
                }
                pool.tryTerminateLocked();
            }
        } finally {
            pool.lock.unlock();
        }
        if (error != null) {
            FirstWorkers.awaitCleanUp(pool); // so that a retry finds their shared memory free
            throw error;
        }
        pool.lease.keepRenewing(pool.lock, pool.workers, pool.background);
        return pool;
    }

    ReplyDecoder decoder() {
        return decoder;
    }

    @Override
    protected <T> NotifyingFutureTask<T> newTaskFor(Callable<T> callable) {
        return completionService.made(newFuture(callable));
    }

    @Override
    protected <T> NotifyingFutureTask<T> newTaskFor(Runnable runnable, T value) {
        return completionService.made(newFuture(TaskEncoder.callable(runnable, value)));
    }

    <T> ProcessFuture<T> newFuture(Callable<T> callable) {
        TaskEncoder.Encoded e = encoder.encode(callable);
        return new ProcessFuture<>(this, taskIds.incrementAndGet(), callable, e.bytes(), e.stateless(), e.leases());
    }

    @Override
    public void execute(Runnable command) {
        ProcessFuture<?> f;
        if (completionService.adopt(command) instanceof ProcessFuture<?> adopted) { // a QueueingFuture
            f = adopted;
        } else if (command instanceof ProcessFuture<?> pf && pf.pool == this) {
            f = pf;
        } else {
            f = (ProcessFuture<?>) newTaskFor(command, null);
            f.reportUncaught();
        }
        List<WorkerWindow> toFlush;
        lock.lock();
        try {
            if (!state.isLocked(RunState.State.RUNNING)) {
                throw state.rejectionLocked();
            }
            f.queued();
            if (losses.isPoison(f.fingerprint())) {
                f.fail(new PoisonTaskException(f.description(), losses.deaths(f.fingerprint()), false, null));
                return;
            }
            pending.add(f);
            toFlush = dispatchLocked();
        } finally {
            lock.unlock();
        }
        WorkerWindow.flushAll(toFlush);
    }

    /** Sends queued tasks to workers with room; returns the workers to flush. */
    private List<WorkerWindow> dispatchLocked() {
        assert lock.isHeldByCurrentThread();
        List<WorkerWindow> touched = List.of();
        if (!state.dispatchingLocked() || !lease.holds()) {
            return touched;
        }
        while (!pending.isEmpty()) {
            WorkerWindow best = null;
            int bestSize = Integer.MAX_VALUE;
            for (WorkerWindow w : workers) {
                int size = w.sentLocked().size();
                if (w.acceptsLocked()
                        && size < w.slots() + prefetch.prefetch(w.slots(), w.prefetchFactor())
                        && size < bestSize) {
                    best = w;
                    bestSize = size;
                }
            }
            if (best == null) {
                break;
            }
            ProcessFuture<?> f = pending.poll();
            if (f.isDone()) {
                continue;
            }
            f.sentTo(best);
            if (best.sendLocked(f)) {
                stops.runningLocked(best, f);
            }
            if (best.sentLocked().size() > best.slots() + 1) {
                // Tasks ahead of this one were flushed and will be answered; the thread of the next
                // reply flushes this one, so a burst of submissions costs fewer writes.
                best.markDirtyLocked();
            } else if (!touched.contains(best)) {
                if (touched.isEmpty()) {
                    touched = new ArrayList<>(2);
                }
                touched.add(best);
            }
            if (best.spentLocked(options.maxTasksPerWorker())) {
                // Retiring is not yet a planned death: if the worker crashes before its EXIT, that
                // crash counts as one (retries, poison, restart limit).
                best.retireLocked();
                replaceLocked(best, 0);
                if (best.sentLocked().isEmpty()) {
                    best.exitLocked(background);
                }
            }
        }
        return touched;
    }

    /**
     * A worker answered {@code taskId}; {@code complete} completes its future, outside the lock. While
     * {@code more} replies of {@code w}'s burst follow, the frames this reply made for {@code w} are put
     * off to the burst's last reply, which writes them all at once: one write for a burst of replies
     * instead of one per reply (see {@link dev.tandem.spi.WorkerListener}'s bursts).
     */
    void onReply(WorkerWindow w, long taskId, boolean more, Consumer<ProcessFuture<?>> complete) {
        ProcessFuture<?> f;
        List<WorkerWindow> toFlush;
        lock.lock();
        try {
            int[] position = new int[1];
            f = w.answeredLocked(taskId, position);
            if (f != null) {
                answeredLocked(w, f, position[0]);
            }
            toFlush = w.burstLocked(dispatchLocked(), more);
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        WorkerWindow.flushAll(toFlush);
        if (f != null) { // else a late reply for a task this worker no longer holds
            complete.accept(f);
        }
    }

    /** {@code f}, at {@code position} in {@code w}'s window, was answered. */
    private void answeredLocked(WorkerWindow w, ProcessFuture<?> f, int position) {
        assert lock.isHeldByCurrentThread();
        if (position < w.slots()) {
            prefetch.onTaskDone(System.nanoTime() - f.startedNanos());
            restarts.onProgress();
            losses.onCompleted(f::fingerprint);
            ProcessFuture<?> next = w.newlyRunningLocked();
            if (next != null) {
                stops.runningLocked(w, next);
            }
        }
        if (w.stateLocked() == WorkerWindow.State.RETIRING && w.sentLocked().isEmpty()) {
            w.exitLocked(background);
        }
    }

    void onCancel(ProcessFuture<?> f, boolean mayInterrupt) {
        WorkerWindow w;
        lock.lock();
        try {
            w = f.worker();
            if (w == null) {
                pending.remove(f);
                tryTerminateLocked();
                return;
            }
            stops.cancelLocked(w, f, mayInterrupt);
        } finally {
            lock.unlock();
        }
        w.worker().flush();
    }

    // ---------------------------------------------------------------- deaths and restarts

    /** A worker ended: fail, retry or requeue what it held, then replace it. */
    void onWorkerEnd(WorkerWindow w, WorkerEnd end) {
        List<WorkerWindow> toFlush;
        lock.lock();
        try {
            if (end.notItsFault() != null) {
                w.notItsFaultLocked(end.notItsFault()); // not the worker's fault, nor its task's
            }
            String planned = w.plannedDeathLocked();
            ProcessFuture<?> target = w.aimLocked();
            int slots = w.slots();
            w.deadLocked(end);
            workers.remove(w);
            WorkerEnd.NodeLoss nodeLoss = planned == null ? end.nodeLoss() : null;
            WorkerLossPolicy.Sorting<ProcessFuture<?>> held =
                    WorkerLossPolicy.sort(w.drainLocked(), slots, planned != null, target, nodeLoss);
            String hint = planned != null ? "killed by the pool: " + planned : end.hint();
            WorkerLostException last = null;
            for (WorkerLossPolicy.Sorted<ProcessFuture<?>> s : held.order()) {
                ProcessFuture<?> f = s.task();
                if (s.role() == WorkerLossPolicy.Role.UNSTARTED || s.role() == WorkerLossPolicy.Role.BYSTANDER) {
                    requeueLocked(f);
                    continue;
                }
                f.leftWorker();
                if (f.isDone()) {
                    continue;
                }
                WorkerLostException lost = w.lost(end, nodeLoss, f.description(), hint, node);
                last = lost;
                if (s.role() == WorkerLossPolicy.Role.AIMED) {
                    f.fail(lost);
                    continue;
                }
                WorkerLossPolicy.Verdict v = losses.judge(f::fingerprint, f.attempts(), held.running(), end);
                switch (v.fate()) {
                    case POISON -> f.fail(new PoisonTaskException(f.description(), v.deaths(), true, lost));
                    case RETRY -> pending.addFirst(f);
                    case FAIL -> f.fail(lost);
                }
            }
            if (!w.replacedLocked()) {
                if (planned != null) {
                    replaceLocked(w, 0);
                } else {
                    WorkerLostException cause = last != null ? last : w.lost(end, nodeLoss, "no task", hint, node);
                    onCrashLocked(w, cause, w.completedLocked() > 0 || nodeLoss != null); // a lost node: no loop
                }
            }
            toFlush = w.burstLocked(dispatchLocked(), false); // ends its burst, if its end cut one short
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        WorkerWindow.flushAll(toFlush);
    }

    /**
     * The catch-all of the engine's entry points (a worker's events, replacements, timers): an
     * exception the pool did not expect fails the pool and every future it holds, plus {@code held},
     * rather than leave any incomplete.
     */
    void onInternalError(Throwable t, List<ProcessFuture<?>> held) {
        PoolFailedException e = new PoolFailedException("internal error in the pool: " + t, t);
        lock.lock();
        try {
            held.forEach(f -> f.fail(e));
            failLocked(e);
        } finally {
            lock.unlock();
        }
    }

    /** Puts a task its worker never ran to completion back at the front of the queue, attempt not counted. */
    private void requeueLocked(ProcessFuture<?> f) {
        assert lock.isHeldByCurrentThread();
        f.requeued();
        if (!f.isDone()) {
            pending.addFirst(f);
        }
    }

    /** Counts an unplanned restart; fails the pool beyond the limit, else restarts with backoff. */
    private void onCrashLocked(WorkerWindow w, Throwable cause, boolean productive) {
        assert lock.isHeldByCurrentThread();
        long now = System.nanoTime();
        long delay = restarts.onDeath(now, productive);
        if (delay == RestartPolicy.GIVE_UP) {
            failLocked(new PoolFailedException(
                    restarts.describeLoop(now) + "; the pool stopped instead of restarting them in a loop. Last death: "
                            + cause.getMessage(),
                    cause));
            return;
        }
        replaceLocked(w, delay);
    }

    /** Starts a replacement for {@code w} after {@code delayNanos}, if the pool still needs one. */
    private void replaceLocked(WorkerWindow w, long delayNanos) {
        assert lock.isHeldByCurrentThread();
        if (w != null && w.replacedLocked()) {
            return;
        }
        if (!state.needsWorkersLocked(!pending.isEmpty())) {
            return; // not needed now; a worker that later dies with queued tasks asks again
        }
        if (w != null) {
            w.markReplacedLocked();
        }
        starting++;
        events.replacing(w, delayNanos);
        Deadlines.schedule(() -> background.execute(this::startReplacement), delayNanos);
    }

    private void startReplacement() {
        WorkerWindow w = new WorkerWindow(workerIds.incrementAndGet(), this, lock);
        Worker worker = null;
        RuntimeException error = null;
        try {
            worker = starter.start(w.id(), w);
        } catch (RuntimeException | Error e) { // whatever it is, the start is counted as failed
            error = e instanceof RuntimeException re ? re : new WorkerStartException(String.valueOf(e), e);
        }
        List<WorkerWindow> toFlush = List.of();
        lock.lock();
        try {
            starting--;
            if (error != null) {
                // Else it failed or stopped meanwhile, or its starts were abandoned as it closes: nothing to report.
                if (state.dispatchingLocked() && !startsAbandoned) {
                    if (starter.gaveUp(error)) {
                        failLocked(new PoolFailedException(error.getMessage(), error)); // its line says why
                    } else {
                        events.startFailed(w.id(), error);
                        onCrashLocked(null, error, false);
                    }
                }
            } else if (w.stateLocked() == WorkerWindow.State.STARTING) { // else it ended already
                w.startedLocked(worker);
                workers.add(w);
                if (state.needsWorkersLocked(!pending.isEmpty())) {
                    toFlush = dispatchLocked();
                } else if (state.isLocked(RunState.State.SHUTDOWN)) {
                    w.exitLocked(background);
                } else {
                    w.condemnLocked(
                            "not needed: the pool is " + state.toString().toLowerCase(Locale.ROOT), null);
                }
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        WorkerWindow.flushAll(toFlush);
    }

    private void failLocked(PoolFailedException e) {
        assert lock.isHeldByCurrentThread();
        if (!state.failLocked(e)) {
            return;
        }
        events.poolFailed(e);
        for (ProcessFuture<?> f : pending) {
            f.fail(e);
        }
        pending.clear();
        for (WorkerWindow w : workers) {
            for (ProcessFuture<?> f : w.sentLocked()) {
                f.fail(e);
            }
            w.condemnLocked("the pool failed", null);
        }
        tryTerminateLocked();
    }

    private void tryTerminateLocked() {
        assert lock.isHeldByCurrentThread();
        if (state.isLocked(RunState.State.RUNNING) || state.isLocked(RunState.State.TERMINATED)) {
            return;
        }
        if (state.isLocked(RunState.State.SHUTDOWN)) {
            if (!pending.isEmpty()) {
                return;
            }
            for (WorkerWindow w : workers) {
                WorkerWindow.State s = w.stateLocked();
                if (w.sentLocked().isEmpty() && (s == WorkerWindow.State.READY || s == WorkerWindow.State.RETIRING)) {
                    w.exitLocked(background);
                }
            }
        }
        if (workers.isEmpty() && starting > 0) {
            startsAbandoned = true;
            starter.abandonStarts(); // nothing left to run on: a start waiting for a node gives up
        } else if (workers.isEmpty()) {
            starter.close();
            background.shutdown();
            state.terminatedLocked();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            state.shutdownLocked();
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
            state.stopLocked(null);
            pending.stream().filter(f -> !f.isDone()).forEach(never::add);
            pending.clear();
            for (WorkerWindow w : workers) {
                never.addAll(w.stopLocked("shutdownNow()"));
            }
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
        return cancelMapBatches(never);
    }

    @Override
    RejectedExecutionException cutShort() {
        return state.cutShort();
    }

    @Override
    public boolean isShutdown() {
        return !state.is(RunState.State.RUNNING);
    }

    @Override
    public boolean isTerminated() {
        return state.is(RunState.State.TERMINATED);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return state.awaitTermination(unit.toNanos(timeout));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return InvokeAny.untimed(this, tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return InvokeAny.run(this, tasks, unit.toNanos(timeout));
    }

    @Override
    public List<Long> workerPids() {
        lock.lock();
        try {
            return workers.stream()
                    .filter(WorkerWindow::servingLocked)
                    .map(w -> w.worker().pid())
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PoolStats stats() {
        lock.lock();
        try {
            return events.stats(workers, pending.size());
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
