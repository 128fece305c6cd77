package dev.tandem.lab;

import dev.tandem.Task;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The faults the isolation experiment injects into one task. Each {@link #task(long)} is a
 * serializable {@link Task}, so the same fault runs unchanged in a thread pool and in a worker JVM.
 */
enum Fault {
    EXCEPTION("exception", "throws an unchecked exception", true),
    EXIT("System.exit", "calls System.exit(42)", false),
    OOM("OutOfMemoryError", "allocates 1 MiB arrays until the heap is exhausted", true),
    STACK_OVERFLOW("stack overflow", "recurses without end", true),
    NATIVE_CRASH("native crash", "reads address 0 through the FFM API (SIGSEGV)", false),
    INFINITE_LOOP("infinite loop", "spins forever and ignores interrupts (task timeout set)", false),
    DEADLOCK("deadlock", "takes two locks in the opposite order of a helper thread (task timeout set)", false);

    final String label;
    final String description;
    /**
     * Whether a thread-mode drill of this fault leaves its JVM as it found it (nothing stuck, nothing
     * dead), so that drills of several such faults can share one child JVM.
     */
    final boolean leavesJvmClean;

    Fault(String label, String description, boolean leavesJvmClean) {
        this.label = label;
        this.description = description;
        this.leavesJvmClean = leavesJvmClean;
    }

    /** {@return true if the fault hangs, so that only a task timeout ends it} */
    boolean hangs() {
        return this == INFINITE_LOOP || this == DEADLOCK;
    }

    /**
     * {@return the faulty task}
     *
     * @param nonce makes each injection's serialized bytes unique, so that a process pool does not
     *        treat a repeat as the same poison task
     */
    Task<Object> task(long nonce) {
        return new Injection(this, nonce);
    }

    /** A task that injects one fault. */
    record Injection(Fault fault, long nonce) implements Task<Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object call() {
            return switch (fault) {
                case EXCEPTION -> throw new IllegalStateException("fault injected by the lab (" + nonce + ")");
                case EXIT -> {
                    System.exit(42);
                    yield null;
                }
                case OOM -> exhaustHeap();
                case STACK_OVERFLOW -> recurse(0);
                case NATIVE_CRASH -> readAddressZero();
                case INFINITE_LOOP -> spinForever();
                case DEADLOCK -> deadlock();
            };
        }

        private static Object exhaustHeap() {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 17]);
            }
        }

        private static int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }

        @SuppressWarnings("restricted") // the point: a native access that the JVM cannot turn into an exception
        private static Object readAddressZero() {
            return MemorySegment.NULL.reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
        }

        private static Object spinForever() {
            while (true) {
                Thread.onSpinWait();
            }
        }

        private static Object deadlock() {
            Object a = new Object();
            Object b = new Object();
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Thread helper = new Thread(
                    () -> {
                        synchronized (b) {
                            bothHoldOne.countDown();
                            awaitUninterruptibly(bothHoldOne);
                            synchronized (a) {
                                bothHoldOne.countDown();
                            }
                        }
                    },
                    "lab-deadlock-helper");
            helper.setDaemon(true);
            helper.start();
            synchronized (a) {
                bothHoldOne.countDown();
                awaitUninterruptibly(bothHoldOne);
                synchronized (b) { // blocks forever: monitors cannot be interrupted
                    return "unreachable";
                }
            }
        }

        private static void awaitUninterruptibly(CountDownLatch latch) {
            boolean interrupted = false;
            while (true) {
                try {
                    latch.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A bystander: a task of {@code millis} that returns its id; it should survive the fault. */
    record Nap(int id, long millis) implements Task<Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object call() throws InterruptedException {
            Thread.sleep(millis);
            return id;
        }
    }
}
