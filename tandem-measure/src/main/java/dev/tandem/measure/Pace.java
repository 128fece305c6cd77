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

    /**
     * Every fixed time limit of the lab and the advisor that bounds a duration expected on a quiet
     * machine, in one list, with its quiet-machine value. A limit is used only through
     * {@link Pace#limit(Limit)}, which stretches it by the pace measured now, so that no bound assumes a
     * quiet machine. (Limits that are the measurement itself, a timed window, are not here.)
     */
    public enum Limit {
        /** A worker JVM's start until it greets its pool: {@code Tandem.Builder}'s default. */
        WORKER_START(Duration.ofSeconds(30)),
        /** A pool's termination after {@code shutdownNow}. */
        POOL_TERMINATION(Duration.ofSeconds(5)),
        /** A child process's exit once its work is done or it was killed. */
        PROCESS_EXIT(Duration.ofSeconds(10)),
        /** Two threads or processes that start together reaching their common start line. */
        RENDEZVOUS(Duration.ofSeconds(10)),
        /** One round trip of an empty task, or of a task whose length is known to be short. */
        ROUND_TRIP(Duration.ofSeconds(60)),
        /** A child JVM of the lab that runs one measurement of a few seconds. */
        CHILD_RUN(Duration.ofSeconds(90)),
        /** A peer that answers nothing for this long is gone (ping-pong round trips). */
        SILENCE(Duration.ofSeconds(20)),
        /** A node's start: its JVM, Hazelcast's join and the caller's client. */
        NODE_START(Duration.ofSeconds(30)),
        /** The advisor's wait for a trial's last results after its deadline. */
        TRIAL_GRACE(Duration.ofSeconds(2)),
        /** A small external command such as {@code python3 --version} or {@code stty size}. */
        COMMAND(Duration.ofSeconds(10)),
        /** A pool's recovery from a fault drill: a worker replaced and a task run on it. */
        RECOVERY(Duration.ofSeconds(15)),
        /** A helper thread's end, such as a sampler's timer after it was shut down. */
        THREAD_EXIT(Duration.ofSeconds(1)),
        /** A batch of tasks or one configuration of an experiment: seconds of work, minutes at most. */
        BATCH(Duration.ofMinutes(3)),
        /** The longest life of one of the lab's child JVMs, after which its watchdog halts it. */
        CHILD_LIFE(Duration.ofMinutes(4));

        private final Duration quiet;

        Limit(Duration quiet) {
            this.quiet = quiet;
        }

        /** {@return the limit on a quiet machine} */
        public Duration quiet() {
            return quiet;
        }
    }

    /** Something to wait for, up to a time in nanoseconds; true when it happened. */
    @FunctionalInterface
    public interface Wait {
        /**
         * Waits.
         *
         * @param nanos the longest wait
         * @return true if it happened in time
         * @throws InterruptedException if interrupted while waiting
         */
        boolean await(long nanos) throws InterruptedException;
    }

    /**
     * Waits for {@code w} up to {@code which} on a quiet machine; if it has not happened by then,
     * measures the pace and waits out the rest of the stretched limit. The usual case costs no
     * measurement.
     *
     * @return true if it happened within the stretched limit
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean await(Limit which, Wait w) throws InterruptedException {
        if (w.await(which.quiet().toNanos())) {
            return true;
        }
        long rest = measure().limit(which).toNanos() - which.quiet().toNanos();
        return rest > 0 && w.await(rest);
    }

    /** {@return {@code which} stretched by {@link #factor()}: the one way a fixed limit is applied} */
    public Duration limit(Limit which) {
        return scale(which.quiet());
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
