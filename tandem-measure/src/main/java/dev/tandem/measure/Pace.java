package dev.tandem.measure;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * How fast this machine runs our code right now: the share of one CPU that a thread gets when it
 * wants one, measured by spinning for {@link #WINDOW} and comparing the thread's CPU time with the
 * wall time. On a quiet machine the share is about 1; when other programs compete for the CPUs it
 * drops, and every time limit that assumes a quiet machine must stretch by {@link #factor()}.
 *
 * <p>Time limits that bound an expected duration (a task timeout above a task's known length, the
 * deadline of a child JVM) are {@link #scale scaled}; limits that are the measurement itself (a
 * timed window) are not. Immutable.
 *
 * @param cpuShare the share of a CPU the measuring thread got, 0 to 1
 */
public record Pace(double cpuShare) {
    /** How long a measurement spins. */
    public static final Duration WINDOW = Duration.ofMillis(40);
    /** The largest stretch applied to a time limit. */
    public static final double MAX_FACTOR = 16;

    /** A pace for machines that cannot measure thread CPU time: no stretch. */
    public static final Pace QUIET = new Pace(1);

    /** {@return the pace now, measured on the calling thread (spins for about {@link #WINDOW})} */
    public static Pace measure() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            return QUIET;
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + WINDOW.toNanos();
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
        }
        long wall = System.nanoTime() - t0;
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        if (x == 42 || cpu < 0 || wall <= 0) {
            return QUIET; // x is never 42; reading it keeps the loop alive
        }
        return new Pace(Math.clamp(cpu / (double) wall, 0.0, 1.0));
    }

    /** {@return how much longer than on a quiet machine things take now: 1 to {@link #MAX_FACTOR}} */
    public double factor() {
        return cpuShare <= 1 / MAX_FACTOR ? MAX_FACTOR : Math.clamp(1 / cpuShare, 1.0, MAX_FACTOR);
    }

    /** {@return {@code limit} stretched by {@link #factor()}} */
    public Duration scale(Duration limit) {
        return Duration.ofNanos((long) (limit.toNanos() * factor()));
    }

    /** {@return {@code millis} stretched by {@link #factor()}} */
    public long scaleMillis(long millis) {
        return (long) Math.ceil(millis * factor());
    }

    /** {@return {@code nanos} stretched by {@link #factor()}} */
    public long scaleNanos(long nanos) {
        return (long) Math.min(Long.MAX_VALUE / 2.0, nanos * factor());
    }
}
