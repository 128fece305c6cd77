package dev.tandem;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The conductor's book of one {@link Worker}: where it is in its lifecycle, and its window, the FIFO
 * of tasks sent to it and not yet answered. The same for every kind of worker, local JVM or remote
 * node; the worker itself only carries frames.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * STARTING --started--> READY --task budget reached--> RETIRING --idle, or condemned--> EXITING --ended--> DEAD
 *                          |                                                              ^
 *                          +------------------ condemned / asked to exit (idle) ----------+
 *  any state but DEAD --ended--> DEAD (from STARTING, READY or RETIRING: a death nobody planned)
 * </pre>
 * A worker is condemned or asked to exit only once it started: one that is not needed when its start
 * returns goes READY and is then condemned or asked to exit. A STARTING window has no worker to kill,
 * so those transitions refuse it ({@link IllegalStateException}); a window whose start fails never had
 * a worker and is dropped, STARTING (the conductor counts the failure), while one whose worker died
 * before its start returned goes DEAD and stays so. A worker ends once: DEAD refuses to be reached
 * again.
 * Only EXITING and DEAD are reached with a {@linkplain #plannedDeathLocked() planned death}, the reason
 * the conductor gives for ending the worker, so that its end is not counted as a crash. A RETIRING
 * worker takes no new task; one that crashes before it exits counts as a crash.
 *
 * <h2>The running set</h2>
 * The worker serves its window in order with {@link Worker#slots()} threads, so the tasks running at
 * any moment are the first {@code slots()} of {@link #sentLocked()}; the rest wait in the worker and are
 * sent elsewhere, untouched, if it dies.
 *
 * <p>Every method but the listener's is called with the conductor's lock held (asserted); the
 * listener methods are called by the worker's reading thread and forward to the conductor.
 */
final class WorkerWindow implements WorkerListener {
    enum State {
        STARTING,
        READY,
        RETIRING,
        EXITING,
        DEAD
    }

    private final int id;
    private final ProcessTaskPool pool;
    private final ReentrantLock lock;
    /** When the conductor made it, just before its start began ({@link System#nanoTime()}). */
    private final long createdNanos = System.nanoTime();
    /** Set once, when the start returned; null while STARTING. Volatile for {@link ProcessFuture#get()}. */
    private volatile Worker worker;

    // Guarded by lock.
    private State state = State.STARTING;
    private final ArrayDeque<ProcessFuture<?>> sent = new ArrayDeque<>();
    private String plannedDeath;
    /** The task a kill was aimed at, or null (see {@link #condemnLocked}). */
    private ProcessFuture<?> aim;

    private long tasksAccepted;
    /** Tasks it answered since it started. */
    private long completed;
    /** Frames were buffered without a flush; the next reply's thread flushes them. */
    private boolean dirty;
    /** Its frames wait for the end of its burst of replies (see {@link #burstLocked}). */
    private boolean burstPending;
    /** A replacement was started for this worker. */
    private boolean replaced;

    WorkerWindow(int id, ProcessTaskPool pool, ReentrantLock lock) {
        this.id = id;
        this.pool = pool;
        this.lock = lock;
    }

    int id() {
        return id;
    }

    Worker worker() {
        return worker;
    }

    /** Flushes the frames buffered for each of {@code windows}' workers; called without the lock. */
    static void flushAll(List<WorkerWindow> windows) {
        for (WorkerWindow w : windows) {
            w.worker().flush();
        }
    }

    // ---------------------------------------------------------------- transitions (lock held)

    /** STARTING to READY: the worker started and takes tasks. */
    void startedLocked(Worker w) {
        assert lock.isHeldByCurrentThread();
        expect(State.STARTING);
        worker = w;
        state = State.READY;
        pool.lease.grantLocked(w); // before its first task
        pool.events.workerStarted(id, w, System.nanoTime() - createdNanos);
    }

    /** READY to RETIRING: it reached its task budget and takes no new task. */
    void retireLocked() {
        assert lock.isHeldByCurrentThread();
        expect(State.READY);
        state = State.RETIRING;
        pool.events.workerRecycled(id, worker, tasksAccepted);
    }

    /**
     * READY or RETIRING to EXITING: the conductor ends it, for {@code reason}. The first reason given
     * is kept. Returns false when it was already EXITING or DEAD.
     */
    private boolean exitingLocked(String reason) {
        assert lock.isHeldByCurrentThread();
        expectStarted();
        if (plannedDeath == null) {
            plannedDeath = reason;
        }
        if (state == State.EXITING || state == State.DEAD) {
            return false;
        }
        state = State.EXITING;
        return true;
    }

    /**
     * Condemns the worker: it takes no new task (EXITING) and is killed. The kill is aimed at
     * {@code target} (null: at every task it holds): when it ends, only that task fails with it; any
     * other task that was running (it may have started after the target ended, before the kill
     * landed) goes back to the queue, its attempt not counted. No effect on a DEAD worker.
     */
    void condemnLocked(String reason, ProcessFuture<?> target) {
        assert lock.isHeldByCurrentThread();
        if (state == State.DEAD) {
            return;
        }
        expectStarted();
        exitingLocked(reason);
        if (aim == null) {
            aim = target;
        }
        worker.kill();
    }

    /**
     * Stops the worker for {@code reason} (shutdownNow): its running tasks end cancelled, it is
     * condemned, and the tasks it held that never started are returned, oldest first.
     */
    List<ProcessFuture<?>> stopLocked(String reason) {
        assert lock.isHeldByCurrentThread();
        List<ProcessFuture<?>> never = new ArrayList<>();
        int i = 0;
        int slots = slots();
        for (ProcessFuture<?> f : drainLocked()) {
            if (i++ < slots) {
                f.cancelledByPool(); // its worker is killed: it ends cancelled
            } else if (!f.isDone()) {
                never.add(f);
            }
            f.leftWorker();
        }
        condemnLocked(reason, null);
        return never;
    }

    /** Asks the idle worker to exit: EXIT is buffered, and flushed on {@code flusher}, off the lock. */
    void exitLocked(Executor flusher) {
        assert lock.isHeldByCurrentThread();
        expectStarted();
        String reason = state == State.RETIRING ? worker.retireReason(tasksAccepted) : "asked to exit";
        if (exitingLocked(reason)) {
            worker.exit();
            flusher.execute(worker::flush);
        }
    }

    /** {@return the task the worker's kill was aimed at, or null} */
    ProcessFuture<?> aimLocked() {
        assert lock.isHeldByCurrentThread();
        return aim;
    }

    /**
     * Any state but DEAD to DEAD: the worker ended as {@code end} says (a STARTING one: before its
     * start returned); its window is emptied by the caller.
     *
     * @throws IllegalStateException if it ended before
     */
    void deadLocked(WorkerEnd end) {
        assert lock.isHeldByCurrentThread();
        if (state == State.DEAD) {
            throw new IllegalStateException("worker " + id + " ended twice");
        }
        state = State.DEAD;
        pool.events.workerDied(id, worker, end, plannedDeath, sent.size(), completed);
    }

    /**
     * Records a death as planned when nothing else was planned: the worker was lost through nobody's
     * fault (see {@link WorkerEnd#notItsFault()}).
     */
    void notItsFaultLocked(String reason) {
        assert lock.isHeldByCurrentThread();
        if (plannedDeath == null) {
            plannedDeath = reason;
        }
    }

    private void expect(State from) {
        if (state != from) {
            throw new IllegalStateException(this + ": " + state + ", expected " + from);
        }
    }

    /** Refuses a STARTING window: it has no worker yet to kill or to ask to exit. */
    private void expectStarted() {
        if (state == State.STARTING) {
            throw new IllegalStateException(this + ": STARTING, expected a started worker");
        }
    }

    /**
     * {@return the exception its running tasks fail with when it ended so: a
     * {@link NodeLostException} for a lost node ({@code loss} not null), else a
     * {@link WorkerLostException} naming {@code node} (null: a worker of this machine)}
     */
    WorkerLostException lost(WorkerEnd end, WorkerEnd.NodeLoss loss, String task, String hint, String node) {
        return loss != null
                ? new NodeLostException(
                        id, end.pid(), task, loss.node(), loss.detection(), loss.mayStillRun(), loss.endedByNode())
                : new WorkerLostException(
                        id,
                        end.pid(),
                        end.exitCode(),
                        end.signal(),
                        task,
                        hint,
                        end.outputTail(),
                        end.crashLog(),
                        node);
    }

    // ---------------------------------------------------------------- queries (lock held)

    /** {@return its slots: how many tasks it runs at once; 0 while STARTING} */
    int slots() {
        Worker w = worker;
        return w == null ? 0 : w.slots();
    }

    /** {@return its worker's {@link Worker#prefetchFactor()}, or 1 before it started} */
    int prefetchFactor() {
        Worker w = worker;
        return w == null ? 1 : w.prefetchFactor();
    }

    /** {@return whether it accepted its task budget: the pool's {@code maxTasksPerWorker} (0: none) or its own} */
    boolean spentLocked(long poolBudget) {
        assert lock.isHeldByCurrentThread();
        long own = worker.retireAfter();
        return (poolBudget > 0 && tasksAccepted >= poolBudget) || (own > 0 && tasksAccepted >= own);
    }

    State stateLocked() {
        assert lock.isHeldByCurrentThread();
        return state;
    }

    /** {@return whether it takes new tasks} */
    boolean acceptsLocked() {
        assert lock.isHeldByCurrentThread();
        return state == State.READY;
    }

    /** {@return whether it is alive and not condemned: READY or RETIRING without a planned death} */
    boolean servingLocked() {
        assert lock.isHeldByCurrentThread();
        return (state == State.READY || state == State.RETIRING) && plannedDeath == null;
    }

    String plannedDeathLocked() {
        assert lock.isHeldByCurrentThread();
        return plannedDeath;
    }

    /** {@return the tasks it answered since it started} */
    long completedLocked() {
        assert lock.isHeldByCurrentThread();
        return completed;
    }

    long tasksAcceptedLocked() {
        assert lock.isHeldByCurrentThread();
        return tasksAccepted;
    }

    boolean replacedLocked() {
        assert lock.isHeldByCurrentThread();
        return replaced;
    }

    /** Records that a replacement was started. */
    void markReplacedLocked() {
        assert lock.isHeldByCurrentThread();
        replaced = true;
    }

    // ---------------------------------------------------------------- the window (lock held)

    /** {@return the tasks sent and not yet answered, oldest first} */
    ArrayDeque<ProcessFuture<?>> sentLocked() {
        assert lock.isHeldByCurrentThread();
        return sent;
    }

    /**
     * Sends {@code f}: appends it to the window and buffers its frame, in that order under the lock,
     * so the window's order is the wire order.
     *
     * @return whether it is among the running tasks
     */
    boolean sendLocked(ProcessFuture<?> f) {
        assert lock.isHeldByCurrentThread();
        sent.add(f);
        tasksAccepted++;
        worker.send(f.id, f.bytes(), f.stateless);
        return sent.size() <= worker.slots();
    }

    /** Removes the answered task {@code taskId}; returns it and its position in {@code position[0]}, or null. */
    ProcessFuture<?> answeredLocked(long taskId, int[] position) {
        assert lock.isHeldByCurrentThread();
        int i = 0;
        for (Iterator<ProcessFuture<?>> it = sent.iterator(); it.hasNext(); i++) {
            ProcessFuture<?> s = it.next();
            if (s.id == taskId) {
                it.remove();
                completed++;
                position[0] = i;
                return s;
            }
        }
        return null;
    }

    /** Empties the window, returning what it held, oldest first. */
    List<ProcessFuture<?>> drainLocked() {
        assert lock.isHeldByCurrentThread();
        List<ProcessFuture<?>> all = List.copyOf(sent);
        sent.clear();
        return all;
    }

    /** {@return whether {@code f} is among the tasks this worker is running now} */
    boolean isRunningLocked(ProcessFuture<?> f) {
        assert lock.isHeldByCurrentThread();
        int i = 0;
        int slots = worker.slots();
        for (ProcessFuture<?> s : sent) {
            if (i++ >= slots) {
                return false;
            }
            if (s == f) {
                return true;
            }
        }
        return false;
    }

    /** {@return the task that became running when the one at a running position was answered, or null} */
    ProcessFuture<?> newlyRunningLocked() {
        assert lock.isHeldByCurrentThread();
        int slots = worker.slots();
        if (sent.size() < slots) {
            return null;
        }
        int j = 0;
        for (ProcessFuture<?> s : sent) {
            if (++j == slots) {
                return s;
            }
        }
        return null;
    }

    void markDirtyLocked() {
        assert lock.isHeldByCurrentThread();
        dirty = true;
    }

    /**
     * {@return the workers to flush now, given those a reply of this worker made frames for} They
     * include this worker if frames wait for the next reply's thread ({@link #markDirtyLocked}). While
     * {@code more} replies of this worker's burst follow, this worker's own frames wait: the burst's
     * last reply, or the worker's end ({@code more} false once it is {@code DEAD}), flushes them.
     * Other workers' frames go at once, so that a burst cut short (a frame half read when its
     * worker froze) holds up no other worker.
     */
    List<WorkerWindow> burstLocked(List<WorkerWindow> toFlush, boolean more) {
        assert lock.isHeldByCurrentThread();
        boolean alive = state != State.DEAD;
        boolean listed = toFlush.contains(this);
        boolean mine = takeDirtyLocked() | listed | burstPending;
        burstPending = more && alive && mine;
        if (listed && (burstPending || !alive)) { // its frames wait, or it takes none
            return toFlush.size() == 1
                    ? List.of()
                    : toFlush.stream().filter(w -> w != this).toList();
        }
        if (mine && alive && !listed && !burstPending) {
            List<WorkerWindow> all = new ArrayList<>(toFlush);
            all.add(this);
            return all;
        }
        return toFlush;
    }

    /** {@return whether frames wait for a flush, and clears the mark} */
    private boolean takeDirtyLocked() {
        assert lock.isHeldByCurrentThread();
        boolean d = dirty;
        dirty = false;
        return d;
    }

    // ---------------------------------------------------------------- WorkerListener

    // Each event is guarded: whatever the pool throws fails the pool and every future, this
    // window's included, instead of leaving one incomplete (see ProcessTaskPool#onInternalError).

    @Override
    public void result(long taskId, byte[] value) {
        result(taskId, value, false);
    }

    @Override
    public void failed(long taskId, byte[] throwable) {
        failed(taskId, throwable, false);
    }

    @Override
    public void copyFailed(long taskId, byte boundary, byte[] throwable) {
        copyFailed(taskId, boundary, throwable, false);
    }

    @Override
    public void result(long taskId, byte[] value, boolean more) {
        guarded(() -> pool.onReply(this, taskId, more, f -> pool.decoder().result(f, value)));
    }

    @Override
    public void failed(long taskId, byte[] throwable, boolean more) {
        guarded(() -> pool.onReply(this, taskId, more, f -> pool.decoder().failed(f, throwable)));
    }

    @Override
    public void copyFailed(long taskId, byte boundary, byte[] throwable, boolean more) {
        guarded(() -> pool.onReply(this, taskId, more, f -> pool.decoder().copyFailed(f, id, boundary, throwable)));
    }

    @Override
    public void ended(WorkerEnd end) {
        List<ProcessFuture<?>> held;
        lock.lock();
        try {
            held = List.copyOf(sent); // for the catch-all below
        } finally {
            lock.unlock();
        }
        try {
            pool.onWorkerEnd(this, end);
        } catch (RuntimeException | Error e) {
            pool.onInternalError(e, held);
        }
    }

    private void guarded(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException | Error e) {
            pool.onInternalError(e, List.of());
        }
    }

    @Override
    public String toString() {
        Worker w = worker;
        return w != null ? w.toString() : "worker " + id + " (starting)";
    }
}
