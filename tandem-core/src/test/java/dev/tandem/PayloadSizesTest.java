package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.ipc.SharedSegment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11, in a caller JVM of its own ({@link PayloadCaller}) since the test JVM has 512 MiB:
 * with default options every payload size works both ways, 256 MiB included (was: the worker died
 * with OutOfMemoryError at its 256 MiB heap), and a caller killed while its worker holds shared
 * memory leaves none behind.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PayloadSizesTest {
    private static Process caller(String... args) throws Exception {
        return caller(true, args);
    }

    private static Process caller(boolean nativeAccess, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(System.getProperty("java.home") + "/bin/java", "-Xmx1536m", "-XX:+UseSerialGC"));
        if (nativeAccess) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PayloadCaller.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static List<String> run(Process p) throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        return lines;
    }

    /**
     * The lane maps files and copies memory, none of which is a restricted method: a caller started
     * without {@code --enable-native-access} gets no warning from it on the default transport.
     */
    @Test
    void theLaneNeedsNoNativeAccessAndPrintsNoWarningWithoutIt() throws Exception {
        Process p = caller(false, "lane", Transport.SOCKET.name());
        List<String> lines = run(p);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).as(String.join("\n", lines)).contains("OK");
        assertThat(lines).noneMatch(l -> l.contains("restricted method"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everySizeWorksBothWaysWithDefaultOptions(Transport transport) throws Exception {
        Process p = caller("sizes", transport.name());
        List<String> lines = run(p);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines)
                .as(String.join("\n", lines))
                .contains("OK 1024", "OK 1048576", "OK 16777216", "OK 67108864", "OK 268435456");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aCallerKilledWhileItsWorkerHoldsSharedMemoryLeavesNoSegment(Transport transport) throws Exception {
        Process p = caller("hold", transport.name());
        List<ProcessHandle> processes = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
                System.out.println("[caller] " + line);
            }
            assertThat(line).as("the caller printed its pids").isNotNull();
            for (String pid : line.substring(5).split(",")) {
                processes.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
            }
            assertThat(segmentsOf(processes))
                    .as("the running task's argument, at least")
                    .isNotEmpty();
        } finally {
            p.destroyForcibly().waitFor();
        }
        for (ProcessHandle w : processes.subList(1, processes.size())) {
            awaitExit(w);
        }
        assertThat(segmentsOf(processes))
                .as("segments of the dead caller and its workers")
                .isEmpty();
    }

    private static List<Path> segmentsOf(List<ProcessHandle> processes) throws Exception {
        try (Stream<Path> files = Files.list(SharedSegment.directory())) {
            return files.filter(f -> processes.stream()
                            .anyMatch(h -> f.getFileName().toString().contains("-" + h.pid() + "-")))
                    .toList();
        }
    }

    /**
     * Waits for a worker to exit after its caller's death; it deletes what it must before it halts.
     * An orphan is a zombie until init reaps it, which counts as alive: accept that state.
     */
    private static void awaitExit(ProcessHandle w) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (w.isAlive() && !ProcessFailureTest.exitedOrZombie(w)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("worker " + w.pid() + " still running 30 s after its caller died");
            }
            try {
                w.onExit().get(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look again
            }
        }
    }
}
