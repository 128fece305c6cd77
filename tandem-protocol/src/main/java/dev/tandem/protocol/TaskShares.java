package dev.tandem.protocol;

import dev.tandem.ipc.passing.ArrayPassing;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared arrays one payload brought in or sent out by reference ({@link SharedRef}).
 *
 * <ul>
 * <li>In a worker ({@link #inWorker()}): those attached while the task was read, and those its
 *     result handed over to the caller. The worker closes them when the task ends ({@link #close()}):
 *     a task may use them until it returns, not later.
 * <li>In the caller ({@link #inCaller()}): those a result brought that the caller did not have open,
 *     adopted ones included. They belong to the user once the result is delivered; if it is not (the
 *     future was done already, or the rest of the result could not be decoded), {@link #close()}
 *     unmaps them and deletes the adopted ones.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class TaskShares implements AutoCloseable {
    private final boolean inWorker;
    /** Guarded by this. */
    private final List<Object> lent = new ArrayList<>(0);
    /** Guarded by this. */
    private final List<Object> handedOver = new ArrayList<>(0);

    private TaskShares(boolean inWorker) {
        this.inWorker = inWorker;
    }

    /** {@return an empty set for one task in a worker} */
    public static TaskShares inWorker() {
        return new TaskShares(true);
    }

    /** {@return an empty set for one result in the caller} */
    public static TaskShares inCaller() {
        return new TaskShares(false);
    }

    /** {@return whether this is a worker's: arrays are lent to the task, and handed over in results} */
    boolean worker() {
        return inWorker;
    }

    synchronized void lent(Object array) {
        lent.add(array);
    }

    synchronized boolean isLent(Object array) {
        for (Object a : lent) {
            if (a == array) {
                return true;
            }
        }
        return false;
    }

    synchronized void handedOver(Object array) {
        handedOver.add(array);
    }

    /**
     * The result that handed arrays over was not sent: the worker owns them again, so that
     * {@link #close()} deletes them.
     */
    public void resultNotSent() {
        List<Object> back;
        synchronized (this) {
            back = List.copyOf(handedOver);
        }
        ArrayPassing.Access access = ArrayPassing.access();
        for (Object a : back) {
            access.takeBack(a);
        }
    }

    /**
     * Unmaps every array: in a worker, those the task received or handed over (none is deleted); in
     * the caller, those of a result that was not delivered (adopted ones are deleted). Idempotent.
     */
    @Override
    public void close() {
        List<Object> all;
        synchronized (this) {
            all = new ArrayList<>(lent);
            all.addAll(handedOver);
            lent.clear();
            handedOver.clear();
        }
        if (all.isEmpty()) {
            return;
        }
        ArrayPassing.Access access = ArrayPassing.access();
        for (Object a : all) {
            access.close(a);
        }
    }
}
