package dev.tandem.ipc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts child JVMs running {@link IpcChild} and makes sure none outlives its test: after each test
 * every child still running is killed and reaped (bounded), and if the test failed each child's
 * exit code and stderr are printed (as Aeron's SystemTestWatcher does). Register with
 * {@code @RegisterExtension final Children children = new Children();}.
 */
final class Children implements AfterEachCallback {
    /** Every pid this JVM ever started, for the litter check. */
    static final Set<Long> ALL_PIDS = ConcurrentHashMap.newKeySet();

    private final List<Child> started = new ArrayList<>();

    record Child(String role, Process process, Path stderr, Path stdout) {
        String describe() {
            String exit = process.isAlive() ? "still running" : "exit code " + process.exitValue();
            return "child " + role + " (pid " + process.pid() + ", " + exit + ")\n--- stderr ---\n" + read(stderr)
                    + "--- stdout ---\n" + read(stdout);
        }

        /** Waits for the exit, bounded, and returns the exit code. */
        int await(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("child " + role + " did not exit within " + seconds + " s\n" + describe());
            }
            return process.exitValue();
        }

        /** Waits for a zero exit, bounded; fails with the child's output otherwise. */
        void awaitSuccess(long seconds) throws InterruptedException {
            int code = await(seconds);
            if (code != 0) {
                throw new AssertionError("child " + role + " failed\n" + describe());
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("child " + role + " survived SIGKILL for 10 s");
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return "(unreadable: " + e + ")\n";
            }
        }
    }

    /** Starts {@code IpcChild role args...} with the test's class path and native access enabled. */
    Child start(String role, String... args) throws IOException {
        return startWith(List.of(), role, args);
    }

    Child startWith(List<String> jvmOptions, String role, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx96m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IpcChild.class.getName());
        command.add(role);
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("ipc-child-" + role + "-", ".err");
        Path stdout = Files.createTempFile("ipc-child-" + role + "-", ".out");
        stderr.toFile().deleteOnExit();
        stdout.toFile().deleteOnExit();
        Process process = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectOutput(stdout.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        ALL_PIDS.add(process.pid());
        Child child = new Child(role, process, stderr, stdout);
        synchronized (started) {
            started.add(child);
        }
        return child;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<Child> children;
        synchronized (started) {
            children = List.copyOf(started);
            started.clear();
        }
        for (Child child : children) {
            child.process().destroyForcibly();
        }
        for (Child child : children) {
            child.process().waitFor(10, TimeUnit.SECONDS);
        }
        if (context.getExecutionException().isPresent()) {
            for (Child child : children) {
                System.err.println("=== " + context.getDisplayName() + ": " + child.describe());
            }
        }
        for (Child child : children) {
            Files.deleteIfExists(child.stderr());
            Files.deleteIfExists(child.stdout());
        }
    }

    /** Encodes a handle for a command line: Java serialization, as a task would carry it. */
    static String encode(SegmentHandle handle) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(handle);
            out.flush();
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SegmentHandle decode(String text) {
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return (SegmentHandle) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
