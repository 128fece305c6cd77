package dev.tandem.advisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * CPU time (user and system) and resident memory of a process, read from {@code /proc/PID/stat}
 * on Linux; empty elsewhere. The {@link Sampler} watches the caller and a changing set of worker
 * JVMs during one trial.
 */
final class ProcStat {
    /** USER_HZ: the unit of utime and stime in /proc, 100 on every Linux ABI Java runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final long PAGE = 4096;

    private ProcStat() {}

    /**
     * CPU and memory of one process at one moment.
     *
     * @param userNanos user CPU time so far
     * @param systemNanos system CPU time so far
     * @param rssBytes resident set now
     */
    record Usage(long userNanos, long systemNanos, long rssBytes) {}

    static Optional<Usage> self() {
        return read("self");
    }

    static Optional<Usage> of(long pid) {
        return read(Long.toString(pid));
    }

    private static Optional<Usage> read(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime is field 14, stime 15, rss 24
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long rss = Long.parseLong(f[21]);
            return Optional.of(new Usage(utime * NANOS_PER_TICK, stime * NANOS_PER_TICK, rss * PAGE));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Samples the caller and the workers every 50 ms between construction and {@link #close()}, on
     * one daemon thread. CPU is the difference between the first and last sample of each process (a
     * worker that appeared during the trial counts from zero, so its start-up is charged to it);
     * memory is the largest resident set seen. Fields are guarded by {@code this}.
     */
    static final class Sampler implements AutoCloseable {
        private final Supplier<List<Long>> workerPids;
        private final ScheduledExecutorService timer;
        private final Usage callerStart;
        private Usage callerLast;
        private long callerMaxRss;
        private final Map<Long, Usage> firstSeen = new HashMap<>();
        private final Map<Long, Usage> lastSeen = new HashMap<>();
        private final Map<Long, Long> maxRss = new HashMap<>();

        Sampler(Supplier<List<Long>> workerPids) {
            this.workerPids = workerPids;
            this.callerStart = self().orElse(null);
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
            self().ifPresent(u -> {
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
                Optional<Usage> u = of(pid);
                if (u.isEmpty()) {
                    continue;
                }
                firstSeen.computeIfAbsent(pid, k -> initial ? u.get() : new Usage(0, 0, 0));
                lastSeen.put(pid, u.get());
                maxRss.merge(pid, u.get().rssBytes(), Math::max);
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(1, TimeUnit.SECONDS);
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
                    .mapToLong(e -> e.getValue().systemNanos()
                            - firstSeen.get(e.getKey()).systemNanos())
                    .sum();
        }

        synchronized List<Long> workerMaxRss() {
            return new ArrayList<>(maxRss.values());
        }
    }
}
