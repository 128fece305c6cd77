package dev.tandem;

import java.util.ArrayList;
import java.util.List;
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
 * <p>Thread-safe. Memory effects: the completion of the future happens-before each action runs.
 */
abstract class NotifyingFutureTask<T> extends FutureTask<T> {
    /** Guarded by this; null once the actions ran. */
    private List<Runnable> actions = new ArrayList<>(1);

    /** Whether this runs a batch of a {@code map}, not a task the caller submitted. */
    private final boolean mapBatch;

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
        synchronized (this) {
            if (actions != null) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }

    @Override
    protected void done() {
        List<Runnable> toRun;
        synchronized (this) {
            toRun = actions;
            actions = null;
        }
        if (toRun == null) {
            return;
        }
        for (Runnable action : toRun) {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }
}
