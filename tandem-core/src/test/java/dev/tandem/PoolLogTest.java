package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link System.Logger} lines of issue 12 ("Observable"), captured through the JDK's default
 * logger finder, which hands the {@code dev.tandem} logger to {@code java.util.logging}: WARNING for
 * crashes and crash-loop restarts, INFO for an immediate restart, ERROR (SEVERE) for a failed pool,
 * DEBUG (FINE) for what the pool planned, and nothing per task above DEBUG.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolLogTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedLog log = new CapturedLog(Level.FINE);

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Mode.class,
            names = {"PROCESSES", "HYBRID"})
    void aCrashIsAWarningAndSoIsACrashLoopsBackoffWhileAnImmediateRestartIsInfo(Mode mode) throws Exception {
        TaskPool pool = FlightEventsTest.one(mode).start();
        try (pool) {
            for (int i = 0; i < 2; i++) {
                Future<Integer> exits = pool.submit(() -> {
                    System.exit(3);
                    return 0;
                });
                catchThrowableOfType(ExecutionException.class, exits::get);
            }
            assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
        }
        List<LogRecord> lines = of(pool);
        assertThat(at(lines, Level.WARNING))
                .anySatisfy(m -> assertThat(m)
                        .matches(".*: worker 1 \\(pid \\d+\\) died unexpectedly: exit code 3 .*"
                                + "System.exit\\(3\\).*; it held 1 task and had completed 0 tasks"))
                .anySatisfy(m -> assertThat(m).matches(".*: worker 2 \\(pid \\d+\\) died unexpectedly: exit code 3 .*"))
                .anySatisfy(m ->
                        assertThat(m).contains("restarting worker 2 in 10 ms: workers die before completing a task"))
                .hasSize(3);
        assertThat(at(lines, Level.INFO))
                .singleElement()
                .satisfies(m -> assertThat(m).endsWith("): restarting worker 1 at once"));
        assertThat(at(lines, Level.SEVERE)).isEmpty();
        assertThat(at(lines, Level.FINE))
                .anySatisfy(m -> assertThat(m).matches(".*worker 3 \\(pid \\d+\\) started in \\d+ ms"))
                .anySatisfy(m -> assertThat(m).contains("worker 3").contains("ended by the pool (asked to exit)"));
    }

    @Test
    void recyclingAndShutdownAreDebugOnly() throws Exception {
        TaskPool pool =
                FlightEventsTest.one(Mode.PROCESSES).maxTasksPerWorker(1).start();
        try (pool) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(pool.submit(() -> n).get()).isEqualTo(n);
            }
        }
        List<LogRecord> lines = of(pool);
        assertThat(lines).allSatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.FINE));
        assertThat(at(lines, Level.FINE))
                .anySatisfy(m -> assertThat(m).matches(".*worker 1 \\(pid \\d+\\) retires: recycled after 1 tasks"))
                .anySatisfy(
                        m -> assertThat(m).contains("worker 1").contains("ended by the pool (recycled after 1 tasks)"))
                .anySatisfy(m -> assertThat(m).contains("starting a replacement for worker 1"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void tasksAreNeverLoggedAboveDebug(Mode mode, Transport transport) throws Exception {
        TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .taskTimeout(Duration.ofSeconds(30))
                .start();
        try (pool) {
            List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4, 5, 6, 7, 8));
            assertThat(squares).hasSize(8);
            Future<Integer> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            catchThrowableOfType(ExecutionException.class, fails::get);
            Future<Integer> cancelled = pool.submit(() -> {
                RunningSignal.blockUntilStopped();
                return 0;
            });
            cancelled.cancel(true);
        }
        assertThat(of(pool)).allSatisfy(r -> assertThat(r.getLevel().intValue()).isLessThan(Level.INFO.intValue()));
        if (!mode.isolated()) {
            assertThat(of(pool)).isEmpty();
        }
    }

    @Test
    void aPoolThatGivesUpIsAnErrorAndTheStartThatFailedAWarning() throws Exception {
        TaskPool pool = FlightEventsTest.givingUpAfterOneExit(dir);
        try (pool) {
            FlightEventsTest.exitIntoFailure(pool, dir);
        }
        List<LogRecord> lines = of(pool);
        assertThat(at(lines, Level.WARNING))
                .anySatisfy(m -> assertThat(m).contains("worker 1").contains("died unexpectedly: exit code 1"))
                .anySatisfy(
                        m -> assertThat(m).contains("worker 2 failed to start").contains("the service went away"));
        LogRecord error = lines.stream()
                .filter(r -> r.getLevel() == Level.SEVERE)
                .findFirst()
                .orElseThrow();
        assertThat(error.getMessage())
                .startsWith(prefix(pool) + "processes): failed: ")
                .contains("restart limit");
        assertThat(error.getThrown()).isInstanceOf(PoolFailedException.class);
    }

    private static String prefix(TaskPool pool) {
        return "Tandem pool " + ((AbstractTaskPool) pool).events.poolId + " (";
    }

    /** {@return the lines about {@code pool}} */
    private List<LogRecord> of(TaskPool pool) {
        String prefix = prefix(pool);
        return log.startingWith(prefix);
    }

    private static List<String> at(List<LogRecord> lines, Level level) {
        return lines.stream()
                .filter(r -> r.getLevel() == level)
                .map(LogRecord::getMessage)
                .toList();
    }
}
