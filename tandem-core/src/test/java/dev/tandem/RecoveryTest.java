package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 §1 and §9: the restart policy gives up in bounded time and recovers at once; huge
 * durations mean "forever" instead of wedging the pool. Both transports, processes and hybrid.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecoveryTest {
    @TempDir
    Path dir;

    static List<Arguments> isolated() {
        return PoolContractTest.isolated().toList();
    }

    /**
     * Issue 9 §1: the initializer starts failing after the first worker started, a task kills its
     * worker; the next task stayed pending for ever. Now it fails with PoolFailedException once the
     * crash loop lasted a restart window.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("isolated")
    void aPoolWhoseReplacementsCannotStartFailsItsTasks(Mode mode, Transport transport) throws Exception {
        String marker = dir.resolve("service-gone").toString();
        Tandem.Builder one = mode == Mode.PROCESSES ? Tandem.processes(1) : Tandem.hybrid(1, 2);
        try (TaskPool pool = one.transport(transport)
                .initializer(() -> {
                    if (Files.exists(Path.of(marker))) {
                        throw new IllegalStateException("the service went away");
                    }
                })
                // The crash loop gives up a window after it began: 1 s (was 3 s) proves the same, as
                // a loaded machine only makes the loop longer, and the pool fails sooner.
                .restartLimit(20, Duration.ofSeconds(1))
                .start()) {
            Future<Integer> exits = pool.submit(() -> {
                Files.createFile(Path.of(marker));
                System.exit(1);
                return 1;
            });
            Assertions.catchThrowableOfType(ExecutionException.class, exits::get);
            Future<Integer> next = pool.submit(() -> 2);
            ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, next::get);
            assertThat(e.getCause()).isInstanceOf(PoolFailedException.class);
            assertThat(e.getCause().getMessage()).contains("without completing a task");
        }
    }

    @Test
    void aHugeTaskTimeoutMeansNoTimeoutInThreadModes() throws Exception {
        try (TaskPool pool = Tandem.threads(1)
                .taskTimeout(Duration.ofSeconds(Long.MAX_VALUE))
                .start()) {
            assertThat(pool.submit(() -> 5).get()).isEqualTo(5);
            assertThat(pool.options().taskTimeout()).isEqualTo(PoolOptions.MAX_DURATION);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("isolated")
    void hugeDurationsNeitherThrowNorWedgeTheProcessEngine(Mode mode, Transport transport) throws Exception {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .taskTimeout(huge)
                .workerStartTimeout(huge)
                .restartLimit(1, huge)
                .restartBackoff(huge, huge)
                .start()) {
            assertThat(pool.submit(() -> 5).get()).isEqualTo(5);
            Future<Integer> exits = pool.submit(() -> {
                System.exit(3);
                return 0;
            });
            Assertions.catchThrowableOfType(ExecutionException.class, exits::get);
            // the first death of a crash loop is replaced at once; the pool still answers
            assertThat(pool.submit(() -> 6).get()).isEqualTo(6);
        }
    }

    /**
     * Was (found by a fresh user's probe): a replacement waiting out its backoff when the pool failed was
     * still launched afterwards, and its failed start logged after the pool's {@code PoolFailedException}.
     * The pool now abandons such starts (when it has no workers left and starts pending, it tells its
     * starter); the launcher then refuses to launch, naming why, and starts no process.
     */
    @Test
    void aLauncherWhosePoolNeedsNoMoreWorkersLaunchesNone() {
        PoolOptions options = Tandem.processes(1).options();
        Set<Long> before = children();
        WorkerLauncher launcher = new WorkerLauncher(options, null, ReplyDecoder.of(options, BulkLane.off()));
        try {
            launcher.abandonStarts();
            assertThatThrownBy(() -> launcher.start(7, null))
                    .isInstanceOf(WorkerStartException.class)
                    .hasMessageContaining("worker 7 was not started: the pool needs no more workers");
            assertThat(children()).isEqualTo(before);
        } finally {
            launcher.close();
        }
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
