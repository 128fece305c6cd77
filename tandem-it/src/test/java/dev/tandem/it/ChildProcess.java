package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one command to its end, with a bound, and keeps what it printed; on time-out it kills the
 * command and everything it started. Also knows the tools of the JDK that runs the tests.
 */
final class ChildProcess {
    // Set by failsafe; surefire runs in the module's folder.
    static final Path TARGET = Path.of(System.getProperty("tandem.it.target", "target"))
            .toAbsolutePath()
            .normalize();
    static final Path ROOT =
            Path.of(System.getProperty("tandem.it.root", "..")).toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("tandem.it.version", "0.1.0-SNAPSHOT");
    static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");
    static final Pattern LAUNCHED = Pattern.compile("tandem-launch caller=(\\d+) worker=(\\d+) answer=42");

    /** What a command did. */
    record Result(List<String> command, int exitCode, String output) {
        /** Asserts that the application ran its task in a worker JVM, not in its own. */
        void ranInAWorker() {
            assertThat(exitCode)
                    .as("exit code of %s; output:%n%s", command, output)
                    .isZero();
            Matcher m = LAUNCHED.matcher(output);
            assertThat(m.find())
                    .as("the application's line in the output of %s:%n%s", command, output)
                    .isTrue();
            assertThat(m.group(2)).as("worker pid differs from the caller's").isNotEqualTo(m.group(1));
        }
    }

    private ChildProcess() {}

    static String tool(String name) {
        return JDK_BIN.resolve(name).toString();
    }

    /**
     * Runs {@code command} in {@code dir} for at most {@code seconds}.
     *
     * @return its exit code and output (stdout and stderr together)
     */
    static Result run(Path dir, Map<String, String> env, int seconds, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("tandem-it-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError(
                        "timed out after " + seconds + " s: " + command + "\n" + Files.readString(out));
            }
            return new Result(command, p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        return run(dir, Map.of(), 240, command);
    }

    /** Copies a folder and everything in it. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}
