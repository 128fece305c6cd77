package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 §4: a process a task started goes with its worker, however the worker ends: timeout,
 * {@code cancel(true)}, {@code close()}, {@code shutdownNow()}, a crash. Before, {@code sleep 120}
 * lived on, re-parented to pid 1.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessTreeTest {
    enum End {
        TIMEOUT,
        CANCEL,
        CLOSE,
        SHUTDOWN_NOW,
        CRASH
    }

    @TempDir
    Path dir;

    static Stream<Arguments> ends() {
        return Stream.of(End.values())
                .flatMap(e -> Stream.of(Arguments.of(e, Transport.SOCKET), Arguments.of(e, Transport.SHARED_MEMORY)));
    }

    /** Starts {@code sleep 120}, writes its pid, signals; then waits for it, returns, or exits. */
    private static Task<Integer> startSleep(String pidFile, RunningSignal.Signal s, End end) {
        return () -> {
            Process sleep = new ProcessBuilder("sleep", "120").start();
            Files.writeString(Path.of(pidFile), Long.toString(sleep.pid()));
            s.running();
            switch (end) {
                case CLOSE -> {
                    return 0; // leaves it running; the worker then exits cleanly
                }
                case CRASH -> System.exit(1);
                default -> sleep.waitFor();
            }
            return 1;
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("ends")
    void whatATaskStartedEndsWithItsWorker(End end, Transport transport) throws Exception {
        String pidFile = dir.resolve("sleep.pid").toString();
        Tandem.Builder builder = Tandem.processes(1).transport(transport);
        TaskPool pool = (end == End.TIMEOUT ? builder.taskTimeout(Duration.ofSeconds(2)) : builder).start();
        long pid;
        try (RunningSignal signal = new RunningSignal()) {
            Future<Integer> f = pool.submit(startSleep(pidFile, signal.signal(), end));
            signal.awaitRunning(30);
            pid = Long.parseLong(Files.readString(Path.of(pidFile)));
            switch (end) {
                case TIMEOUT, CRASH -> Assertions.catchThrowableOfType(ExecutionException.class, f::get);
                case CANCEL -> f.cancel(true);
                case CLOSE -> pool.close();
                case SHUTDOWN_NOW -> pool.shutdownNow();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        Optional<ProcessHandle> sleep = ProcessHandle.of(pid);
        if (sleep.isPresent()) {
            sleep.get().onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .as("sleep " + pid)
                .isNotEqualTo(Optional.of(true));
    }
}
