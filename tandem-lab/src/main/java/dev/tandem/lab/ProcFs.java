package dev.tandem.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The operating system's own counters, read from Linux's {@code /proc}: the lab cross-checks what it
 * measures against them.
 *
 * <ul>
 *   <li>{@code /proc/PID/smaps_rollup}: {@code Rss} (resident pages, shared ones counted in full) and
 *       {@code Pss} (each shared page divided among the processes that map it: what a process really
 *       costs).</li>
 *   <li>{@code /proc/PID/status}: {@code Threads}, {@code VmRSS}; and, for one thread,
 *       {@code voluntary_ctxt_switches} (it blocked) and {@code nonvoluntary_ctxt_switches} (it was
 *       preempted). {@code /proc/PID/status} reports the main thread only, so per-thread counts come from
 *       {@code /proc/thread-self/status}.</li>
 *   <li>{@code /proc/PID/fd}: the open file descriptors.</li>
 * </ul>
 * Stateless; every method may be called from any thread.
 */
final class ProcFs {
    private ProcFs() {}

    /** {@return the fields of /proc/PID/status (or thread-self) in KiB or counts; empty if unreadable} */
    static Map<String, Long> status(String pid) {
        return numbers(Path.of("/proc", pid, "status"));
    }

    /** {@return the fields of /proc/PID/smaps_rollup, in KiB; empty if unreadable} */
    static Map<String, Long> smapsRollup(long pid) {
        return numbers(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
    }

    /** {@return the voluntary and involuntary context switches of the calling thread so far} */
    static long[] threadSwitches() {
        Map<String, Long> s = status("thread-self");
        return new long[] {
            s.getOrDefault("voluntary_ctxt_switches", -1L), s.getOrDefault("nonvoluntary_ctxt_switches", -1L)
        };
    }

    /** {@return the number of open file descriptors of a process, or -1 if unreadable} */
    static int openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** {@return a process's memory and handles: rssKiB, pssKiB, threads, fds (-1 when unknown)} */
    static long[] footprint(long pid) {
        Map<String, Long> rollup = smapsRollup(pid);
        Map<String, Long> status = status(Long.toString(pid));
        long rss = rollup.getOrDefault("Rss", status.getOrDefault("VmRSS", -1L));
        return new long[] {rss, rollup.getOrDefault("Pss", -1L), status.getOrDefault("Threads", -1L), openFiles(pid)};
    }

    /** {@return the CPUs this process may run on, from Cpus_allowed_list; [0..n) if unknown} */
    static List<Integer> allowedCpus() {
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
    static double loadAverage() {
        try {
            return Double.parseDouble(
                    Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** {@return the first value of a /proc/cpuinfo field, or empty} */
    static String cpuInfo(String field) {
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
    static boolean cpuFlag(String flag) {
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
