package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 §5: a worker that writes hundreds of MiB without a newline exhausted a caller with a
 * small heap: its output threads died of OutOfMemoryError, later output was lost and the stderr
 * tail of the next death was empty. The caller runs in a child JVM with {@code -Xmx32m}; its worker
 * writes {@value #MEBIBYTES} MiB to each stream without a newline.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerOutputFloodTest {
    private static final int MEBIBYTES = 64;
    /** The longest line the test accepts from the caller: a piece, its prefix and the mark. */
    private static final int MAX_LINE = OutputPump.MAX_LINE_CHARS + 64;

    /** What the caller printed: its lines without '~' and the flood's pieces, the count of '~', the longest line. */
    private record Output(List<String> lines, long floodChars, int longest) {}

    @ParameterizedTest(name = "forwardOutput({0})")
    @ValueSource(booleans = {true, false})
    void aFloodWithoutNewlinesNeitherKillsTheOutputThreadsNorLosesLaterOutput(boolean forward) throws Exception {
        List<String> cmd = List.of(
                System.getProperty("java.home") + "/bin/java",
                "-Xmx32m",
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                FloodingCaller.class.getName(),
                Boolean.toString(forward),
                Integer.toString(MEBIBYTES));
        Process caller = new ProcessBuilder(cmd).start();
        Output out;
        Output err;
        try {
            // Read stderr on another thread: the caller forwards both streams at once.
            CompletableFuture<Output> errors = CompletableFuture.supplyAsync(() -> read(caller.getErrorStream()));
            out = read(caller.getInputStream());
            err = errors.get(60, TimeUnit.SECONDS);
            assertThat(caller.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            caller.destroyForcibly();
            caller.waitFor(10, TimeUnit.SECONDS);
        }
        String text = String.join("\n", out.lines) + "\n--- stderr ---\n" + String.join("\n", err.lines);
        assertThat(text).doesNotContain("OutOfMemoryError").doesNotContain("Exception in thread");
        assertThat(caller.exitValue()).as(text).isZero();
        assertThat(out.lines).as(text).contains("EXIT 9");
        String tail = out.lines.stream()
                .filter(l -> l.startsWith("TAIL "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no tail in:\n" + text));
        assertThat(tail).as("the stderr tail after the flood").contains("last words");
        assertThat(tail.length()).as("the tail is bounded").isLessThan(40 * 700);
        assertThat(Math.max(out.longest, err.longest))
                .as("the longest line the caller printed")
                .isLessThanOrEqualTo(MAX_LINE);
        if (forward) {
            assertThat(out.floodChars)
                    .as("every byte of the stdout flood was forwarded")
                    .isEqualTo((long) MEBIBYTES << 20);
            assertThat(err.floodChars)
                    .as("every byte of the stderr flood was forwarded")
                    .isEqualTo((long) MEBIBYTES << 20);
            assertThat(out.lines).contains("[worker 1] after the flood");
            assertThat(err.lines).contains("[worker 1] last words");
        } else {
            assertThat(out.floodChars + err.floodChars)
                    .as("nothing is forwarded")
                    .isZero();
        }
    }

    /** Reads the caller's output with bounded memory: a line longer than the bound is cut and measured. */
    private static Output read(InputStream stream) {
        List<String> lines = new ArrayList<>();
        long flood = 0;
        int longest = 0;
        StringBuilder line = new StringBuilder();
        int length = 0;
        long lineFlood = 0;
        try (InputStream in = new BufferedInputStream(stream, 1 << 16)) {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    longest = Math.max(longest, length);
                    // Forwarded pieces of the flood are counted, not kept; other lines are kept without '~'.
                    boolean piece = lineFlood > 0 && line.toString().startsWith("[worker ");
                    if (piece) {
                        flood += lineFlood;
                    } else if (lines.size() < 10_000) {
                        lines.add(line.toString());
                    }
                    line.setLength(0);
                    length = 0;
                    lineFlood = 0;
                    continue;
                }
                length++;
                if (b == '~') {
                    lineFlood++;
                } else if (line.length() < MAX_LINE) {
                    line.append((char) b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (length > 0) {
            longest = Math.max(longest, length);
            lines.add(line.toString());
        }
        return new Output(lines, flood, longest);
    }
}
