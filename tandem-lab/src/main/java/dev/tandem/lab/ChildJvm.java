package dev.tandem.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM that the lab starts to run one of {@link LabChild}'s roles: the same {@code java} and class
 * path as the lab, a small heap, native access (for CPU pinning and the native-crash fault), and a
 * crash log directed into the lab's temporary directory rather than the working directory.
 *
 * <p>Its stderr goes to a file, kept to explain a failure. Results come back through a file whose
 * path is an argument, never through stdout. {@link #close()} kills the JVM and its descendants if
 * they still run, so that the lab leaves no process behind. Not thread-safe.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final long startedNanos;

    private ChildJvm(Process process, Path stderr, long startedNanos) {
        this.process = process;
        this.stderr = stderr;
        this.startedNanos = startedNanos;
    }

    /** {@return the command that starts a JVM like this one, up to (excluding) the main class} */
    static List<String> javaCommand(Path tmp, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"));
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        return cmd;
    }

    /** {@return this JVM's class path plus its module path: modular jars run fine on a class path} */
    static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String p : List.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))) {
            if (!p.isBlank()) {
                parts.add(p);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    /**
     * Starts {@code LabChild role args...}. Its stdout is a pipe to this JVM when {@code pipeStdout},
     * otherwise discarded; its stdin is a pipe.
     */
    static ChildJvm start(Path tmp, List<String> jvmOptions, String role, List<String> args, boolean pipeStdout)
            throws IOException {
        List<String> cmd = javaCommand(tmp, jvmOptions);
        cmd.add(LabChild.class.getName());
        cmd.add(role);
        cmd.addAll(args);
        Path err = Files.createTempFile(tmp, role + "-", ".stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        if (!pipeStdout) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        long t0 = System.nanoTime();
        return new ChildJvm(pb.start(), err, t0);
    }

    Process process() {
        return process;
    }

    /**
     * Waits for the JVM to exit.
     *
     * @return its exit code, or {@code null} if it did not exit within {@code timeout} (it is then killed)
     */
    Integer await(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        close();
        return null;
    }

    /** {@return the last lines the JVM wrote to stderr} */
    String stderrTail() {
        try {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the JVM and whatever it started, and waits (bounded) until it is gone. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@return a readable reason for a JVM's exit code: a signal name for codes above 128}
     *
     * @param code the exit code
     */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            String name = switch (code - 128) {
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + (code - 128);
            };
            return "exit code " + code + " (" + name + ")";
        }
        return "exit code " + code;
    }

    /**
     * {@return the signal a JVM crash log ({@code hs_err_pid*.log}) names in its header, such as
     * {@code SIGSEGV}, or null if there is no such log}
     *
     * @param log the crash log
     */
    static String crashSignal(Path log) {
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.limit(40)
                    .map(l -> Pattern.compile("\\b(SIG[A-Z]+) \\(0x").matcher(l))
                    .filter(Matcher::find)
                    .map(m -> m.group(1))
                    .findFirst()
                    .orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** {@return the crash log this JVM wrote into {@code tmp}, if it crashed} */
    Path crashLog(Path tmp) {
        return tmp.resolve("hs_err_pid" + process.pid() + ".log");
    }

    /** {@return the duration since this JVM was started} */
    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
