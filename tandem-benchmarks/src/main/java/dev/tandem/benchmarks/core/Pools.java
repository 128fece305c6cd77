package dev.tandem.benchmarks.core;

import dev.tandem.Tandem;
import dev.tandem.Transport;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;

/** The executors the core benchmarks compare: Tandem's four modes and the raw JDK baselines. */
final class Pools {
    private Pools() {}

    /**
     * @param name one of {@code jdk-threadpool}, {@code jdk-threadpool-timed} (the same, monitored by
     *        Micrometer's {@code ExecutorServiceMetrics}, which times every task as Tandem's statistics
     *        do), {@code jdk-forkjoin}, {@code jdk-virtual},
     *        {@code threads}, {@code virtual}, {@code processes} (over the socket),
     *        {@code processes-shm} (the shared-memory transport), {@code hybrid} (over the socket).
     *        The transports are named, not left to the default, which depends on the JVM's flags
     * @param workers threads or processes
     * @return a started executor
     */
    static ExecutorService start(String name, int workers) {
        return switch (name) {
            case "jdk-threadpool" -> Executors.newFixedThreadPool(workers);
            case "jdk-threadpool-timed" ->
                ExecutorServiceMetrics.monitor(
                        new SimpleMeterRegistry(), Executors.newFixedThreadPool(workers), "baseline");
            case "jdk-forkjoin" -> new ForkJoinPool(workers);
            case "jdk-virtual" -> Executors.newVirtualThreadPerTaskExecutor();
            case "threads" -> Tandem.threads(workers).start();
            case "virtual" -> Tandem.virtualThreads().start();
            case "processes" ->
                Tandem.processes(workers).transport(Transport.SOCKET).start();
            case "processes-shm" ->
                Tandem.processes(workers).transport(Transport.SHARED_MEMORY).start();
            case "hybrid" ->
                Tandem.hybrid(workers, 2).transport(Transport.SOCKET).start();
            default -> throw new IllegalArgumentException("unknown executor " + name);
        };
    }

    static void stop(ExecutorService pool) {
        pool.shutdownNow();
        pool.close();
    }
}
