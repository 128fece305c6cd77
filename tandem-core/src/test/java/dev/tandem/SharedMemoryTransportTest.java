package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.ipc.SharedSegment;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared-memory transport keeps the process contract where it matters most: deaths, kills,
 * timeouts, large payloads, and no segment left behind.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedMemoryTransportTest {

    private static Tandem.Builder shm(int workers) {
        return Tandem.processes(workers).transport(Transport.SHARED_MEMORY);
    }

    private static Throwable causeOf(Future<?> f) {
        return Assertions.assertThrows(ExecutionException.class, f::get).getCause();
    }

    private static List<Path> segments() throws IOException {
        Path dir = SharedSegment.directory();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName()
                            .toString()
                            .contains("-" + ProcessHandle.current().pid() + "-"))
                    .toList();
        }
    }

    @Test
    void deathsKillsAndTimeoutsAreReportedAsOverTheSocket() throws Exception {
        try (TaskPool pool = shm(1).taskTimeout(Duration.ofSeconds(2)).start();
                RunningSignal signal = new RunningSignal()) {
            Future<Integer> before = pool.submit(() -> 1);
            Future<Integer> exits = pool.submit(() -> {
                System.exit(4);
                return 0;
            });
            assertThat(before.get()).isEqualTo(1);
            assertThat(((WorkerLostException) causeOf(exits)).exitCode()).hasValue(4);

            RunningSignal.Signal s = signal.signal();
            Future<Integer> victim = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0;
            });
            signal.awaitRunning(30);
            ProcessHandle.of(pool.workerPids().getFirst()).orElseThrow().destroyForcibly();
            assertThat(((WorkerLostException) causeOf(victim)).signal()).hasValue("SIGKILL");

            Future<Integer> runaway = pool.submit(() -> {
                while (true) {
                    Thread.onSpinWait();
                }
            });
            assertThat(causeOf(runaway)).isInstanceOf(TaskTimeoutException.class);
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
        assertThat(segments()).as("segments left by this JVM").isEmpty();
    }

    /**
     * Over shared memory a thread waiting for its worker's only task reads the reply itself, and
     * the reader thread reads when nobody waits (see {@link ReplyReading}); every mix is answered.
     */
    @Test
    void repliesAreReadByWaitingThreadsOrTheReaderThreadWhateverTheMix() throws Exception {
        try (TaskPool pool = shm(1).start();
                RunningSignal signal = new RunningSignal()) {
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < 20; i++) {
                    int v = round * 100 + i;
                    assertThat(pool.submit(() -> v).get()).isEqualTo(v); // read by the waiting thread
                }
                int r = round;
                // invokeAny waits on a completion listener, not in get(): the reader thread reads
                assertThat(pool.invokeAny(List.<Task<Integer>>of(() -> r))).isEqualTo(r);
            }
            RunningSignal.Signal s = signal.signal();
            Future<Integer> slow = pool.submit(() -> {
                s.runningThenHold();
                return 9;
            });
            Socket gate = signal.awaitRunningAndHold(30);
            try {
                // a wait that runs out hands the reading back to the reader thread
                Assertions.assertThrows(TimeoutException.class, () -> slow.get(5, TimeUnit.MILLISECONDS));
            } finally {
                gate.close();
            }
            assertThat(pool.invokeAny(List.<Task<Integer>>of(() -> 10))).isEqualTo(10);
            assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(9);
        }
    }

    @Test
    void largePayloadsCrossInBothDirections() throws Exception {
        byte[] big = new byte[8 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (TaskPool pool = shm(1).start()) {
            byte[] back = pool.submit(() -> {
                        byte[] copy = big.clone();
                        copy[0] = 42;
                        return copy;
                    })
                    .get();
            assertThat(back).hasSize(big.length);
            assertThat(back[0]).isEqualTo((byte) 42);
            assertThat(back[big.length - 1]).isEqualTo(big[big.length - 1]);
            assertThat(segments())
                    .as("the worker's channel, while the pool runs")
                    .filteredOn(p -> p.getFileName().toString().startsWith("channel-"))
                    .hasSize(1);
        }
        assertThat(segments())
                .as("the channel and the segment that carried the argument, once the pool is closed")
                .isEmpty();
    }
}
