package dev.tandem.advisor;

import dev.tandem.measure.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * Calls the user's task in a child JVM ({@link ProbeWorker}) before anything runs it in this JVM,
 * and reads back what happened: call times, CPU share, allocation, heap growth, serialized sizes,
 * native libraries, and whether the task ended or hung its JVM.
 *
 * <p>The child has a hard deadline; past it, the child and anything it spawned are killed. The
 * child's stdout and stderr go to files whose tail is kept for error messages.
 */
final class ChildProbe {
    private ChildProbe() {}

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
                // await kills the child (and what it started) when it outlives the hard deadline
                boolean exited = jvm.await(Duration.ofNanos(hardNanos)) != null;
                List<String> lines =
                        Files.exists(results) ? Files.readAllLines(results, StandardCharsets.UTF_8) : List.of();
                return parse(
                        subject,
                        lines,
                        spawned,
                        exited ? jvm.process().exitValue() : -1,
                        !exited,
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

    private static Advice.Probe parse(
            Subject subject,
            List<String> lines,
            long spawned,
            int exitCode,
            boolean killed,
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
                            ? " within " + TimeUnit.NANOSECONDS.toMillis(hardNanos) + " ms"
                            : " (exit code " + exitCode + ")")
                    + "; command: " + command + (stderrTail.isBlank() ? "" : "\n" + stderrTail));
        }
        int calls = summaryCalls >= 0 ? summaryCalls : detailedCalls;
        int failures = summaryCalls >= 0 ? summaryFailed : detailedFailures;
        boolean ended = !done || killed;
        String endedHow = null;
        if (killed) {
            endedHow = "a call was still running when the probe's " + TimeUnit.NANOSECONDS.toMillis(hardNanos)
                    + " ms deadline passed (call #" + (detailedCalls + 1) + ", counting from 1); it was killed";
        } else if (!done) {
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
        long[] sorted = walls.stream().mapToLong(Long::longValue).sorted().toArray();
        long median = sorted.length == 0 ? -1 : sorted[sorted.length / 2];
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
