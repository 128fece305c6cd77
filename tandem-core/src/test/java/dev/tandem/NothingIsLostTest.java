package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stress: several threads submit thousands of tasks while some of them kill their worker and some
 * throw. Every future completes, each with its own value or its own failure; nothing is lost,
 * doubled or crossed.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NothingIsLostTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PROCESSES, SOCKET", "HYBRID, SOCKET", "HYBRID, SHARED_MEMORY"})
    void everyFutureCompletesWithItsOwnOutcome(Mode mode, Transport transport) throws Exception {
        Tandem.Builder b = (mode == Mode.PROCESSES ? Tandem.processes(2) : Tandem.hybrid(2, 3)).transport(transport);
        try (TaskPool pool =
                b.restartLimit(100, Duration.ofMinutes(1)).forwardOutput(false).start()) {
            int submitters = 4;
            int perSubmitter = 1000;
            List<List<Future<Integer>>> all = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < submitters; s++) {
                List<Future<Integer>> mine = new ArrayList<>();
                all.add(mine);
                int base = s * perSubmitter;
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < perSubmitter; i++) {
                        int n = base + i;
                        mine.add(pool.submit(() -> {
                            if (n % 499 == 7) {
                                Runtime.getRuntime().halt(42);
                            }
                            if (n % 97 == 3) {
                                throw new IllegalArgumentException("task " + n);
                            }
                            return n;
                        }));
                    }
                });
                threads.add(t);
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            int values = 0;
            int thrown = 0;
            int lost = 0;
            for (int s = 0; s < submitters; s++) {
                List<Future<Integer>> mine = all.get(s);
                assertThat(mine).hasSize(perSubmitter);
                for (int i = 0; i < perSubmitter; i++) {
                    int n = s * perSubmitter + i;
                    try {
                        assertThat(mine.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(n);
                        values++;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof IllegalArgumentException iae) {
                            assertThat(iae).hasMessage("task " + n);
                            thrown++;
                        } else {
                            assertThat(e.getCause()).isInstanceOf(WorkerLostException.class);
                            lost++;
                        }
                    }
                }
            }
            int total = submitters * perSubmitter;
            assertThat(values + thrown + lost).isEqualTo(total);
            // every halting task loses at least itself; a hybrid death also takes its co-runners
            long halting = IntStream.range(0, total).filter(n -> n % 499 == 7).count();
            assertThat(lost).isGreaterThanOrEqualTo((int) halting);
            if (mode == Mode.PROCESSES) {
                assertThat(lost).isEqualTo((int) halting);
            }
            assertThat(thrown).isGreaterThan(0);
        }
    }
}
