package dev.tandem.measure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The operating system's own counters, read from Linux's {@code /proc} (proc(5)); every reader
 * returns an empty or negative answer where a file is missing, so callers work elsewhere too.
 *
 * <ul>
 *   <li>{@code /proc/stat}: CPU time of the whole machine by state (user, system, idle, steal ...).</li>
 *   <li>{@code /proc/loadavg}: the run-queue averages over 1, 5 and 15 minutes.</li>
 *   <li>{@code /proc/PID/stat}: a process's CPU time (its own and its reaped children's) and resident
 *       pages; {@code /proc/PID/status}: {@code Threads}, {@code VmRSS}, context switches;
 *       {@code /proc/PID/smaps_rollup}: {@code Rss} and {@code Pss} (each shared page divided among the
 *       processes that map it); {@code /proc/PID/fd}: open files; {@code /proc/PID/maps}: mapped files.</li>
 *   <li>{@code /proc/thread-self/status} and {@code schedstat}: the calling thread's context switches and
 *       time spent waiting for a CPU.</li>
 * </ul>
 * Sizes in {@code /proc/PID/stat} count pages: the page size comes from the kernel
 * ({@code KernelPageSize} in {@code /proc/self/smaps}), since 16 KiB and 64 KiB pages exist. CPU times
 * count clock ticks of {@code USER_HZ}, which Linux fixes at 100 per second for user space on every
 * architecture a JDK 25 runs on (times(2)).
 *
 * <p>Stateless apart from the cached page size; every method may be called from any thread.
 */
public final class ProcFs {
    /** USER_HZ: the unit of CPU times in /proc. */
    public static final long NANOS_PER_TICK = 10_000_000L;

    private static volatile long pageSize;

    private ProcFs() {}

    /**
     * CPU time and memory of one process at one moment.
     *
     * @param userNanos user CPU time of the process so far
     * @param systemNanos system CPU time of the process so far
     * @param childNanos user plus system CPU time of its children that it has waited for
     * @param rssBytes resident set now, or -1 if the page size is unknown
     */
    public record Usage(long userNanos, long systemNanos, long childNanos, long rssBytes) {
        /** {@return user plus system time of the process itself} */
        public long cpuNanos() {
            return userNanos + systemNanos;
        }
    }

    /**
     * The machine's CPU time by state since boot, summed over all CPUs, in nanoseconds.
     *
     * @param busyNanos user, nice, system, irq and softirq time
     * @param idleNanos idle and iowait time
     * @param stealNanos time the hypervisor gave a virtual CPU's turn to another guest
     */
    public record CpuTimes(long busyNanos, long idleNanos, long stealNanos) {
        /** {@return all time counted} */
        public long totalNanos() {
            return busyNanos + idleNanos + stealNanos;
        }
    }

    /** {@return the machine's CPU times from the {@code cpu} line of /proc/stat, if readable} */
    public static Optional<CpuTimes> cpuTimes() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
            String line = r.readLine();
            if (line == null || !line.startsWith("cpu ")) {
                return Optional.empty();
            }
            String[] f = line.trim().split("\\s+");
            long[] v = new long[9];
            for (int i = 1; i < f.length && i <= 8; i++) {
                v[i] = Long.parseLong(f[i]);
            }
            // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
            long busy = v[1] + v[2] + v[3] + v[6] + v[7];
            long idle = v[4] + v[5];
            return Optional.of(new CpuTimes(busy * NANOS_PER_TICK, idle * NANOS_PER_TICK, v[8] * NANOS_PER_TICK));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@return CPU time and memory of this JVM} */
    public static Optional<Usage> self() {
        return usage("self");
    }

    /** {@return CPU time and memory of a process, if it is alive and readable} */
    public static Optional<Usage> usage(long pid) {
        return usage(Long.toString(pid));
    }

    private static Optional<Usage> usage(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // pid (comm) state ...: comm may hold spaces and parentheses, so split after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17, rss 24
            long page = pageSize();
            long rssPages = Long.parseLong(f[21]);
            return Optional.of(new Usage(
                    Long.parseLong(f[11]) * NANOS_PER_TICK,
                    Long.parseLong(f[12]) * NANOS_PER_TICK,
                    (Long.parseLong(f[13]) + Long.parseLong(f[14])) * NANOS_PER_TICK,
                    page > 0 ? rssPages * page : -1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@return the kernel's page size in bytes, or -1 if it cannot be read} From the first
     * {@code KernelPageSize} of /proc/self/smaps, else from VmRSS over the resident pages of statm.
     */
    public static long pageSize() {
        long p = pageSize;
        if (p == 0) {
            p = readPageSize();
            pageSize = p;
        }
        return p;
    }

    private static long readPageSize() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/self/smaps"), StandardCharsets.US_ASCII)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("KernelPageSize:")) {
                    String[] w =
                            line.substring("KernelPageSize:".length()).trim().split("\\s+");
                    return Long.parseLong(w[0]) * (w.length > 1 && w[1].equals("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // try statm below
        }
        try {
            long residentPages = Long.parseLong(
                    Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+")[1]);
            long vmRssKiB = status("self").getOrDefault("VmRSS", -1L);
            if (residentPages > 0 && vmRssKiB > 0) {
                long ratio = vmRssKiB * 1024 / residentPages;
                return Long.highestOneBit(ratio + ratio / 8); // round to the nearest power of two
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@return the fields of /proc/PID/status (or {@code self}, {@code thread-self}) in KiB or counts} */
    public static Map<String, Long> status(String pid) {
        return numbers(Path.of("/proc", pid, "status"));
    }

    /** {@return the fields of /proc/PID/smaps_rollup, in KiB; empty if unreadable} */
    public static Map<String, Long> smapsRollup(long pid) {
        return numbers(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
    }

    /** {@return the voluntary and involuntary context switches of the calling thread so far} */
    public static long[] threadSwitches() {
        Map<String, Long> s = status("thread-self");
        return new long[] {
            s.getOrDefault("voluntary_ctxt_switches", -1L), s.getOrDefault("nonvoluntary_ctxt_switches", -1L)
        };
    }

    /** {@return the calling thread's time spent runnable but waiting for a CPU, in ns, or -1} */
    public static long threadRunQueueNanos() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat"))
                    .trim()
                    .split("\\s+");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@return the number of open file descriptors of a process, or -1 if unreadable} */
    public static int openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** {@return a process's memory and handles: rssKiB, pssKiB, threads, fds (-1 when unknown)} */
    public static long[] footprint(long pid) {
        Map<String, Long> rollup = smapsRollup(pid);
        Map<String, Long> status = status(Long.toString(pid));
        long rss = rollup.getOrDefault("Rss", status.getOrDefault("VmRSS", -1L));
        return new long[] {rss, rollup.getOrDefault("Pss", -1L), status.getOrDefault("Threads", -1L), openFiles(pid)};
    }

    /** {@return the files a process maps (shared libraries, jars, archives), in order of first mapping} */
    public static Set<String> mappedFiles(String pid) {
        Set<String> files = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "maps"))) {
                int slash = line.indexOf('/');
                if (slash > 0) {
                    files.add(line.substring(slash).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return files;
        }
        return files;
    }

    /** {@return the CPUs this process may run on, from Cpus_allowed_list; [0..n) if unknown} */
    public static List<Integer> allowedCpus() {
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    for (String part :
                            line.substring(line.indexOf(':') + 1).trim().split(",")) {
                        String[] range = part.trim().split("-");
                        int lo = Integer.parseInt(range[0]);
                        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                        for (int c = lo; c <= hi; c++) {
                            cpus.add(c);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            cpus.clear();
        }
        if (cpus.isEmpty()) {
            for (int c = 0; c < Runtime.getRuntime().availableProcessors(); c++) {
                cpus.add(c);
            }
        }
        return cpus;
    }

    /** {@return the 1-minute load average from /proc/loadavg, or NaN} */
    public static double loadAverage() {
        try {
            return Double.parseDouble(
                    Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** {@return the first value of a /proc/cpuinfo field, or empty} */
    public static String cpuInfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(field)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    /** {@return true if /proc/cpuinfo lists this CPU flag, such as {@code hypervisor} or {@code pcid}} */
    public static boolean cpuFlag(String flag) {
        return (" " + cpuInfo("flags") + " ").contains(" " + flag + " ");
    }

    private static Map<String, Long> numbers(Path file) {
        Map<String, Long> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | UncheckedIOException e) {
            return out;
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] words = line.substring(colon + 1).trim().split("\\s+");
            if (words.length == 0) {
                continue;
            }
            try {
                out.put(line.substring(0, colon).trim(), Long.parseLong(words[0]));
            } catch (NumberFormatException ignored) {
                // not a number (such as State: S (sleeping)); not needed
            }
        }
        return out;
    }
}
