package dev.tandem.protocol;

import dev.tandem.ipc.passing.ArrayPassing;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared arrays one task brought into a worker or sent out of it by reference ({@link SharedRef}):
 * those attached while its payload was read, and those its result handed over to the caller. The
 * worker closes them when the task ends ({@link #close()}): a task may use them until it returns,
 * not later. Thread-safe.
 */
public final class TaskShares implements AutoCloseable {
    /** Guarded by this. */
    private final List<Object> lent = new ArrayList<>(0);
    /** Guarded by this. */
    private final List<Object> handedOver = new ArrayList<>(0);

    /** Makes an empty set, for one task. */
    public TaskShares() {}

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

    /** Unmaps every array the task received or handed over; none is deleted here. Idempotent. */
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
