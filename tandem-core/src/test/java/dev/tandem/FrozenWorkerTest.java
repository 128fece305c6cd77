package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Was: a worker stopped from outside (SIGSTOP) while idle still got the next task, which then waited
 * for ever without a {@code taskTimeout}, and so did {@code close()}. Now a worker stopped for
 * {@link FreezeWatch#LIMIT_NANOS} is killed and replaced, and its task ends as after any outside kill:
 * retried where {@code retriesOnWorkerLoss} allows, else a {@link WorkerLostException} naming the stop.
 * Each case waits out the 10 s limit once.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FrozenWorkerTest {
    private static long stop(long pid) throws Exception {
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
        assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stop.exitValue()).isZero();
        return pid;
    }

    @ParameterizedTest(name = "{0} {1}, retries {2}")
    @CsvSource({"PROCESSES, SOCKET, 0", "HYBRID, SHARED_MEMORY, 1"})
    void aTaskGivenToAWorkerFrozenWhileIdleEndsAndThePoolGoesOn(Mode mode, Transport transport, int retries)
            throws Exception {
        Tandem.Builder one = mode == Mode.PROCESSES ? Tandem.processes(1) : Tandem.hybrid(1, 2);
        try (TaskPool pool =
                one.transport(transport).retriesOnWorkerLoss(retries).start()) {
            long frozen = stop(pool.workerPids().getFirst());
            var task = pool.submit(() -> ProcessHandle.current().pid());
            if (retries == 0) {
                ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, task::get);
                assertThat(e.getCause())
                        .isInstanceOf(WorkerLostException.class)
                        .hasMessageContaining("stopped from outside (SIGSTOP)");
            } else {
                assertThat(task.get()).as("run again on the replacement").isNotEqualTo(frozen);
            }
            assertThat(pool.submit(() -> ProcessHandle.current().pid()).get()).isNotEqualTo(frozen);
            assertThat(ProcessHandle.of(frozen).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        }
    }
}
