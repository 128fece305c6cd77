package dev.tandem.lab;

import dev.tandem.Task;
import java.io.Serial;

/**
 * The work the scaling experiment runs: a CPU-bound kernel (xorshift iterations: no memory traffic,
 * no allocation, nothing the JIT can remove since the result is returned) and an IO-bound stand-in
 * (a blocking wait, as for a remote call). The Python script {@code scaling.py} runs the same kernel.
 */
final class Workloads {
    private Workloads() {}

    static long spin(long iterations) {
        long x = 88172645463325252L;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** {@return the iterations of {@link #spin} that take about {@code millis} here, after warming up the JIT} */
    static long calibrate(double millis) {
        long n = 100_000;
        for (int i = 0; i < 20; i++) {
            spin(n); // let the JIT compile the loop
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            long sink = spin(4_000_000);
            double dt = System.nanoTime() - t0;
            if (sink == 42) {
                dt += 1; // keep the result alive
            }
            best = Math.min(best, dt / 4_000_000);
        }
        return Math.max(1, (long) (millis * 1e6 / best));
    }

    /** A CPU-bound task. */
    record Cpu(long iterations) implements Task<Long> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() {
            return spin(iterations);
        }
    }

    /** An IO-bound task: blocks for {@code millis} without using a CPU. */
    record Io(long millis) implements Task<Long> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() throws InterruptedException {
            Thread.sleep(millis);
            return millis;
        }
    }
}
