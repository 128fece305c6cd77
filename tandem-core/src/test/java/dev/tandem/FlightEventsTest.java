package dev.tandem;

import static dev.tandem.FlightRecording.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JFR events of issue 12 ("Observable"), recorded with {@code jdk.jfr} and read back from the
 * dumped file: a task's queue, start and finish in every mode; a worker's crash, its restart and the
 * crash loop's backoff; a recycled worker; a timeout's planned kill; the pool's failure; and which
 * events the JDK's default configuration records.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlightEventsTest {
    @TempDir
    Path dir;

    static List<Arguments> isolated() {
        return PoolContractTest.isolated().toList();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void aTaskIsQueuedStartedAndFinishedInEveryMode(Mode mode, Transport transport) throws Exception {
        List<RecordedEvent> events;
        long ok;
        long failing;
        int workers;
        try (FlightRecording recording = FlightRecording.all()) {
            TaskPool pool = builder(mode, transport).start();
            workers = pool.options().workers();
            try (pool) {
                Future<Integer> answer = pool.submit(() -> 42);
                assertThat(answer.get()).isEqualTo(42);
                Future<Integer> fails = pool.submit(() -> {
                    throw new IllegalStateException("boom");
                });
                catchThrowableOfType(ExecutionException.class, fails::get);
            }
            events = recording.events(pool, dir);
        }
        List<RecordedEvent> queued = named(events, "TaskQueued");
        List<RecordedEvent> started = named(events, "TaskStarted");
        List<RecordedEvent> finished = named(events, "TaskFinished");
        assertThat(queued).hasSize(2);
        assertThat(started).hasSize(2);
        assertThat(finished).hasSize(2);
        ok = queued.get(0).getLong("taskId");
        failing = queued.get(1).getLong("taskId");
        assertThat(ok).isNotEqualTo(failing);
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().startsWith("dev.tandem.Task")) {
                assertThat(e.getString("task")).startsWith(FlightEventsTest.class.getName());
            }
        }
        RecordedEvent start = byTask(started, ok);
        assertThat(start.getInt("attempt")).isEqualTo(1);
        assertThat(start.getDuration("waitTime")).isGreaterThanOrEqualTo(Duration.ZERO);
        if (mode.isolated()) {
            assertThat(start.getInt("workerId")).isPositive();
        } else {
            assertThat(start.getInt("workerId")).isZero();
            assertThat(start.getThread().getJavaName()).startsWith("tandem-");
        }
        RecordedEvent done = byTask(finished, ok);
        assertThat(done.getString("outcome")).isEqualTo("succeeded");
        assertThat(done.getString("error")).isNull();
        assertThat(done.getInt("workerId")).isEqualTo(start.getInt("workerId"));
        assertThat(done.getDuration("runTime")).isGreaterThanOrEqualTo(Duration.ZERO);
        RecordedEvent threw = byTask(finished, failing);
        assertThat(threw.getString("outcome")).isEqualTo("failed");
        assertThat(threw.getString("error")).isNotNull();
        if (mode.isolated()) {
            assertThat(named(events, "WorkerStarted")).hasSize(workers);
            assertThat(named(events, "WorkerDied"))
                    .hasSize(workers)
                    .allSatisfy(e -> assertThat(e.getBoolean("planned")).isTrue());
        } else {
            assertThat(named(events, "WorkerStarted")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("isolated")
    void aWorkerThatExitsIsRecordedAsAnUnplannedDeathAndRestartedAfterABackoff(Mode mode, Transport transport)
            throws Exception {
        List<RecordedEvent> events;
        try (FlightRecording recording = FlightRecording.all()) {
            TaskPool pool = one(mode).transport(transport).start();
            try (pool) {
                for (int i = 0; i < 2; i++) { // the second death, with no task completed between, backs off
                    Future<Integer> exits = pool.submit(() -> {
                        System.exit(3);
                        return 0;
                    });
                    ExecutionException e = catchThrowableOfType(ExecutionException.class, exits::get);
                    assertThat(e.getCause()).isInstanceOf(WorkerLostException.class);
                }
                assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
            }
            events = recording.events(pool, dir);
        }
        List<RecordedEvent> crashes = named(events, "WorkerDied").stream()
                .filter(e -> !e.getBoolean("planned"))
                .toList();
        assertThat(crashes).hasSize(2).allSatisfy(e -> {
            assertThat(e.getInt("exitCode")).isEqualTo(3);
            assertThat(e.getString("signal")).isNull();
            assertThat(e.getLong("pid")).isPositive();
            assertThat(e.getLong("tasksCompleted")).isZero();
            assertThat(e.getInt("tasksHeld")).isEqualTo(1);
        });
        List<RecordedEvent> lost = named(events, "TaskFinished").stream()
                .filter(e -> e.getString("outcome").equals("lost"))
                .toList();
        assertThat(lost)
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getString("error")).isEqualTo(WorkerLostException.class.getName()));
        assertThat(lost.stream().map(e -> e.getInt("workerId")))
                .containsExactlyElementsOf(
                        crashes.stream().map(e -> e.getInt("workerId")).toList());
        // The order docs/observability.md gives (issue 12): the pool learns of the death first
        // (WorkerDied, in WorkerWindow.deadLocked), then fails the task the worker held.
        for (int i = 0; i < crashes.size(); i++) {
            assertThat(lost.get(i).getStartTime())
                    .as(
                            "TaskFinished (lost) of worker %d after its WorkerDied",
                            crashes.get(i).getInt("workerId"))
                    .isAfterOrEqualTo(crashes.get(i).getStartTime());
        }
        // The first worker, then one replacement per crash; the second crash waited the backoff.
        assertThat(named(events, "WorkerStarted")).hasSize(3);
        assertThat(named(events, "RestartBackoff")).singleElement().satisfies(e -> {
            assertThat(e.getDuration("delay")).isEqualTo(Duration.ofMillis(10));
            assertThat(e.getInt("workerId")).isEqualTo(crashes.get(1).getInt("workerId"));
        });
        assertThat(named(events, "TaskFinished").stream().map(e -> e.getString("outcome")))
                .containsExactlyInAnyOrder("lost", "lost", "succeeded");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aRecycledWorkerIsRecordedWithItsPlannedExit(Mode mode, Transport transport) throws Exception {
        List<RecordedEvent> events;
        try (FlightRecording recording = FlightRecording.all()) {
            TaskPool pool = one(mode).transport(transport).maxTasksPerWorker(2).start();
            try (pool) {
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    assertThat(pool.submit(() -> n).get()).isEqualTo(n);
                }
            }
            events = recording.events(pool, dir);
        }
        RecordedEvent recycled = named(events, "WorkerRecycled").getFirst();
        assertThat(named(events, "WorkerRecycled")).hasSize(1);
        assertThat(recycled.getLong("tasks")).isEqualTo(2);
        assertThat(recycled.getString("reason")).contains("recycled after 2 tasks");
        RecordedEvent exit = named(events, "WorkerDied").stream()
                .filter(e -> e.getInt("workerId") == recycled.getInt("workerId"))
                .findFirst()
                .orElseThrow();
        assertThat(exit.getBoolean("planned")).isTrue();
        assertThat(exit.getString("reason")).contains("recycled after 2 tasks");
        assertThat(exit.getInt("exitCode")).isZero();
        assertThat(named(events, "WorkerDied"))
                .allSatisfy(e -> assertThat(e.getBoolean("planned")).isTrue());
        assertThat(named(events, "WorkerStarted")).hasSize(2);
        assertThat(named(events, "RestartBackoff")).isEmpty();
    }

    @Test
    void aTimedOutTaskIsRecordedWithThePlannedKillOfItsWorker() throws Exception {
        List<RecordedEvent> events;
        try (FlightRecording recording = FlightRecording.all()) {
            // 2 s, not less: the task after the timeout must finish within it on a loaded machine too.
            TaskPool pool =
                    one(Mode.PROCESSES).taskTimeout(Duration.ofSeconds(2)).start();
            try (pool) {
                Future<Integer> hangs = pool.submit(() -> {
                    RunningSignal.blockUntilStopped();
                    return 0;
                });
                ExecutionException e = catchThrowableOfType(ExecutionException.class, hangs::get);
                assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
                assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            }
            events = recording.events(pool, dir);
        }
        RecordedEvent timedOut = named(events, "TaskFinished").stream()
                .filter(e -> e.getString("outcome").equals("timed_out"))
                .findFirst()
                .orElseThrow();
        assertThat(timedOut.getString("error")).isEqualTo(TaskTimeoutException.class.getName());
        assertThat(timedOut.getDuration("runTime")).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        RecordedEvent killed = named(events, "WorkerDied").stream()
                .filter(e -> e.getInt("workerId") == timedOut.getInt("workerId"))
                .findFirst()
                .orElseThrow();
        assertThat(killed.getBoolean("planned")).isTrue();
        assertThat(killed.getString("reason")).contains("timed out");
        assertThat(killed.getString("signal")).isEqualTo("SIGKILL");
    }

    @Test
    void aPoolThatGivesUpIsRecorded() throws Exception {
        List<RecordedEvent> events;
        try (FlightRecording recording = FlightRecording.all()) {
            TaskPool pool = givingUpAfterOneExit(dir);
            try (pool) {
                exitIntoFailure(pool, dir);
                assertThatThrownBy(() -> pool.submit(() -> 2)).isInstanceOf(PoolFailedException.class);
            }
            events = recording.events(pool, dir);
        }
        assertThat(named(events, "PoolFailed"))
                .singleElement()
                .satisfies(e -> assertThat(e.getString("reason")).contains("restart limit"));
        assertThat(named(events, "TaskFinished").stream().map(e -> e.getString("outcome")))
                .containsExactly("lost");
        assertThat(named(events, "WorkerStarted")).hasSize(1);
    }

    @Test
    void theDefaultConfigurationRecordsFinishedTasksButNotQueuedOrStartedOnes() throws Exception {
        List<RecordedEvent> events;
        try (FlightRecording recording = FlightRecording.defaults()) {
            TaskPool pool = Tandem.threads(1).start();
            try (pool) {
                assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            }
            events = recording.events(pool, dir);
        }
        assertThat(events.stream().map(e -> e.getEventType().getName())).containsExactly("dev.tandem.TaskFinished");
        // A thread mode gives a task its id with its first recorded event: here the finish.
        assertThat(events.getFirst().getLong("taskId")).isPositive();
    }

    private static Tandem.Builder builder(Mode mode, Transport transport) {
        Tandem.Builder b = PoolContractTest.localBuilder(mode, transport);
        return mode.isolated() ? b.aotCache(false) : b;
    }

    /**
     * A one-worker process pool that allows one restart a minute and whose workers' initializer fails
     * once {@link #exitIntoFailure} created its marker in {@code dir}.
     */
    static TaskPool givingUpAfterOneExit(Path dir) {
        String marker = dir.resolve("broken").toString();
        return one(Mode.PROCESSES)
                .initializer(() -> {
                    if (Files.exists(Path.of(marker))) {
                        throw new IllegalStateException("the service went away");
                    }
                })
                .restartLimit(1, Duration.ofMinutes(1))
                .start();
    }

    /**
     * Runs a task that creates the marker of {@link #givingUpAfterOneExit} and exits its worker: the
     * replacement cannot start, and the pool gives up by itself, which this awaits.
     */
    static void exitIntoFailure(TaskPool pool, Path dir) throws Exception {
        String marker = dir.resolve("broken").toString();
        Future<Integer> exits = pool.submit(() -> {
            Files.createFile(Path.of(marker));
            System.exit(1);
            return 0;
        });
        catchThrowableOfType(ExecutionException.class, exits::get);
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }

    /** One worker, so that every task runs on it and it alone. */
    static Tandem.Builder one(Mode mode) {
        return (mode == Mode.PROCESSES ? Tandem.processes(1) : Tandem.hybrid(1, 2)).aotCache(false);
    }

    private static RecordedEvent byTask(List<RecordedEvent> events, long taskId) {
        return events.stream()
                .filter(e -> e.getLong("taskId") == taskId)
                .findFirst()
                .orElseThrow();
    }
}
