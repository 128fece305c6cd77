package dev.tandem;

import java.util.concurrent.Future;

/**
 * Spins briefly before a thread blocks on a future, when there is a CPU to spare: a result that
 * arrives within {@link #SPIN_NANOS} then costs no wake-up of the waiting thread, which on a VM is
 * the largest part of a round trip (about 20 µs to wake a thread sleeping on another CPU). With one
 * CPU, spinning would only delay the thread that produces the result, so it never spins there.
 */
final class SpinWait {
    static final long SPIN_NANOS = 50_000;
    private static final boolean SPIN = Runtime.getRuntime().availableProcessors() > 1;

    private SpinWait() {}

    /** {@return how long a waiting thread spins before it blocks: 0 with one CPU} */
    static long spinNanos() {
        return SPIN ? SPIN_NANOS : 0;
    }

    static void briefly(Future<?> f) {
        if (SPIN && !f.isDone()) {
            long end = System.nanoTime() + SPIN_NANOS;
            while (!f.isDone() && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
    }
}
