package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract, every backend (as the JDK's CloseTest runs the same cases over each executor):
 * threads, virtual threads, processes and hybrid pass the same lifecycle, cancel, timeout,
 * exception and rejection tests. Another module runs the same contract on its backend by extending
 * this class (from tandem-core's test jar) and overriding {@link #modes()} and
 * {@link #builder(Mode, Transport)}: the cluster mode does.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolContractTest {
    /**
     * The ids {@link #release(long)} released: a set of the test's JVM, so that only tasks run by its
     * threads see them; a worker JVM's task spins on until the pool stops it.
     */
    private static final Set<Long> RELEASED = ConcurrentHashMap.newKeySet();

    private static final AtomicLong NEXT_ID = new AtomicLong();

    /**
     * The pools of the tests that only run tasks and read what comes back (no cancel, timeout,
     * shutdown, initializer or kill): one per backend, started by the first of them and closed after
     * the class; keyed by mode and transport. Their workers are {@link NoStrayProcesses#KEPT} while
     * they live, so a worker lost or replaced during one of those tests is a stray that fails it.
     */
    private final Map<List<Object>, TaskPool> shared = new HashMap<>();

    private final Set<Long> sharedProcesses = new HashSet<>();

    /** {@return the backends every test runs on: {@link #localModes()} here} */
    Stream<Arguments> modes() {
        return localModes();
    }

    /** Every local mode, and the isolated ones once more over the shared-memory transport. */
    static Stream<Arguments> localModes() {
        return Stream.concat(
                Stream.of(Mode.values()).filter(m -> m != Mode.CLUSTER).map(m -> Arguments.of(m, Transport.SOCKET)),
                Stream.of(
                        Arguments.of(Mode.PROCESSES, Transport.SHARED_MEMORY),
                        Arguments.of(Mode.HYBRID, Transport.SHARED_MEMORY)));
    }

    /** The isolated modes over both transports. */
    static Stream<Arguments> isolated() {
        return Stream.of(Mode.PROCESSES, Mode.HYBRID)
                .flatMap(m -> Stream.of(Arguments.of(m, Transport.SOCKET), Arguments.of(m, Transport.SHARED_MEMORY)));
    }

    /** {@return the pool the task-only tests of {@code mode} over {@code transport} share} */
    TaskPool sharedPool(Mode mode, Transport transport) {
        TaskPool pool = shared.get(List.of(mode, transport));
        if (pool == null) {
            pool = sharedBuilder(mode, transport).start();
            shared.put(List.of(mode, transport), pool);
            Set<Long> kept = processesToKeep(pool);
            sharedProcesses.addAll(kept);
            NoStrayProcesses.KEPT.addAll(kept);
        }
        return pool;
    }

    /** {@return the builder of the pool the task-only tests share: {@link #builder(Mode, Transport)}'s} */
    Tandem.Builder sharedBuilder(Mode mode, Transport transport) {
        return builder(mode, transport);
    }

    /** {@return the processes a pool shared between tests keeps: its workers} */
    Set<Long> processesToKeep(TaskPool pool) {
        return new HashSet<>(pool.workerPids());
    }

    @AfterAll
    void closeSharedPools() {
        try {
            for (TaskPool pool : shared.values()) {
                pool.close();
                assertThat(pool.isTerminated()).isTrue();
            }
        } finally {
            shared.values().forEach(TaskPool::shutdownNow);
            shared.clear();
            NoStrayProcesses.KEPT.removeAll(sharedProcesses);
            sharedProcesses.clear();
        }
    }

    /** {@return the builder of a pool of {@code mode} over {@code transport}, with its tasks' parallelism 2 to 4} */
    Tandem.Builder builder(Mode mode, Transport transport) {
        return localBuilder(mode, transport);
    }

    /** {@return the builder of a local pool of {@code mode} over {@code transport}, as the contract runs it} */
    static Tandem.Builder localBuilder(Mode mode, Transport transport) {
        Tandem.Builder b = switch (mode) {
            case THREADS -> Tandem.threads(2);
            case VIRTUAL_THREADS -> Tandem.virtualThreads();
            case PROCESSES -> Tandem.processes(2);
            case HYBRID -> Tandem.hybrid(2, 2);
            case CLUSTER -> throw new IllegalArgumentException("the cluster module's ClusterContractTest runs CLUSTER");
        };
        return transport == Transport.SHARED_MEMORY ? b.transport(transport) : b;
    }

    /** {@return a new id for {@link #busyUntilReleased(long, long, int)}} */
    static long releaseId() {
        return NEXT_ID.incrementAndGet();
    }

    /**
     * Ends, in this JVM, the tasks of {@link #busyUntilReleased(long, long, int)} given {@code id}:
     * a thread-mode pool cannot stop a task that ignores interrupts, and its {@code close()} would
     * otherwise wait out the whole spin after the test has seen what it came for.
     */
    static void release(long id) {
        RELEASED.add(id);
    }

    /**
     * A task that runs about {@code millis} ignoring interrupts, as {@link #busy(long, int)}, or
     * until {@code id} is released in the JVM that runs it, then returns {@code value}.
     */
    static Task<Integer> busyUntilReleased(long id, long millis, int value) {
        return () -> spinUntilReleased(id, millis, value);
    }

    /** {@return {@code value}, after about {@code millis} ignoring interrupts, or once {@code id} is released here} */
    static <T> T spinUntilReleased(long id, long millis, T value) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && !RELEASED.contains(id)) {
            Thread.onSpinWait();
        }
        return value;
    }

    /** A task that runs about {@code millis}, ignoring interrupts, then returns {@code value}. */
    static Task<Integer> busy(long millis, int value) {
        return () -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return value;
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void submitReturnsTheTasksValue(Mode mode, Transport transport) throws Exception {
        TaskPool pool = sharedPool(mode, transport);
        assertThat(pool.mode()).isEqualTo(mode);
        assertThat(pool.submit(() -> 6 * 7).get()).isEqualTo(42);
        String captured = "captured";
        assertThat(pool.submit(() -> captured + "!").get()).isEqualTo("captured!");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void taskExceptionKeepsClassMessageAndRemoteFrames(Mode mode, Transport transport) throws Exception {
        TaskPool pool = sharedPool(mode, transport);
        Future<Object> f = pool.submit(PoolContractTest::throwIllegalState);
        assertThatThrownBy(f::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom 7");
        ExecutionException e = Assertions.assertThrows(ExecutionException.class, f::get);
        assertThat(e.getCause().getStackTrace())
                .extracting(StackTraceElement::getMethodName)
                .contains("throwIllegalState");
    }

    static Object throwIllegalState() {
        throw new IllegalStateException("boom " + 7);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void invokeAllReturnsEveryResultInOrder(Mode mode, Transport transport) throws Exception {
        TaskPool pool = sharedPool(mode, transport);
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            tasks.add(() -> n * n);
        }
        List<Future<Integer>> futures = pool.invokeAll(tasks);
        for (int i = 0; i < 20; i++) {
            assertThat(futures.get(i).get()).isEqualTo(i * i);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void invokeAnyReturnsASuccessAndFailsWhenAllFail(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = builder(mode, transport).start()) {
            List<Task<Integer>> tasks = List.of(
                    () -> {
                        throw new IllegalStateException("no");
                    },
                    () -> 5);
            assertThat(pool.invokeAny(tasks)).isEqualTo(5);
            List<Task<Integer>> failing = List.of(() -> {
                throw new IllegalStateException("no");
            });
            assertThatThrownBy(() -> pool.invokeAny(failing))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .hasMessage("no");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void cancelOfARunningTaskCancelsItAndThePoolGoesOn(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = builder(mode, transport).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            Future<Integer> f = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 1;
            });
            signal.awaitRunning(30);
            assertThat(f.cancel(true)).isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void cancelOfAQueuedTaskMeansItNeverRuns(Mode mode, Transport transport) throws Exception {
        // Virtual threads start every task at once, so nothing is ever queued there.
        Assumptions.assumeTrue(mode != Mode.VIRTUAL_THREADS);
        try (TaskPool pool = builder(mode, transport).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            List<Future<Integer>> blockers = new ArrayList<>();
            for (int i = 0; i < pool.options().parallelism(); i++) {
                blockers.add(pool.submit(() -> {
                    s.running();
                    RunningSignal.blockUntilStopped();
                    return 0;
                }));
            }
            for (int i = 0; i < blockers.size(); i++) {
                signal.awaitRunning(30);
            }
            Future<Integer> queued = pool.submit(() -> {
                s.running();
                return 1;
            });
            assertThat(queued.cancel(false)).isTrue();
            blockers.forEach(b -> b.cancel(true));
            assertThat(pool.submit(() -> 3).get()).isEqualTo(3);
            assertThat(queued.isCancelled()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void timeoutFailsAtTheDeadlineEvenIfTheTaskIgnoresInterrupts(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool =
                builder(mode, transport).taskTimeout(Duration.ofSeconds(2)).start()) {
            // 2 s, not less: the next task may be a fresh worker's first, slow on a loaded machine
            long id = releaseId();
            Future<Integer> slow = pool.submit(busyUntilReleased(id, 6_000, 1));
            try {
                assertThatThrownBy(slow::get)
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(TaskTimeoutException.class)
                        .hasMessageContaining("timed out");
                assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
            } finally {
                // The ignoring task keeps its thread (threads cannot be killed): once the timeout was
                // seen, let it end rather than have close() wait out its 6 s. A worker never sees this.
                release(id);
            }
            if (!mode.isolated()) {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void shutdownDrainsQueuedTasksAndThenTerminates(Mode mode, Transport transport) throws Exception {
        TaskPool pool = builder(mode, transport).start();
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(pool.submit(busy(5, i)));
            }
            pool.shutdown();
            assertThat(pool.isShutdown()).isTrue();
            assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.isTerminated()).isTrue();
            for (int i = 0; i < 20; i++) {
                assertThat(futures.get(i).get()).isEqualTo(i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void shutdownNowReturnsTheTasksThatNeverStarted(Mode mode, Transport transport) throws Exception {
        Assumptions.assumeTrue(mode != Mode.VIRTUAL_THREADS);
        TaskPool pool = builder(mode, transport).start();
        try (RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            int p = pool.options().parallelism();
            for (int i = 0; i < p; i++) {
                pool.submit(() -> {
                    s.running();
                    RunningSignal.blockUntilStopped();
                    return 0;
                });
            }
            for (int i = 0; i < p; i++) {
                signal.awaitRunning(30);
            }
            for (int i = 0; i < 5; i++) {
                pool.submit(() -> 1);
            }
            List<Runnable> never = pool.shutdownNow();
            assertThat(never).hasSize(5);
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void closeWaitsForSubmittedTasks(Mode mode, Transport transport) throws Exception {
        Future<Integer> f;
        TaskPool pool = builder(mode, transport).start();
        try (pool) {
            f = pool.submit(busy(200, 9));
        }
        assertThat(pool.isTerminated()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThat(f.get()).isEqualTo(9);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void mapReturnsOutputsInInputOrder(Mode mode, Transport transport) {
        TaskPool pool = sharedPool(mode, transport);
        List<Integer> inputs = IntStream.range(0, 20_000).boxed().toList();
        List<Long> out = pool.map(x -> (long) x * x, inputs);
        assertThat(out).hasSize(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(out.get(i)).isEqualTo((long) i * i);
        }
        assertThat(pool.map(x -> x, List.<Integer>of())).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void mapFailureNamesTheInputAndCarriesTheCause(Mode mode, Transport transport) {
        try (TaskPool pool = builder(mode, transport).start()) {
            List<Integer> inputs = IntStream.range(0, 1000).boxed().toList();
            assertThatThrownBy(() -> pool.map(
                            x -> {
                                if (x == 777) {
                                    throw new ArithmeticException("bad input " + x);
                                }
                                return x;
                            },
                            inputs))
                    .isInstanceOf(TaskExecutionException.class)
                    .satisfies(e -> assertThat(((TaskExecutionException) e).inputIndex())
                            .isEqualTo(777))
                    .cause()
                    .isInstanceOf(ArithmeticException.class)
                    .hasMessage("bad input 777");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void initializerRunsBeforeTasks(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = builder(mode, transport)
                .initializer(() -> System.setProperty("tandem.test.init", "yes"))
                .start()) {
            assertThat(pool.submit(() -> System.getProperty("tandem.test.init")).get())
                    .isEqualTo("yes");
        } finally {
            System.clearProperty("tandem.test.init");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void isolatedModesCopyWhatTasksCaptureAndThreadsShareIt(Mode mode, Transport transport) throws Exception {
        int[] captured = {0};
        sharedPool(mode, transport)
                .submit(() -> {
                    captured[0] = 1;
                    return null;
                })
                .get();
        assertThat(captured[0]).isEqualTo(mode.isolated() ? 0 : 1);
    }
}
