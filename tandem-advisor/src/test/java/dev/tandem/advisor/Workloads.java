package dev.tandem.advisor;

import dev.tandem.Task;
import dev.tandem.TaskFunction;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/** Workloads with a known right answer, as a user would write them. */
public final class Workloads {
    private Workloads() {}

    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** Pure-Java computation, about 2 ms a call, no allocation to speak of. */
    public static final class CpuBound implements Workload<Integer, Long> {
        /** Needed by the advisor. */
        public CpuBound() {}

        @Override
        public List<Integer> inputs(int count) {
            return range(count);
        }

        @Override
        public TaskFunction<Integer, Long> function() {
            return CpuBound::spin;
        }

        static long spin(int seed) {
            long x = seed + 1;
            for (int i = 0; i < 2_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 29;
            }
            return x;
        }
    }

    /** Waits as a remote call would, using almost no CPU. */
    abstract static class Waits implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        private final long millis;

        Waits(long millis) {
            this.millis = millis;
        }

        @Override
        public Integer call() throws InterruptedException {
            // CHECKSTYLE.OFF: noSleepInTests (a workload, not a wait)
            Thread.sleep(millis); // the workload's "remote call", not a test's wait
            // CHECKSTYLE.ON: noSleepInTests
            return 1;
        }
    }

    /** Waits 20 ms as a remote call would. */
    public static final class BlockingIo extends Waits {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public BlockingIo() {
            super(20);
        }
    }

    /** Waits 250 ms as a slow remote call would: longer than a short duel's rounds. */
    public static final class SlowCall extends Waits {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public SlowCall() {
            super(250);
        }
    }

    /** Ends its JVM on every fifth input, as legacy code calling System.exit on bad data does. */
    public static final class Exiting implements Workload<Integer, Integer> {
        /** Needed by the advisor. */
        public Exiting() {}

        @Override
        public List<Integer> inputs(int count) {
            return range(count);
        }

        @Override
        public TaskFunction<Integer, Integer> function() {
            return i -> {
                if (i % 5 == 3) {
                    System.exit(3);
                }
                return (int) CpuBound.spin(i) & 0xff;
            };
        }
    }

    /** Ends its JVM on every call: no call ever returns, in any JVM. */
    public static final class ExitsEveryCall implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public ExitsEveryCall() {}

        @Override
        public Integer call() {
            System.exit(7);
            return 0;
        }
    }

    /** Takes about 1 ms a call, throws on every 7th and ends its JVM on its 1,000th: after the probe's 256 detailed calls. */
    public static final class ExitsLate implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        private static final AtomicInteger CALLS = new AtomicInteger();

        /** Needed by the advisor. */
        public ExitsLate() {}

        @Override
        public Integer call() {
            int n = CALLS.incrementAndGet();
            LockSupport.parkNanos(1_000_000);
            if (n == 1_000) {
                System.exit(3);
            }
            if (n % 7 == 0) {
                throw new IllegalStateException("call " + n);
            }
            return n;
        }
    }

    /** Takes about 1 ms a call and never returns from its 600th: after the probe's 256 detailed calls. */
    public static final class HangsLate implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        private static final AtomicInteger CALLS = new AtomicInteger();

        /** Needed by the advisor. */
        public HangsLate() {}

        @Override
        public Integer call() throws InterruptedException {
            int n = CALLS.incrementAndGet();
            if (n == 600) {
                new CountDownLatch(1).await(); // never counted down
            }
            LockSupport.parkNanos(1_000_000);
            return n;
        }
    }

    /** Keeps 1 MiB per call in a static list that is never cleared. */
    public static final class Leaky implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        private static final List<byte[]> KEPT = new ArrayList<>();

        /** Needed by the advisor. */
        public Leaky() {}

        @Override
        public Integer call() {
            synchronized (KEPT) {
                KEPT.add(new byte[1 << 20]);
                return KEPT.size();
            }
        }
    }

    /** Deterministic alone, but all calls share one scratch array: a data race under threads. */
    public static final class Racy implements Workload<Integer, Long> {
        private static final long[] SCRATCH = new long[4096];

        /** Needed by the advisor. */
        public Racy() {}

        @Override
        public List<Integer> inputs(int count) {
            return range(count);
        }

        @Override
        public TaskFunction<Integer, Long> function() {
            return Racy::checksum;
        }

        static long checksum(int input) {
            for (int k = 0; k < SCRATCH.length; k++) {
                SCRATCH[k] = input * 31L + k;
            }
            long sum = 0;
            for (int round = 0; round < 1000; round++) {
                for (int k = 0; k < SCRATCH.length; k++) {
                    sum += SCRATCH[k] ^ round;
                }
            }
            return sum;
        }
    }

    /**
     * Never returns for one input in fifty (the fourth call among them), as a call stuck on a lost lock does, and
     * ignores interrupts; every other call spins a little and returns.
     */
    public static final class HangsSometimes implements Workload<Integer, Integer> {
        /** Needed by the advisor. */
        public HangsSometimes() {}

        @Override
        public List<Integer> inputs(int count) {
            return range(count);
        }

        @Override
        public TaskFunction<Integer, Integer> function() {
            return i -> i % 50 == 3 ? new Hangs().call() : (int) CpuBound.spin(i) & 0xff;
        }
    }

    /** Spins forever and ignores interrupts: only killing its JVM stops it. */
    public static final class Hangs implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public Hangs() {}

        @Override
        @SuppressWarnings("InfiniteLoopStatement")
        public Integer call() {
            long x = 0;
            while (x >= 0) {
                x = (x + 1) & 0xffff;
                Thread.onSpinWait();
            }
            return (int) x;
        }
    }

    /** Spins for 4 s and ignores interrupts: a call that outlives a short phase and its grace, then ends. */
    public static final class SpinsFourSeconds implements Task<Integer> {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public SpinsFourSeconds() {}

        @Override
        public Integer call() {
            long end = System.nanoTime() + 4_000_000_000L;
            long x = 0;
            while (System.nanoTime() < end) {
                x = (x + 1) & 0xffff;
                Thread.onSpinWait();
            }
            return (int) x;
        }
    }

    /** Far shorter than any hand-off. */
    public static final class Tiny implements Workload<Integer, Integer> {
        /** Needed by the advisor. */
        public Tiny() {}

        @Override
        public List<Integer> inputs(int count) {
            return range(count);
        }

        @Override
        public TaskFunction<Integer, Integer> function() {
            return i -> i * 31 + 7;
        }
    }

    /** Fails on every call. */
    public static final class AlwaysThrows implements Task<Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Needed by the advisor. */
        public AlwaysThrows() {}

        @Override
        public Object call() {
            throw new IllegalStateException("database unreachable");
        }
    }

    /** Has a run method, but is no task. */
    public static final class NotATask {
        /** Public, so that only the type is wrong. */
        public NotATask() {}

        /** Looks like work. */
        public void run() {}
    }
}
