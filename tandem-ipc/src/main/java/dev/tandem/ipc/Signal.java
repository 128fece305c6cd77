package dev.tandem.ipc;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An event count over two 32-bit words of a shared segment: a sequence that every {@link #signal()}
 * increments, and the number of threads (of any process) asleep on it. Waiters spin for about 10 µs
 * (when more than one CPU is available), then sleep on the sequence word with {@link Futex}.
 *
 * <h2>Why no wake-up is lost</h2>
 * A waiter increments {@code waiters}, reads {@code sequence}, re-checks its condition and only then
 * sleeps, and the futex sleeps only while the word still equals what it read. A signaller first
 * publishes its change, then increments {@code sequence}, then reads {@code waiters}. All four
 * accesses are volatile (sequentially consistent), so either the signaller sees the waiter and wakes
 * it, or the waiter's re-check sees the change; if the sequence moved in between, the futex returns at
 * once. The only cost of a signal nobody waits for is one atomic add and one read.
 *
 * <h2>Bounded waits</h2>
 * Every sleep lasts at most {@link #SLICE_NANOS}. Between slices the waiter checks the deadline, its
 * interrupt status and runs a caller-supplied check (peer liveness, recovery of a dead holder), so a
 * dead peer is noticed within about one slice and nothing sleeps forever.
 */
final class Signal {
    /** The longest single sleep: also the period of liveness checks while blocked. */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * How long a waiter spins before it sleeps: 10 µs, or none when this JVM may use only one CPU (as
     * under {@code taskset -c 0}), where spinning would only delay the peer it waits for. Spinning
     * pays when the peer answers within microseconds on another CPU (then a hand-off costs about a
     * microsecond instead of a futex wake-up, which on a virtual machine costs tens of microseconds
     * when it must wake an idle CPU). Yielding between checks was tried and dropped: on a loaded
     * machine {@code sched_yield} hands the CPU to unrelated work for a whole time slice.
     */
    static final long SPIN_NANOS =
            Runtime.getRuntime().availableProcessors() > 1 ? TimeUnit.MICROSECONDS.toNanos(10) : 0;

    /** The longest timeout honoured; longer ones are cut to it (and so never overflow). */
    private static final long MAX_TIMEOUT_NANOS = TimeUnit.DAYS.toNanos(365);

    private final MemorySegment segment;
    private final long sequenceOffset;
    private final long waitersOffset;
    private final long sequenceAddress;

    /** A check run between sleeps; it may throw to end the wait. */
    @FunctionalInterface
    interface SliceCheck<X extends Exception> {
        void run() throws X;
    }

    Signal(MemorySegment segment, long sequenceOffset, long waitersOffset) {
        this.segment = segment;
        this.sequenceOffset = sequenceOffset;
        this.waitersOffset = waitersOffset;
        this.sequenceAddress = segment.address() + sequenceOffset;
    }

    /** {@return the {@link System#nanoTime()} deadline of {@code timeout} from now; negative means now} */
    static long deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos = timeout.isNegative()
                ? 0
                : timeout.compareTo(Duration.ofNanos(MAX_TIMEOUT_NANOS)) > 0 ? MAX_TIMEOUT_NANOS : timeout.toNanos();
        return System.nanoTime() + nanos;
    }

    /** Wakes every waiter in every process, after the caller published its change. */
    void signal() {
        Atomics.getAndAddInt(segment, sequenceOffset, 1);
        if (Atomics.getIntVolatile(segment, waitersOffset) > 0) {
            Futex.wakeAll(sequenceAddress);
        }
    }

    /** Wakes every waiter unconditionally (used on close, when the local object goes away). */
    void wakeAll() {
        Atomics.getAndAddInt(segment, sequenceOffset, 1);
        Futex.wakeAll(sequenceAddress);
    }

    /**
     * Waits until {@code ready} holds or {@code deadline} passes.
     *
     * @param ready the condition; evaluated often, must be cheap and side-effect free, or an
     *        attempt that is safe to repeat (such as a CAS that claims something)
     * @param deadline a {@link System#nanoTime()} deadline
     * @param check run about every {@link #SLICE_NANOS} while blocked
     * @return whether {@code ready} held
     * @throws InterruptedException if the thread is interrupted while waiting; its status is cleared
     * @throws X if {@code check} throws
     */
    <X extends Exception> boolean await(BooleanSupplier ready, long deadline, SliceCheck<X> check)
            throws InterruptedException, X {
        if (ready.getAsBoolean()) {
            return true;
        }
        long start = System.nanoTime();
        while (SPIN_NANOS > 0) {
            Thread.onSpinWait();
            if (ready.getAsBoolean()) {
                return true;
            }
            long now = System.nanoTime();
            if (now - start >= SPIN_NANOS || now - deadline >= 0) {
                break;
            }
        }
        long lastCheck = System.nanoTime();
        int attempt = 0;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long now = System.nanoTime();
            long remaining = deadline - now;
            if (remaining <= 0) {
                return ready.getAsBoolean();
            }
            if (now - lastCheck >= SLICE_NANOS) {
                lastCheck = now;
                check.run();
            }
            Atomics.getAndAddInt(segment, waitersOffset, 1);
            try {
                int sequence = Atomics.getIntVolatile(segment, sequenceOffset);
                if (ready.getAsBoolean()) {
                    return true;
                }
                long untilCheck = SLICE_NANOS - (now - lastCheck);
                Futex.await(sequenceAddress, sequence, Math.max(1, Math.min(remaining, untilCheck)), attempt++);
            } finally {
                Atomics.getAndAddInt(segment, waitersOffset, -1);
            }
            if (ready.getAsBoolean()) {
                return true;
            }
        }
    }
}
