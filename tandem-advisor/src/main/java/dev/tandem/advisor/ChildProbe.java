package dev.tandem.advisor;

import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * Calls the user's task in a child JVM ({@link ProbeWorker}) before anything runs it in this JVM,
 * and reads back what happened: call times, CPU share, allocation, heap growth, serialized sizes,
 * native libraries, and whether the task ended or hung its JVM.
 *
 * <p>The task is called hung when the probe has made no progress (its result file did not grow) for a stall
 * limit that scales with the calls it has seen (20 times the longest, at least 1 s), not counting the time
 * the probe JVM waited for a CPU meanwhile ({@link #watch}), whenever that happens: a call blocked for good
 * is stopped at its limit, and the budget is left to the trials. A probe that is still advancing at its
 * deadline is waited for, up to twice that; killed then, it is called hung only if it had stalled for the
 * quiet limit. Was: on a machine at load 33, call #102 of a 0.1 ms task was killed at the 9.7 s deadline
 * and the task was said to never return. The child and
 * anything it spawned are killed when it is hung or past that bound. The child's stdout and stderr go to
 * files whose tail is kept for error messages.
 */
final class ChildProbe {
    /** A stall shorter than this is never a hang, however short the calls: a full GC, a JIT pause. */
    static final long QUIET_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A stall is a hang past this many times the longest call the probe has seen (on a quiet machine). */
    static final int STALL_CALLS = 20;
    /** The longest wait between two looks at a probe JVM's progress and CPU wait. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private ChildProbe() {}

    /** How the watch of a probe JVM ended. */
    enum Ending {
        /** The JVM exited by itself. */
        EXITED,
        /** It made no progress for its stall limit past its deadline: hung, killed. */
        HUNG,
        /** It was still advancing at twice its deadline, or had not started: killed, not called hung. */
        CUT_SHORT
    }

    /**
     * {@return how long a probe JVM may go without progress before it is called hung: {@link #STALL_CALLS} times
     * the longest call seen, at least {@link #QUIET_STALL_NANOS}, stretched by the pace {@code paceFactor} (how much
     * slower this machine runs now than a quiet one, at least 1)}
     */
    static long stallLimitNanos(long longestCallNanos, double paceFactor) {
        long quiet = Math.max(QUIET_STALL_NANOS, STALL_CALLS * Math.max(0, longestCallNanos));
        return (long) (quiet * Math.max(1, paceFactor));
    }

    /**
     * @param subject the located class
     * @param count inputs to ask a workload for
     * @param callNanos how long to keep calling
     * @param hardNanos the child's hard deadline, from spawn
     * @param heapBytes the child's -Xmx
     */
    static Advice.Probe run(Subject subject, int count, long callNanos, long hardNanos, long heapBytes) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tandem-advise-probe");
            Path results = dir.resolve("probe.txt");
            ChildJvm.Launcher launcher = ChildJvm.in(dir)
                    .options(List.of("-Xmx" + (heapBytes >> 20) + "m", "-XX:+UseSerialGC", "-XX:-UsePerfData"))
                    .classPath(subject.childClassPath())
                    .stdoutTo(dir.resolve("stdout.txt"))
                    .noStdin();
            List<String> args =
                    List.of(results.toString(), subject.className(), Integer.toString(count), Long.toString(callNanos));
            long spawned = System.nanoTime();
            try (ChildJvm jvm = launcher.start(ProbeWorker.class.getName(), args)) {
                long[] stall = new long[2];
                Ending ending = watch(jvm.process(), results, spawned, 2 * hardNanos, stall);
                if (ending != Ending.EXITED) {
                    jvm.await(Duration.ZERO); // kills the child and what it started, unless it just ended
                }
                List<String> lines =
                        Files.exists(results) ? Files.readAllLines(results, StandardCharsets.UTF_8) : List.of();
                return parse(
                        subject,
                        lines,
                        spawned,
                        ending == Ending.EXITED ? jvm.process().exitValue() : -1,
                        ending,
                        stall,
                        hardNanos,
                        jvm.stderrTail(),
                        String.join(" ", launcher.command(ProbeWorker.class.getName(), args)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the probe JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("advisor interrupted during the probe");
            ce.initCause(e);
            throw ce;
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Watches the probe JVM until it exits, stalls for its limit or reaches {@code capNanos} from {@code spawned}.
     * Progress is the result file growing (its modification time). A stall counts its wall time less the time the
     * probe JVM's threads waited for a CPU meanwhile ({@link #runQueueNanos}), so that a probe starved by other
     * programs is not called hung, and a call blocked for good is, once the stall passes the quiet limit
     * ({@link #stallLimitNanos} at pace 1), whenever that is. Where that wait cannot be read, the limit is stretched
     * by the pace measured then. Was: the stall was looked at only from the deadline on ({@code hardNanos}, half a
     * 15 s budget on a busy machine) against a limit stretched 10.9&times; by the pace, so a task that hung on its
     * 40th call was killed at twice the deadline, 13.8 s after its last progress, and no trial was left any time.
     * At the cap a probe that stalled for the quiet limit is hung; one still advancing is cut short. {@code stall}
     * receives the stall and its limit (with the CPU wait added), ns, when hung.
     */
    static Ending watch(Process process, Path results, long spawned, long capNanos, long[] stall)
            throws InterruptedException, IOException {
        double pace = -1;
        long seen = Long.MIN_VALUE;
        long queuedAtProgress = -1;
        while (true) {
            if (!Files.exists(results)) {
                // a JVM that starts slowly on a busy machine is given until the cap too; then parse says it did not
                long left = spawned + capNanos - System.nanoTime();
                if (left <= 0) {
                    return Ending.CUT_SHORT;
                }
                if (process.waitFor(Math.min(left, POLL_NANOS), TimeUnit.NANOSECONDS)) {
                    return Ending.EXITED;
                }
                continue;
            }
            Instant modified = Files.getLastModifiedTime(results).toInstant();
            long queued = runQueueNanos(process.pid());
            long epochNanos = modified.getEpochSecond() * 1_000_000_000L + modified.getNano();
            if (epochNanos != seen) {
                seen = epochNanos;
                queuedAtProgress = queued;
            }
            long stalled = Math.max(0, Duration.between(modified, Instant.now()).toNanos());
            long quietLimit = stallLimitNanos(longestCall(results), 1);
            long limit;
            if (queued >= 0 && queuedAtProgress >= 0) {
                // the limit in wall time: the quiet limit plus what the probe waited for a CPU since its progress
                limit = quietLimit + Math.max(0, queued - queuedAtProgress);
            } else {
                if (pace < 0) {
                    pace = Pace.measure().factor(); // what the machine does now, not at the run's start
                }
                limit = stallLimitNanos(longestCall(results), pace);
            }
            if (stalled >= limit) {
                stall[0] = stalled;
                stall[1] = limit;
                return Ending.HUNG;
            }
            long left = spawned + capNanos - System.nanoTime();
            if (left <= 0) {
                // at the cap: stalled longer than any call on a quiet machine is a hang; advancing, not
                if (stalled >= quietLimit) {
                    stall[0] = stalled;
                    stall[1] = quietLimit;
                    return Ending.HUNG;
                }
                return Ending.CUT_SHORT;
            }
            // until the stall could reach its limit, the cap, or the next look at the CPU wait
            long wait = Math.clamp(Math.min(left, limit - stalled), TimeUnit.MILLISECONDS.toNanos(10), POLL_NANOS);
            if (process.waitFor(wait, TimeUnit.NANOSECONDS)) {
                return Ending.EXITED;
            }
        }
    }

    /**
     * {@return the time the threads of process {@code pid} have spent runnable but waiting for a CPU, summed, ns
     * ({@code /proc/PID/task/*}{@code /schedstat}), or -1 if unreadable} Threads that end take theirs with them: a
     * smaller sum reads as no wait.
     */
    static long runQueueNanos(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long sum = 0;
        try (var dirs = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) dirs::iterator) {
                try {
                    String[] f = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
                    sum += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@return the longest call among the detailed ones the probe wrote so far, ns; 0 if none} */
    private static long longestCall(Path results) throws IOException {
        long longest = 0;
        for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
            String[] c = line.split(" ");
            if (c[0].equals("call") && c.length > 3) {
                try {
                    longest = Math.max(longest, Long.parseLong(c[3]));
                } catch (NumberFormatException e) {
                    // a line being written: the next read has it
                }
            }
        }
        return longest;
    }

    private static Advice.Probe parse(
            Subject subject,
            List<String> lines,
            long spawned,
            int exitCode,
            Ending ending,
            long[] stall,
            long hardNanos,
            String stderrTail,
            String command) {
        long startNanos = -1;
        int detailedCalls = 0;
        int detailedFailures = 0;
        List<Long> walls = new ArrayList<>();
        long wallSum = 0;
        long cpuSum = 0;
        long allocSum = 0;
        long runqSum = 0;
        long maxWall = 0;
        boolean allocKnown = true;
        int summaryCalls = -1;
        int summaryFailed = 0;
        String firstFailure = null;
        long heapBase = -1;
        long heapBaseCalls = 0;
        long heapEnd = -1;
        long heapEndCalls = 0;
        String deterministic = "unknown";
        long taskBytes = -1;
        long resultBytes = -1;
        String serError = null;
        Integer hookCall = null;
        int progressed = 0;
        int progressedFailed = 0;
        boolean killed = ending != Ending.EXITED;
        boolean done = false;
        String error = null;
        List<String> natives = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "start" -> startNanos = Long.parseLong(f[1]) - spawned;
                case "error" -> error = line.substring("error ".length());
                case "ser" -> {
                    if (f[1].equals("task")) {
                        taskBytes = Long.parseLong(f[2]);
                    } else {
                        resultBytes = Long.parseLong(f[2]);
                    }
                }
                case "ser-error" ->
                    serError = (f[1].equals("task") ? "the task (function and input)" : "its result")
                            + " cannot be serialized: " + (f.length > 2 ? f[2] : "");
                case "call" -> {
                    String[] c = line.split(" ");
                    detailedCalls++;
                    long wall = Long.parseLong(c[3]);
                    if (c[2].equals("ok")) {
                        walls.add(wall);
                    } else {
                        detailedFailures++;
                    }
                    wallSum += wall;
                    cpuSum += Long.parseLong(c[4]);
                    long alloc = Long.parseLong(c[5]);
                    allocKnown &= alloc >= 0;
                    allocSum += Math.max(0, alloc);
                    runqSum += c.length > 6 ? Long.parseLong(c[6]) : 0;
                    maxWall = Math.max(maxWall, wall);
                }
                case "failure" -> firstFailure = line.substring("failure ".length());
                case "heap" -> {
                    String[] h = line.split(" ");
                    if (h[1].equals("base")) {
                        heapBase = Long.parseLong(h[2]);
                        heapBaseCalls = Long.parseLong(h[3]);
                    } else {
                        heapEnd = Long.parseLong(h[2]);
                        heapEndCalls = Long.parseLong(h[3]);
                    }
                }
                case "deterministic" -> deterministic = f[1];
                case "summary" -> {
                    String[] s = line.split(" ");
                    summaryCalls = Integer.parseInt(s[1]);
                    summaryFailed = Integer.parseInt(s[2]);
                    wallSum = Long.parseLong(s[3]);
                    cpuSum = Long.parseLong(s[4]);
                    allocSum = Long.parseLong(s[5]);
                    maxWall = Long.parseLong(s[6]);
                    runqSum = s.length > 7 ? Long.parseLong(s[7]) : 0;
                }
                case "native" -> natives.add(line.substring("native ".length()));
                case "hook" -> hookCall = Integer.parseInt(f[1]);
                case "progress" -> {
                    progressed = Integer.parseInt(f[1]);
                    progressedFailed = f.length > 2 ? Integer.parseInt(f[2]) : progressedFailed;
                }
                case "done" -> done = true;
                default -> {
                    // "note" and future lines: informative only
                }
            }
        }
        if (error != null) {
            // this JVM found the class already: a probe JVM that does not names its command, to see why
            throw new IllegalArgumentException(
                    error.contains(" not found on the class path ") ? error + " [probe JVM: " + command + "]" : error);
        }
        if (startNanos < 0) {
            throw new IllegalStateException("the probe JVM did not start"
                    + (killed
                            ? " within " + TimeUnit.NANOSECONDS.toMillis(2 * hardNanos) + " ms"
                            : " (exit code " + exitCode + ")")
                    + "; command: " + command + (stderrTail.isBlank() ? "" : "\n" + stderrTail));
        }
        // A probe that ended before its summary (System.exit at call #5000) counts its calls by its last
        // progress line: it had said "256 calls, 37 failed", the detailed calls only, beside "call #5000".
        boolean counted = summaryCalls < 0 && progressed > detailedCalls;
        int calls = summaryCalls >= 0 ? summaryCalls : counted ? progressed : detailedCalls;
        int failures = summaryCalls >= 0 ? summaryFailed : counted ? progressedFailed : detailedFailures;
        // a probe cut short while it still advanced (a busy machine) is no hang: its calls returned
        boolean ended = ending == Ending.HUNG || ending == Ending.EXITED && !done;
        String endedHow = null;
        if (ending == Ending.HUNG) {
            // one clause, no parenthesis: it is quoted inside others' ("a call did not return in the probe (...)")
            endedHow = ""
                    // past the detailed calls, progress lines come at most every 100 ms: the hung call is a lower
                    // bound's successor, not known exactly (a task hanging on its 300th call was "call #299")
                    + (progressed > detailedCalls ? "a call after #" + progressed : "call #" + (detailedCalls + 1))
                    + ", counting from 1, was still running, and the probe had made no progress for "
                    + Units.nanos(stall[0])
                    + ", past its limit of " + Units.nanos(stall[1]) + " on this machine, so it was killed";
        } else if (!done && !killed) {
            String where = hookCall == null
                    ? (calls < ProbeWorker.DETAILED_CALLS ? "during call #" + (calls + 1) : "during a call")
                    : hookCall >= 0
                            ? "during call #" + (hookCall + 1) // counted from 1, as people count
                            : hookCall == -2
                                    ? "during a repeated call"
                                    : "outside any call (static initializer, constructor or inputs())";
            if (hookCall != null) {
                endedHow = "System.exit(" + exitCode + ") " + where;
            } else {
                endedHow = "the JVM ended without running shutdown hooks (Runtime.halt, a crash or a signal; "
                        + ChildJvm.describeExit(exitCode) + ") " + where;
            }
            if (calls == 0 && (hookCall == null || hookCall == -1) && walls.isEmpty()) {
                throw new IllegalArgumentException(
                        subject.className() + " ended the probe JVM before any call returned: "
                                + endedHow + "; the advisor cannot measure a task that ends every JVM it is loaded in"
                                + (stderrTail.isBlank() ? "" : "\n" + stderrTail));
            }
        }
        double[] sorted = walls.stream().mapToDouble(Long::doubleValue).sorted().toArray();
        long median = sorted.length == 0 ? -1 : Math.round(Stats.quantile(sorted, 0.5)); // the lab's definition
        long retained = 0;
        if (heapBase >= 0 && heapEnd >= 0 && heapEndCalls > heapBaseCalls) {
            retained = Math.max(0, (heapEnd - heapBase) / (heapEndCalls - heapBaseCalls));
        }
        // time spent runnable but waiting for a CPU (a busy machine) is neither computing nor blocking
        long ownWall = Math.max(1, wallSum - runqSum);
        double cpuShare = wallSum > 0 ? Math.min(1.0, (double) cpuSum / ownWall) : -1;
        long allocPerCall = calls > 0 && allocKnown ? allocSum / calls : -1;
        return new Advice.Probe(
                calls,
                failures,
                firstFailure,
                median,
                maxWall,
                cpuShare,
                allocPerCall,
                retained,
                "true".equals(deterministic),
                taskBytes,
                resultBytes,
                serError,
                ended,
                endedHow,
                ended && !killed ? exitCode : -1,
                natives,
                startNanos);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException | UncheckedIOException e) {
            // a temp dir left behind is harmless
        }
    }
}
