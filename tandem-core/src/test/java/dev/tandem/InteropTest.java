package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.core.task.support.TaskExecutorAdapter;

/**
 * The pool in the JDK's and the ecosystem's vocabulary, in every mode: {@code supplyAsync} and
 * {@code CompletionStage} composition, results streamed in input order and in completion order
 * (with early close and endless inputs), the progress hook of {@code map},
 * {@code ExecutorCompletionService}, and the wrappers that cannot cross a process boundary.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InteropTest {
    /**
     * The pools of the tests that only submit tasks and read what comes back (no cancel, timeout,
     * kill, failed map, or reliance on a fresh pool's first batches): one per backend, started by the
     * first of them and closed after the class, as {@link PoolContractTest} shares its pools. Their
     * workers are {@link NoStrayProcesses#KEPT} while they live, so a worker lost or replaced during
     * one of those tests is a stray that fails it.
     */
    private static final Map<List<Object>, TaskPool> SHARED = new HashMap<>();

    private static final Set<Long> SHARED_PROCESSES = new HashSet<>();

    static Stream<Arguments> modes() {
        return PoolContractTest.localModes();
    }

    private static TaskPool start(Mode mode, Transport transport) {
        return PoolContractTest.localBuilder(mode, transport).start();
    }

    /** {@return the pool the task-only tests of {@code mode} over {@code transport} share} */
    private static synchronized TaskPool shared(Mode mode, Transport transport) {
        TaskPool pool = SHARED.get(List.of(mode, transport));
        if (pool == null) {
            pool = start(mode, transport);
            SHARED.put(List.of(mode, transport), pool);
            Set<Long> kept = new HashSet<>(pool.workerPids());
            SHARED_PROCESSES.addAll(kept);
            NoStrayProcesses.KEPT.addAll(kept);
        }
        return pool;
    }

    @AfterAll
    static synchronized void closeSharedPools() {
        try {
            for (TaskPool pool : SHARED.values()) {
                pool.close();
                assertThat(pool.isTerminated()).isTrue();
            }
        } finally {
            SHARED.values().forEach(TaskPool::shutdownNow);
            SHARED.clear();
            NoStrayProcesses.KEPT.removeAll(SHARED_PROCESSES);
            SHARED_PROCESSES.clear();
        }
    }

    /**
     * A pool that runs one task at a time (virtual threads aside): a task submitted after one that
     * blocks runs only if the blocking one was stopped.
     */
    private static TaskPool startOneAtATime(Mode mode, Transport transport) {
        Tandem.Builder b = switch (mode) {
            case THREADS -> Tandem.threads(1);
            case VIRTUAL_THREADS -> Tandem.virtualThreads();
            case PROCESSES -> Tandem.processes(1);
            case HYBRID -> Tandem.hybrid(1, 1);
            case CLUSTER -> throw new IllegalArgumentException("InteropTest runs the local modes only");
        };
        return (transport == Transport.SHARED_MEMORY ? b.transport(transport) : b).start();
    }

    /** A task that signals it runs, blocks until stopped, and signals {@code stopped} if interrupted. */
    private static Task<Integer> blocker(RunningSignal.Signal running, RunningSignal.Signal stopped) {
        return () -> {
            running.running();
            try {
                RunningSignal.blockUntilStopped();
            } catch (InterruptedException e) {
                stopped.running();
                throw e;
            }
            return -1;
        };
    }

    /** Proves the blocker was stopped: interrupted (virtual threads), or its one slot is free again. */
    private static void assertStopped(TaskPool pool, RunningSignal stopped) throws Exception {
        if (pool.mode() == Mode.VIRTUAL_THREADS) {
            stopped.awaitRunning(60);
        }
        assertThat(pool.submit(() -> 42).get(50, TimeUnit.SECONDS)).isEqualTo(42);
    }

    /** Blocks until interrupted (or a minute); as a function's body, which cannot throw checked exceptions. */
    private static int blockUntilStopped() {
        try {
            RunningSignal.blockUntilStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped", e);
        }
        return -1;
    }

    // ------------------------------------------------------------ supplyAsync

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void supplyAsyncComposesAsACompletionStage(Mode mode, Transport transport) throws Exception {
        TaskPool pool = shared(mode, transport);
        CompletableFuture<Integer> six = pool.supplyAsync(() -> 6);
        CompletableFuture<Integer> seven = pool.supplyAsync(() -> 7);
        CompletableFuture<String> answer =
                six.thenCombine(seven, (a, b) -> a * b).thenApply(v -> "answer " + v);
        assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo("answer 42");
        CompletableFuture<Integer> chained =
                six.thenCompose(v -> pool.supplyAsync(() -> v + 1)).toCompletableFuture();
        assertThat(chained.get(60, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(CompletableFuture.allOf(six, seven)
                        .thenApply(x -> six.join() + seven.join())
                        .get(60, TimeUnit.SECONDS))
                .isEqualTo(13);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void supplyAsyncFailsWithTheTasksOwnException(Mode mode, Transport transport) {
        TaskPool pool = shared(mode, transport);
        CompletableFuture<Object> f = pool.supplyAsync(() -> {
            throw new ArithmeticException("no");
        });
        assertThatThrownBy(f::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("no");
        assertThat(f.exceptionally(e -> "recovered from " + e.getClass().getSimpleName())
                        .join())
                .isEqualTo("recovered from ArithmeticException");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void cancellingTheCompletableFutureStopsTheTask(Mode mode, Transport transport) throws Exception {
        try (RunningSignal started = new RunningSignal();
                RunningSignal stopped = new RunningSignal();
                TaskPool pool = startOneAtATime(mode, transport)) {
            CompletableFuture<Integer> f = pool.supplyAsync(blocker(started.signal(), stopped.signal()));
            started.awaitRunning(60);
            assertThat(f.cancel(false)).isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertStopped(pool, stopped);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void orTimeoutReachesTheTask(Mode mode, Transport transport) throws Exception {
        try (RunningSignal started = new RunningSignal();
                RunningSignal stopped = new RunningSignal();
                TaskPool pool = startOneAtATime(mode, transport)) {
            CompletableFuture<Integer> f = pool.supplyAsync(blocker(started.signal(), stopped.signal()));
            started.awaitRunning(60);
            CompletableFuture<Integer> timed = f.orTimeout(1, TimeUnit.MILLISECONDS);
            assertThatThrownBy(timed::join).cause().isInstanceOf(TimeoutException.class);
            assertStopped(pool, stopped);
        }
    }

    // ------------------------------------------------------------ streaming

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void mapStreamHandsOutOutputsInInputOrderBeforeTheLastInputIsDone(Mode mode, Transport transport) throws Exception {
        try (RunningSignal held = new RunningSignal();
                TaskPool pool = start(mode, transport)) {
            RunningSignal.Signal signal = held.signal();
            // The first window of batches holds one input each (the batch size grows only once a batch
            // has completed), so input 3 is alone in its batch and the outputs before it can stream.
            List<Integer> inputs = IntStream.range(0, 4).boxed().toList();
            try (Stream<Integer> out = pool.mapStream(
                    x -> {
                        if (x == 3) {
                            signal.runningThenHold();
                        }
                        return x * 10;
                    },
                    inputs)) {
                Iterator<Integer> it = out.iterator();
                List<Integer> firstThree = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    firstThree.add(it.next());
                }
                // The last input is still running: the outputs before it were streamed.
                assertThat(firstThree).containsExactly(0, 10, 20);
                held.awaitRunningAndHold(60).close();
                assertThat(it.next()).isEqualTo(30);
                assertThat(it.hasNext()).isFalse();
            }
            List<Long> many = IntStream.range(0, 20_000).boxed().toList().stream()
                    .map(Integer::longValue)
                    .toList();
            try (Stream<Long> out = pool.mapStream(x -> x * x, many)) {
                assertThat(out.toList()).isEqualTo(many.stream().map(x -> x * x).toList());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void mapAsCompletedHandsOutFastOutputsBeforeASlowEarlierOne(Mode mode, Transport transport) throws Exception {
        try (RunningSignal held = new RunningSignal();
                TaskPool pool = start(mode, transport)) {
            RunningSignal.Signal signal = held.signal();
            List<Integer> inputs = IntStream.range(0, 4).boxed().toList();
            try (Stream<Integer> out = pool.mapAsCompleted(
                    x -> {
                        if (x == 0) {
                            signal.runningThenHold();
                        }
                        return x;
                    },
                    inputs)) {
                Iterator<Integer> it = out.iterator();
                List<Integer> got = new ArrayList<>();
                got.add(it.next()); // input 0 is held: this is a later one
                assertThat(got.getFirst()).isNotZero();
                Socket gate = held.awaitRunningAndHold(60);
                gate.close();
                it.forEachRemaining(got::add);
                assertThat(got).containsExactlyInAnyOrder(0, 1, 2, 3);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void closingAStreamOverAnEndlessInputStopsReadingAndCancelsWhatRuns(Mode mode, Transport transport)
            throws Exception {
        try (TaskPool pool = start(mode, transport)) {
            AtomicLong read = new AtomicLong();
            Iterable<Integer> endless = () -> new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Integer next() {
                    return (int) read.getAndIncrement();
                }
            };
            List<Integer> firstThree;
            try (Stream<Integer> out = pool.mapStream(x -> x < 3 ? x : blockUntilStopped(), endless)) {
                firstThree = out.limit(3).toList();
            }
            assertThat(firstThree).containsExactly(0, 1, 2);
            long readAtClose = read.get();
            assertThat(readAtClose).as("inputs read: bounded by the window").isLessThan(100_000);
            // Every worker (or thread) was blocked by the inputs after the third: they were stopped.
            assertThat(pool.submit(() -> 42).get(50, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(read.get()).as("no input read after close").isEqualTo(readAtClose);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void aFailedApplicationEndsTheStreamWithItsInput(Mode mode, Transport transport) {
        try (TaskPool pool = start(mode, transport);
                Stream<Integer> out = pool.mapAsCompleted(
                        x -> {
                            if (x == 7) {
                                throw new ArithmeticException("bad " + x);
                            }
                            return x;
                        },
                        IntStream.range(0, 50).boxed().toList())) {
            assertThatThrownBy(out::toList)
                    .isInstanceOf(TaskExecutionException.class)
                    .satisfies(e -> assertThat(((TaskExecutionException) e).inputIndex())
                            .isEqualTo(7))
                    .cause()
                    .isInstanceOf(ArithmeticException.class);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void mapReportsProgressInTheCallingThreadUpToTheInputCount(Mode mode, Transport transport) {
        TaskPool pool = shared(mode, transport);
        List<Long> seen = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        List<Integer> inputs = IntStream.range(0, 5_000).boxed().toList();
        List<Integer> out = pool.map(x -> x + 1, inputs, done -> {
            seen.add(done);
            threads.add(Thread.currentThread());
        });
        assertThat(out).hasSize(5_000).startsWith(1, 2, 3).endsWith(5_000);
        assertThat(seen).isNotEmpty().isSorted().doesNotHaveDuplicates().last().isEqualTo(5_000L);
        assertThat(threads).containsOnly(caller);
        List<Long> none = new ArrayList<>();
        assertThat(pool.map(x -> x, List.<Integer>of(), none::add)).isEmpty();
        assertThat(none).isEmpty();
    }

    // ------------------------------------------------------------ the JDK's and libraries' wrappers

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void executorCompletionServiceWorksInEveryMode(Mode mode, Transport transport) throws Exception {
        try (RunningSignal held = new RunningSignal()) {
            TaskPool pool = shared(mode, transport);
            RunningSignal.Signal signal = held.signal();
            ExecutorCompletionService<String> ecs = new ExecutorCompletionService<>(pool);
            Future<String> slow = ecs.submit((Task<String>) () -> {
                signal.runningThenHold();
                return "slow";
            });
            Socket gate = held.awaitRunningAndHold(60);
            Future<String> fast = ecs.submit((Task<String>) () -> "fast");
            Future<String> first = ecs.poll(60, TimeUnit.SECONDS);
            assertThat(first).isSameAs(fast);
            assertThat(first.get()).isEqualTo("fast");
            gate.close();
            Future<String> second = ecs.poll(60, TimeUnit.SECONDS);
            assertThat(second).isSameAs(slow);
            assertThat(second.get()).isEqualTo("slow");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void completableFutureSupplyAsyncOnThePoolNamesPoolSupplyAsync(Mode mode, Transport transport) throws Exception {
        TaskPool pool = shared(mode, transport);
        if (!mode.isolated()) {
            assertThat(CompletableFuture.supplyAsync(() -> 42, pool).get(60, TimeUnit.SECONDS))
                    .isEqualTo(42);
            assertThat(CompletableFuture.completedFuture(1)
                            .thenApplyAsync(x -> x + 1, pool)
                            .get(60, TimeUnit.SECONDS))
                    .isEqualTo(2);
            return;
        }
        assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> 42, pool))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("CompletableFuture.supplyAsync(supplier, pool)")
                .hasMessageContaining("AsyncSupply")
                .hasMessageContaining("use pool.supplyAsync(task)");
        assertThatThrownBy(() -> CompletableFuture.runAsync(() -> {}, pool))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("CompletableFuture.runAsync(runnable, pool)");
        CompletableFuture<Integer> dependent =
                CompletableFuture.completedFuture(1).thenApplyAsync(x -> x + 1, pool);
        assertThatThrownBy(dependent::join)
                .cause()
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("...Async(action, pool)")
                .hasMessageContaining("thenCompose(v -> pool.supplyAsync(");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void micrometerMonitoredPoolNamesMicrometerAndWhatToDoInstead(Mode mode, Transport transport) throws Exception {
        TaskPool pool = shared(mode, transport);
        ExecutorService monitored = ExecutorServiceMetrics.monitor(new SimpleMeterRegistry(), pool, "tandem");
        Callable<Integer> task = (Task<Integer>) () -> 42;
        if (!mode.isolated()) {
            assertThat(monitored.submit(task).get(60, TimeUnit.SECONDS)).isEqualTo(42);
            return;
        }
        assertThatThrownBy(() -> monitored.submit(task))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("io.micrometer.core.instrument.internal.TimedCallable")
                .hasMessageContaining("ExecutorServiceMetrics.monitor")
                .hasMessageContaining("pool.supplyAsync(task)");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void springTaskDecoratorIsNamedAsADecorator(Mode mode, Transport transport) throws Exception {
        TaskPool pool = shared(mode, transport);
        TaskExecutorAdapter spring = new TaskExecutorAdapter(pool);
        // An MDC-style decorator: restores a context around the task, as people write them.
        String context = "request-7";
        spring.setTaskDecorator(runnable -> () -> {
            Thread.currentThread().setName("ctx " + context);
            runnable.run();
        });
        Callable<Integer> task = (Task<Integer>) () -> 42;
        if (!mode.isolated()) {
            assertThat(spring.submit(task).get(60, TimeUnit.SECONDS)).isEqualTo(42);
            return;
        }
        assertThatThrownBy(() -> spring.submit(task))
                .isInstanceOf(TaskRejectedException.class) // Spring's wrapper of the RejectedExecutionException
                .cause()
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("it wraps another task")
                .hasMessageContaining("TaskDecorator")
                .hasMessageContaining("inside the Task itself");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void plainNonSerializableTasksStillGetThePlainMessage(Mode mode, Transport transport) throws Exception {
        TaskPool pool = shared(mode, transport);
        Callable<Integer> plain = () -> 42;
        if (!mode.isolated()) {
            assertThat(pool.submit(plain).get(60, TimeUnit.SECONDS)).isEqualTo(42);
            return;
        }
        assertThatThrownBy(() -> pool.submit(plain))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("is a Callable that is not Serializable");
    }
}
