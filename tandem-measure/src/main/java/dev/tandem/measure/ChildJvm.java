package dev.tandem.measure;

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
 * A JVM that the lab or the advisor starts to run one of its own main classes: the same {@code java}
 * and class path as this JVM (or a given one), crash logs directed into a private directory rather
 * than the working directory, no core dump, and the options the caller adds.
 *
 * <p>Its stderr goes to a file in that directory, kept to explain a failure; its stdout is a pipe,
 * a file or discarded; its stdin a pipe or {@code /dev/null}. Results come back through files whose
 * paths are arguments, never through stdout. {@link #close()} kills the JVM and its descendants if
 * they still run and waits (bounded) for them to go, so that nothing is left behind.
 *
 * <h2>Lifecycle</h2>
 * {@code start -> (await ->) close}. Not thread-safe: one owner.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final Path dir;
    private final long startedNanos;

    private ChildJvm(Process process, Path stderr, Path dir, long startedNanos) {
        this.process = process;
        this.stderr = stderr;
        this.dir = dir;
        this.startedNanos = startedNanos;
    }

    /** {@return a launcher whose crash logs and stderr files go to {@code dir}} */
    public static Launcher in(Path dir) {
        return new Launcher(dir);
    }

    /** {@return the {@code java} executable of this JVM} */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@return this JVM's class path plus its module path: modular jars run fine on a class path} */
    public static String ownClassPath() {
        List<String> parts = new ArrayList<>();
        for (String p : List.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))) {
            if (!p.isBlank()) {
                parts.add(p);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    /** How to start a child JVM; a launcher may start several. Not thread-safe. */
    public static final class Launcher {
        private final Path dir;
        private final List<String> options = new ArrayList<>();
        private String classPath = ownClassPath();
        private ProcessBuilder.Redirect stdout = ProcessBuilder.Redirect.DISCARD;
        private boolean stdinFromNull;

        private Launcher(Path dir) {
            this.dir = dir;
        }

        /** Adds JVM options, such as {@code -Xmx64m}. */
        public Launcher options(List<String> jvmOptions) {
            options.addAll(jvmOptions);
            return this;
        }

        /** Replaces the class path (by default this JVM's). */
        public Launcher classPath(String cp) {
            this.classPath = cp;
            return this;
        }

        /** Sends stdout to a pipe that {@link ChildJvm#process()} reads (by default it is discarded). */
        public Launcher pipeStdout() {
            this.stdout = ProcessBuilder.Redirect.PIPE;
            return this;
        }

        /** Sends stdout to a file. */
        public Launcher stdoutTo(Path file) {
            this.stdout = ProcessBuilder.Redirect.to(file.toFile());
            return this;
        }

        /** Gives the child {@code /dev/null} as stdin (by default a pipe). */
        public Launcher noStdin() {
            this.stdinFromNull = true;
            return this;
        }

        /** {@return the command that runs {@code mainClass args...}} */
        public List<String> command(String mainClass, List<String> args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(javaExecutable());
            cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
            cmd.add("-XX:-CreateCoredumpOnCrash");
            cmd.addAll(options);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }

        /**
         * Starts {@code mainClass args...}.
         *
         * @throws IOException if the JVM cannot be started or the stderr file not created
         */
        public ChildJvm start(String mainClass, List<String> args) throws IOException {
            String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
            Path err = Files.createTempFile(dir, name + "-", ".stderr");
            ProcessBuilder pb = new ProcessBuilder(command(mainClass, args))
                    .redirectError(err.toFile())
                    .redirectOutput(stdout);
            if (stdinFromNull) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            long t0 = System.nanoTime();
            return new ChildJvm(pb.start(), err, dir, t0);
        }
    }

    /** {@return the running process} */
    public Process process() {
        return process;
    }

    /**
     * Waits for the JVM to exit.
     *
     * @return its exit code, or {@code null} if it did not exit within {@code timeout} (it is then killed)
     * @throws InterruptedException if interrupted while waiting; the JVM is left to {@link #close()}
     */
    public Integer await(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return process.exitValue();
        }
        close();
        return null;
    }

    /**
     * Waits for the JVM to exit, up to {@code limit} stretched by the machine's pace ({@link Pace#await}).
     *
     * @return its exit code, or {@code null} if it did not exit in time (it is then killed)
     * @throws InterruptedException if interrupted while waiting; the JVM is left to {@link #close()}
     */
    public Integer await(Pace.Limit limit) throws InterruptedException {
        if (Pace.await(limit, ns -> process.waitFor(ns, TimeUnit.NANOSECONDS))) {
            return process.exitValue();
        }
        close();
        return null;
    }

    /** {@return the last 15 lines the JVM wrote to stderr} */
    public String stderrTail() {
        try {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** Kills the JVM and whatever it started, and waits until it is gone ({@link Pace.Limit#PROCESS_EXIT}). */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            Pace.await(Pace.Limit.PROCESS_EXIT, ns -> process.waitFor(ns, TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return the crash log this JVM wrote, whether or not it exists} */
    public Path crashLog() {
        return dir.resolve("hs_err_pid" + process.pid() + ".log");
    }

    /** {@return the time since this JVM was started} */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * {@return a readable reason for a JVM's exit code: a signal name for codes above 128}
     *
     * @param code the exit code
     */
    public static String describeExit(int code) {
        if (code > 128 && code < 160) {
            String name = switch (code - 128) {
                case 6 -> "SIGABRT, a JVM crash";
                case 9 -> "SIGKILL, maybe by the OOM killer";
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
    public static String crashSignal(Path log) {
        Pattern signal = Pattern.compile("\\b(SIG[A-Z]+) \\(0x");
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.limit(40)
                    .map(signal::matcher)
                    .filter(Matcher::find)
                    .map(m -> m.group(1))
                    .findFirst()
                    .orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }
}
