package dev.tandem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine of {@link Mode#THREADS} and {@link Mode#VIRTUAL_THREADS}: a JDK executor
 * ({@link ThreadPoolExecutor} with {@code n} platform threads, or a thread-per-task executor of
 * virtual threads) behind the {@link TaskPool} contract.
 *
 * <h2>Implementation overview</h2>
 * Every submission is wrapped in a {@link TimedTask}, a {@link NotifyingFutureTask} that knows its runner
 * thread, and reports its queueing, start and completion to the pool's {@link PoolEvents} (a few
 * counters; JFR events only while a recording wants them). Without a task timeout that wrapper is
 * the only cost over the raw executor. With one, the
 * task arms a deadline on the shared {@link Deadlines} timer when it starts; at the deadline the
 * future is failed with {@link TaskTimeoutException} <em>first</em> and the runner interrupted
 * second, so {@code get()} returns at the deadline even if the task ignores the interrupt. A thread
 * cannot be killed, so such a task keeps its thread until it returns; use a process pool when that
 * matters.
 *
 * <h2>Lifecycle</h2>
 * Exactly the delegate executor's: {@code RUNNING -> SHUTDOWN (shutdown) -> TERMINATED} or
 * {@code RUNNING -> STOP (shutdownNow) -> TERMINATED}.
 *
 * <h2>Concurrency</h2>
 * Stateless apart from the delegate and the event sink; every method is thread-safe.
 */
final class ThreadTaskPool extends AbstractTaskPool {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final ExecutorService delegate;
    private final ThreadLocal<Boolean> initialized = new ThreadLocal<>();
    /** Set once by {@link #shutdownNow()}: the running tasks were interrupted. */
    private volatile boolean stoppedNow;

    ThreadTaskPool(PoolOptions options) {
        super(options);
        int poolId = POOL_IDS.incrementAndGet();
        if (options.mode() == Mode.VIRTUAL_THREADS) {
            ThreadFactory factory =
                    Thread.ofVirtual().name("tandem-" + poolId + "-virtual-", 0).factory();
            this.delegate = Executors.newThreadPerTaskExecutor(factory);
        } else {
            ThreadFactory factory =
                    Thread.ofPlatform().name("tandem-" + poolId + "-thread-", 0).factory();
            int n = options.workers();
            this.delegate =
                    new ThreadPoolExecutor(n, n, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
        }
    }

    @Override
    protected <T> NotifyingFutureTask<T> newTaskFor(Callable<T> callable) {
        return new TimedTask<>(callable, callable, false);
    }

    @Override
    protected <T> NotifyingFutureTask<T> newTaskFor(Runnable runnable, T value) {
        return new TimedTask<>(Executors.callable(runnable, value), runnable, false);
    }

    /**
     * Runs a task of {@code submit}, or a plain {@code Runnable}, whose exception then goes to the
     * running thread's uncaught-exception handler, as with the JDK's executors.
     */
    @Override
    public void execute(Runnable command) {
        TimedTask<?> task = command instanceof TimedTask<?> t
                ? t
                : new TimedTask<>(Executors.callable(command, null), command, true);
        task.queued();
        try {
            delegate.execute(task);
        } catch (RejectedExecutionException e) {
            task.rejected();
            // The JDK's message names the internal task and prints it (a map's batch: its inputs).
            if (!delegate.isShutdown()) {
                throw e;
            }
            throw RunState.refusal(delegate.isTerminated() ? "terminated" : "shut down");
        }
    }

    @Override
    public List<Long> workerPids() {
        return List.of();
    }

    @Override
    public PoolStats stats() {
        return delegate instanceof ThreadPoolExecutor threads
                ? events.threadStats(threads.getPoolSize(), threads.getQueue().size(), threads.getActiveCount())
                : events.threadStats(0, 0, -1);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        stoppedNow = true; // before the interrupts: a map that sees a task fail of one knows why
        return cancelMapBatches(delegate.shutdownNow());
    }

    @Override
    RejectedExecutionException cutShort() {
        return stoppedNow ? new RejectedExecutionException("the pool was stopped (shutdownNow)") : null;
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "TaskPool[" + options.mode() + (options.mode() == Mode.THREADS ? " x" + options.workers() : "") + ", "
                + delegate + "]";
    }

    /** A future that runs the worker initializer once per thread and enforces the task timeout. */
    private final class TimedTask<T> extends NotifyingFutureTask<T> {
        private static final VarHandle TASK_ID;

        static {
            try {
                TASK_ID = MethodHandles.lookup().findVarHandle(TimedTask.class, "id", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The user's task, for messages. */
        private final Object userTask;
        /** Whether a failure goes to the uncaught-exception handler (a Runnable given to execute). */
        private final boolean reportsUncaught;

        /**
         * Its id in the pool's JFR events: 0 until an event first needs one (most tasks never do, and an
         * id costs an atomic increment on the submitter's path; measured, the saving is within noise).
         */
        private volatile long id;

        private volatile boolean timedOut;
        /*
         * Written by the submitting thread before the executor takes the task, so the queue's hand-off
         * publishes them to the pool thread, and whatever handed the future to a canceller publishes
         * them to it: plain fields, as a volatile write costs an empty task measurably.
         */
        /** Whether the pool accepted it, and so counted it; see {@link PoolEvents}. */
        private boolean counted;
        /** When it was queued ({@link System#nanoTime()}), or 0 if it was not timed; see {@link PoolEvents}. */
        private long queuedNanos;
        /** When a pool thread took it, or 0 (also when no recording wanted the time then). */
        private volatile long startedNanos;

        TimedTask(Callable<T> callable, Object userTask, boolean reportsUncaught) {
            super(callable);
            this.userTask = userTask;
            this.reportsUncaught = reportsUncaught;
        }

        void queued() {
            counted = true;
            if (events.timesTasks()) {
                queuedNanos = System.nanoTime();
            }
            events.taskQueued(eventId(), userTask);
        }

        /** {@return its id for the JFR events, given now if a recording wants task events, else 0} */
        private long eventId() {
            if (!events.tracesTasks()) {
                return 0;
            }
            long given = id;
            if (given == 0) {
                long fresh = events.newTaskId();
                given = TASK_ID.compareAndSet(this, 0L, fresh) ? fresh : id;
            }
            return given;
        }

        void rejected() {
            counted = false;
            events.taskRejected();
        }

        /** Spins briefly before blocking, see {@link SpinWait}. */
        @Override
        public T get() throws InterruptedException, ExecutionException {
            SpinWait.briefly(this);
            return super.get();
        }

        @Override
        public void run() {
            if (isDone()) {
                return;
            }
            if (queuedNanos != 0 && events.recordsStarts()) {
                long now = System.nanoTime();
                startedNanos = now;
                events.taskStarted(eventId(), userTask, 0, 1, queuedNanos, now);
            }
            try {
                runTimed();
            } finally {
                if (reportsUncaught && state() == State.FAILED) {
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, exceptionNow());
                }
            }
        }

        private void runTimed() {
            if (options.initializer() != null && initialized.get() == null) {
                try {
                    options.initializer().initialize();
                    initialized.set(Boolean.TRUE);
                } catch (Exception | Error e) {
                    setException(new IllegalStateException(
                            "worker initializer failed on "
                                    + Thread.currentThread().getName() + ": " + e,
                            e));
                    return;
                }
            }
            if (options.taskTimeout() == null) {
                super.run();
                return;
            }
            Thread runner = Thread.currentThread();
            ScheduledFuture<?> deadline = Deadlines.schedule(
                    () -> {
                        if (setTimedOut()) {
                            runner.interrupt();
                        }
                    },
                    options.taskTimeout().toNanos());
            try {
                super.run();
            } finally {
                deadline.cancel(false);
                // An interrupt aimed at this task must not leak into the next one on this thread.
                if (isTimedOut()) {
                    Thread.interrupted();
                }
            }
        }

        @Override
        protected void done() {
            events.taskFinished(eventId(), userTask, this, 0, counted, queuedNanos, startedNanos);
            super.done();
        }

        private boolean setTimedOut() {
            if (isDone()) {
                return false;
            }
            timedOut = true;
            setException(new TaskTimeoutException(
                    describe(userTask),
                    options.taskTimeout(),
                    "its thread was interrupted (a thread cannot be killed: a task that ignores"
                            + " interrupts keeps running; use a process pool to stop it for real)"));
            return true;
        }

        private boolean isTimedOut() {
            return timedOut;
        }
    }

    static String describe(Object task) {
        return "task " + task.getClass().getName();
    }
}
