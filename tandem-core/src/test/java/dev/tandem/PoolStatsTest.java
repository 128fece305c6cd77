package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TaskPool#stats()} in every mode: tasks by outcome, latency, the gauges (pool size, queue
 * depth, running tasks) while tasks are held, and the worker counters through a crash and recycling.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolStatsTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void everyTaskIsCountedOnceInItsOutcome(Mode mode, Transport transport) throws Exception {
        TaskPool pool = PoolContractTest.localBuilder(mode, transport).start();
        PoolStats before = pool.stats();
        assertThat(before.mode()).isEqualTo(mode);
        assertThat(before.tasksSubmitted()).isZero();
        assertThat(before.completed()).isZero();
        try (pool;
                RunningSignal signal = new RunningSignal()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(pool.submit(() -> n).get()).isEqualTo(n);
            }
            Future<Integer> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            catchThrowableOfType(ExecutionException.class, fails::get);
            RunningSignal.Signal s = signal.signal();
            Future<Integer> held = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0;
            });
            signal.awaitRunning(60);
            assertThat(held.cancel(true)).isTrue();
        }
        PoolStats after = pool.stats();
        assertThat(after.tasksSubmitted()).isEqualTo(5);
        assertThat(after.tasksSucceeded()).isEqualTo(3);
        assertThat(after.tasksFailed()).isEqualTo(1);
        assertThat(after.tasksCancelled()).isEqualTo(1);
        assertThat(after.tasksTimedOut()).isZero();
        assertThat(after.tasksLost()).isZero();
        assertThat(after.completed()).isEqualTo(5);
        assertThat(after.taskLatencyNanos()).isPositive();
        assertThat(after.tasksTimed())
                .as("stats() was called before the first task")
                .isEqualTo(5);
        assertThat(after.meanTaskLatencyNanos()).isPositive();
        assertThat(after.queued()).isZero();
        assertThat(after.running()).isZero();
        assertThat(after.workers()).isZero();
        // A cancelled task's worker is killed and replaced in PROCESSES; a hybrid worker interrupts it.
        assertThat(after.workersStarted())
                .isGreaterThanOrEqualTo(mode.isolated() ? pool.options().workers() : 0);
        if (!mode.isolated()) {
            assertThat(after.workersStarted()).isZero();
        }
        assertThat(after.workersDied()).isZero();
        assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.stats().tasksSubmitted())
                .as("a rejected task is not counted")
                .isEqualTo(5);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void queueDepthAndRunningTasksAreGauges(Mode mode, Transport transport) throws Exception {
        TaskPool pool = PoolContractTest.localBuilder(mode, transport).start();
        // Slots: how many tasks the pool runs at once (2 threads, 2 workers, 2 x 2 hybrid).
        int slots = mode == Mode.VIRTUAL_THREADS
                ? 3
                : pool.options().workers() * pool.options().threadsPerWorker();
        int extra = mode == Mode.VIRTUAL_THREADS ? 0 : 3;
        List<Socket> gates = new ArrayList<>();
        List<Future<Integer>> futures = new ArrayList<>();
        try (pool;
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            for (int i = 0; i < slots + extra; i++) {
                futures.add(pool.submit(() -> {
                    s.runningThenHold();
                    return 1;
                }));
            }
            for (int i = 0; i < slots; i++) {
                gates.add(signal.awaitRunningAndHold(60));
            }
            PoolStats busy = pool.stats();
            assertThat(busy.running()).isEqualTo(slots);
            assertThat(busy.queued()).isEqualTo(extra);
            assertThat(busy.workers())
                    .isEqualTo(
                            mode == Mode.VIRTUAL_THREADS
                                    ? slots
                                    : pool.options().workers());
            assertThat(busy.tasksSubmitted()).isEqualTo(slots + extra);
            assertThat(busy.completed()).isZero();
            for (Socket gate : gates) {
                gate.close();
            }
            for (int i = 0; i < extra; i++) {
                signal.awaitRunningAndHold(60).close();
            }
            for (Future<Integer> f : futures) {
                assertThat(f.get()).isEqualTo(1);
            }
        }
        PoolStats idle = pool.stats();
        assertThat(idle.running()).isZero();
        assertThat(idle.queued()).isZero();
        assertThat(idle.tasksSucceeded()).isEqualTo(slots + extra);
        assertThat(idle.tasksTimed())
                .as("isolated modes time every task; thread modes those submitted after the first stats()")
                .isEqualTo(mode.isolated() ? slots + extra : 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Mode.class,
            names = {"THREADS", "VIRTUAL_THREADS"})
    void aThreadPoolTimesItsTasksFromItsFirstStatsCallOnAndCountsEveryTask(Mode mode) throws Exception {
        TaskPool pool = (mode == Mode.THREADS ? Tandem.threads(2) : Tandem.virtualThreads()).start();
        try (pool) {
            for (int i = 0; i < 3; i++) {
                assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            }
            // A task is counted just after its future completes, so only the untimed counters are
            // certain here; the counts are checked once close() has waited for every task.
            PoolStats first = pool.stats();
            assertThat(first.tasksTimed()).isZero();
            assertThat(first.taskLatencyNanos()).isZero();
            assertThat(first.meanTaskLatencyNanos()).isNaN();
            Future<Integer> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            catchThrowableOfType(ExecutionException.class, fails::get);
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
        PoolStats then = pool.stats();
        assertThat(then.completed()).isEqualTo(5);
        assertThat(then.tasksSucceeded()).isEqualTo(4);
        assertThat(then.tasksFailed()).isEqualTo(1);
        assertThat(then.tasksTimed())
                .as("the two submitted after the first stats()")
                .isEqualTo(2);
        assertThat(then.taskLatencyNanos()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Mode.class,
            names = {"PROCESSES", "HYBRID"})
    void aCrashCountsADeathAndARestartButAShutdownDoesNot(Mode mode) throws Exception {
        TaskPool pool = FlightEventsTest.one(mode).start();
        try (pool) {
            Future<Integer> exits = pool.submit(() -> {
                System.exit(3);
                return 0;
            });
            catchThrowableOfType(ExecutionException.class, exits::get);
            assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
            PoolStats now = pool.stats();
            assertThat(now.workers()).isEqualTo(1);
            assertThat(now.workersDied()).isEqualTo(1);
            assertThat(now.workersRestarted()).isEqualTo(1);
            assertThat(now.workersStarted()).isEqualTo(2);
        }
        PoolStats after = pool.stats();
        assertThat(after.workersDied()).isEqualTo(1);
        assertThat(after.workersRestarted()).isEqualTo(1);
        assertThat(after.tasksLost()).isEqualTo(1);
        assertThat(after.tasksSucceeded()).isEqualTo(1);
        assertThat(after.workersRecycled()).isZero();
    }

    @Test
    void recycledWorkersAreCountedAsRecycledNotAsDeaths() throws Exception {
        TaskPool pool =
                FlightEventsTest.one(Mode.PROCESSES).maxTasksPerWorker(1).start();
        try (pool) {
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
        PoolStats after = pool.stats();
        assertThat(after.workersRecycled()).isEqualTo(2);
        assertThat(after.workersDied()).isZero();
        assertThat(after.workersRestarted()).isZero();
        assertThat(after.workersStarted()).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Mode.class,
            names = {"THREADS", "PROCESSES"})
    void aTimedOutTaskIsCountedAsTimedOut(Mode mode) throws Exception {
        Tandem.Builder b = mode == Mode.THREADS ? Tandem.threads(1) : FlightEventsTest.one(mode);
        TaskPool pool = b.taskTimeout(Duration.ofMillis(200)).start();
        try (pool) {
            Future<Integer> hangs = pool.submit(() -> {
                RunningSignal.blockUntilStopped();
                return 0;
            });
            ExecutionException e = catchThrowableOfType(ExecutionException.class, hangs::get);
            assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
        }
        assertThat(pool.stats().tasksTimedOut()).isEqualTo(1);
        assertThat(pool.stats().workersDied()).as("a timeout's kill is planned").isZero();
    }

    /** Counters are read completions first, so no snapshot shows more completed than submitted. */
    @Test
    void noSnapshotShowsMoreTasksCompletedThanSubmitted() throws Exception {
        try (TaskPool pool = Tandem.threads(2).start()) {
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch reading = new CountDownLatch(1);
            List<String> wrong = new ArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                reading.countDown();
                while (!done.get()) {
                    PoolStats s = pool.stats();
                    if (s.completed() > s.tasksSubmitted() || s.queued() < 0 || s.running() < 0) {
                        wrong.add(s.toString());
                    }
                }
            });
            reading.await();
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                futures.add(pool.submit(() -> 1));
            }
            for (Future<Integer> f : futures) {
                f.get();
            }
            done.set(true);
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(wrong).isEmpty();
        }
    }
}
