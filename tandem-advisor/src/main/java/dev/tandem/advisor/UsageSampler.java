package dev.tandem.advisor;

import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples the CPU time and resident memory ({@link ProcFs#usage}) of the caller and of a changing
 * set of worker JVMs every 50 ms between construction and {@link #close()}, on one daemon thread.
 * CPU is the difference between the first and last sample of each process (a worker that appeared
 * during the trial counts from zero, so its start-up is charged to it); memory is the largest
 * resident set seen. Fields are guarded by {@code this}.
 */
final class UsageSampler implements AutoCloseable {
    private final Supplier<List<Long>> workerPids;
    private final ScheduledExecutorService timer;
    private final ProcFs.Usage callerStart;
    private ProcFs.Usage callerLast;
    private long callerMaxRss;
    private final Map<Long, ProcFs.Usage> firstSeen = new HashMap<>();
    private final Map<Long, ProcFs.Usage> lastSeen = new HashMap<>();
    private final Map<Long, Long> maxRss = new HashMap<>();

    UsageSampler(Supplier<List<Long>> workerPids) {
        this.workerPids = workerPids;
        this.callerStart = ProcFs.self().orElse(null);
        this.callerLast = callerStart;
        this.callerMaxRss = callerStart == null ? -1 : callerStart.rssBytes();
        sample(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-advise-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> sample(false), 50, 50, TimeUnit.MILLISECONDS);
    }

    private synchronized void sample(boolean initial) {
        ProcFs.self().ifPresent(u -> {
            callerLast = u;
            callerMaxRss = Math.max(callerMaxRss, u.rssBytes());
        });
        List<Long> pids;
        try {
            pids = workerPids.get();
        } catch (RuntimeException e) {
            return;
        }
        for (long pid : pids) {
            Optional<ProcFs.Usage> u = ProcFs.usage(pid);
            if (u.isEmpty()) {
                continue;
            }
            firstSeen.computeIfAbsent(pid, k -> initial ? u.get() : new ProcFs.Usage(0, 0, 0, 0));
            lastSeen.put(pid, u.get());
            maxRss.merge(pid, u.get().rssBytes(), Math::max);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            Pace.await(Pace.Limit.THREAD_EXIT, ns -> timer.awaitTermination(ns, TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(false);
    }

    synchronized long callerUser() {
        return callerStart == null ? -1 : callerLast.userNanos() - callerStart.userNanos();
    }

    synchronized long callerSystem() {
        return callerStart == null ? -1 : callerLast.systemNanos() - callerStart.systemNanos();
    }

    synchronized long callerMaxRss() {
        return callerMaxRss;
    }

    synchronized long workerUser() {
        return lastSeen.entrySet().stream()
                .mapToLong(e ->
                        e.getValue().userNanos() - firstSeen.get(e.getKey()).userNanos())
                .sum();
    }

    synchronized long workerSystem() {
        return lastSeen.entrySet().stream()
                .mapToLong(e ->
                        e.getValue().systemNanos() - firstSeen.get(e.getKey()).systemNanos())
                .sum();
    }

    synchronized List<Long> workerMaxRss() {
        return new ArrayList<>(maxRss.values());
    }
}
