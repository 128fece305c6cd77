package dev.tandem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * A {@link FutureTask} that runs actions once it is done, whichever way it got there: a result, an
 * exception, a cancel, a timeout or the loss of a worker. The futures of both engines are of this
 * kind, so what is built on {@code submit} alone ({@link MapRun}, {@link TaskCompletion}) can wait
 * for many futures at once without a thread per future.
 *
 * <p>Each action runs exactly once: in the thread that completes the future (a pool thread, a
 * worker's reader thread, the deadline timer, a thread calling {@code cancel}), or at once in the
 * registering thread if the future is already done. Actions must therefore be short and must not
 * block; hand longer work to another thread. An action that throws does not stop the others.
 *
 * <p>Thread-safe, without a lock. Memory effects: the completion of the future happens-before each
 * action runs.
 */
abstract class NotifyingFutureTask<T> extends FutureTask<T> {
    /** What {@link #actions} holds once they ran. */
    private static final Object RAN = new Object();

    private static final VarHandle ACTIONS;

    static {
        try {
            ACTIONS = MethodHandles.lookup().findVarHandle(NotifyingFutureTask.class, "actions", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Whether this runs a batch of a {@code map}, not a task the caller submitted. */
    private final boolean mapBatch;

    /**
     * The actions: null (none yet, the common case: most futures get none, so none costs no
     * allocation and no lock), one {@link Runnable}, a {@code Runnable[]} of several in the order
     * registered, or {@link #RAN}. Changed only atomically: from null or a list to a longer list, or
     * to {@link #RAN} once, by whoever runs them (a future completed with none stays null).
     */
    @SuppressWarnings("unused") // through ACTIONS
    private volatile Object actions;

    NotifyingFutureTask(Callable<T> callable) {
        super(callable);
        this.mapBatch = callable instanceof MapBatch.Batch<?, ?>;
    }

    /** {@return whether this runs a batch of a {@code map}, not a task the caller submitted} */
    final boolean mapBatch() {
        return mapBatch;
    }

    /**
     * Runs {@code action} once this future is done.
     *
     * @param action what to run; must not block
     */
    final void whenDone(Runnable action) {
        while (true) {
            Object now = actions;
            if (now == RAN) {
                action.run();
                return;
            }
            Object more;
            if (now == null) {
                more = action;
            } else if (now instanceof Runnable one) {
                more = new Runnable[] {one, action};
            } else {
                Runnable[] some = (Runnable[]) now;
                Runnable[] longer = Arrays.copyOf(some, some.length + 1);
                longer[some.length] = action;
                more = longer;
            }
            if (ACTIONS.compareAndSet(this, now, more)) {
                if (isDone()) {
                    runActions(); // done() may have looked before this action was there
                }
                return;
            }
        }
    }

    /**
     * Runs the actions registered so far. Most futures have none, and then this costs one volatile
     * read, no atomic write: {@link #whenDone} looks at {@link #isDone()} after adding an action, and
     * the future's state was set before this ran, so of a {@code done()} that saw no action and a
     * {@code whenDone} that added one, the latter runs it (both claim the list with one
     * {@code getAndSet}, so an action runs once).
     */
    @Override
    protected void done() {
        if (actions != null) {
            runActions();
        }
    }

    private void runActions() {
        Object toRun = ACTIONS.getAndSet(this, RAN);
        if (toRun == null || toRun == RAN) {
            return;
        }
        if (toRun instanceof Runnable one) {
            runSafely(one);
        } else {
            for (Runnable action : (Runnable[]) toRun) {
                runSafely(action);
            }
        }
    }

    private static void runSafely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }
}
