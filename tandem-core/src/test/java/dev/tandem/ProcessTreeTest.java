package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** {@return "pid pgrp session" of the process whose /proc/self is read, and its autogroup line} */
    private static String identity() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        Path autogroup = Path.of("/proc/self/autogroup");
        String group = Files.isReadable(autogroup) ? Files.readString(autogroup).strip() : "none";
        return ProcessHandle.current().pid() + " " + f[2] + " " + f[3] + "|" + group;
    }

    /**
     * A worker leads a process group of its own, but stays in its caller's session, and so in its
     * caller's scheduling group: started under {@code setsid}, each worker was a session, and with
     * {@code sched_autogroup} a scheduling group, of its own, which halved the shared-memory
     * transport's throughput.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void aWorkerLeadsItsGroupInTheCallersSessionNotAnAutogroupOfItsOwn(Transport transport) throws Exception {
        String caller = identity();
        String[] callerIds = caller.substring(0, caller.indexOf('|')).split(" ");
        String worker;
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            worker = pool.submit(ProcessTreeTest::identity).get(60, TimeUnit.SECONDS);
        }
        String[] ids = worker.substring(0, worker.indexOf('|')).split(" ");
        assertThat(ids[1]).as("the worker's process group, in " + worker).isEqualTo(ids[0]);
        assertThat(ids[2])
                .as("the worker's session, in " + worker + "; the caller's: " + caller)
                .isEqualTo(callerIds[2]);
        assertThat(worker.substring(worker.indexOf('|')))
                .as("autogroup")
                .isEqualTo(caller.substring(caller.indexOf('|')));
    }

    /**
     * Job-control stops do not stop a worker. They used to be discarded by the kernel, for a worker
     * leading an orphaned process group (a session of its own); in its caller's session the worker
     * ignores them itself. A stopped worker would be killed by the freeze watch and replaced: the
     * second task would then run in another worker.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TSTP", "TTIN", "TTOU"})
    void aJobControlStopDoesNotStopAWorker(String signal) throws Exception {
        try (TaskPool pool = Tandem.processes(1).retriesOnWorkerLoss(1).start()) {
            long pid = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .inheritIO()
                    .start();
            assertThat(kill.waitFor()).as("kill -" + signal).isZero();
            long after = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
            assertThat(after)
                    .as("the worker that ran the task after SIG" + signal)
                    .isEqualTo(pid);
            assertThat(ProcessTree.stopped(pid)).as("stopped").isFalse();
        }
    }
}
