package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9, §11 follow-up: a {@code map} whose outputs grow inside a batch killed its worker with
 * {@link OutOfMemoryError} (the batch was sized from earlier, smaller outputs and nothing bounded it
 * while it ran); a batch lost with its worker was not split and retried; and the failure named the
 * batch's first input, not the input that failed. Workers get a 64 MiB heap here so that the sizes
 * that matter stay small; every case runs in processes and hybrid mode over both transports.
 */
@ExtendWith(NoStrayProcesses.class)
// Splitting a batch down to one input costs a worker start per level: slow on a loaded machine.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MapBoundsTest {
    private static final String SMALL_HEAP = "-Xmx64m";

    private static TaskPool start(Mode mode, Transport transport) {
        return PoolContractTest.localBuilder(mode, transport)
                .jvmOptions(SMALL_HEAP)
                .start();
    }

    /** An output of {@code size} bytes whose first byte says which input made it. */
    static byte[] marked(int input, int size) {
        byte[] b = new byte[size];
        if (size > 0) {
            b[0] = (byte) input;
        }
        return b;
    }

    /** Spins (ignoring interrupts) for {@code millis}, then returns {@code x}. */
    static Integer spin(Integer x, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return x;
    }

    /** Marks {@code x} as run in {@code dir}; fails if it ran before. */
    static void runOnce(String dir, int x) {
        try {
            Files.createFile(Path.of(dir, Integer.toString(x)));
        } catch (IOException e) {
            throw new UncheckedIOException("input " + x + " ran twice", e);
        }
    }

    /**
     * Asserts that {@code map} fails naming input {@code index}, with a {@code cause}.
     *
     * @return that cause
     */
    static Throwable failsAt(ThrowableAssert.ThrowingCallable map, long index, Class<? extends Throwable> cause) {
        Throwable thrown = catchThrowable(map);
        assertThat(thrown).isInstanceOf(TaskExecutionException.class);
        assertThat(((TaskExecutionException) thrown).inputIndex())
                .as(thrown.toString())
                .isEqualTo(index);
        assertThat(thrown.getCause()).isInstanceOf(cause);
        return thrown.getCause();
    }

    /**
     * Was (issue 9): the worker died of OutOfMemoryError: 2,000 outputs of 16 bytes grew batches to
     * thousands of inputs, and the 100 outputs of 1 MiB that followed came in one of them. Now the
     * batch stops at its byte bound, the rest is sent again: every output, in order, each input run
     * once (a file per input proves it), progress strictly increasing, and no worker died.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void outputsThatGrowInsideABatchStopItEarlyInsteadOfKillingTheWorker(
            Mode mode, Transport transport, @TempDir Path runs) {
        String dir = runs.toString();
        List<Long> progress = new ArrayList<>();
        try (TaskPool pool = start(mode, transport)) {
            List<byte[]> out = pool.map(
                    x -> {
                        runOnce(dir, x);
                        return marked(x, x < 2000 ? 16 : 1 << 20);
                    },
                    IntStream.range(0, 2100).boxed().toList(),
                    progress::add);
            assertThat(out).hasSize(2100);
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i).length).as("output " + i).isEqualTo(i < 2000 ? 16 : 1 << 20);
                assertThat(out.get(i)[0]).as("output " + i).isEqualTo((byte) i);
            }
            assertThat(progress).isSorted().doesNotHaveDuplicates().last().isEqualTo(2100L);
            assertThat(pool.stats().workersDied()).as("no worker died").isZero();
        }
    }

    /**
     * Was (issue 9): {@code map(x -> new byte[x * 64], range(0, 4000))} killed its worker. Outputs
     * whose size grows with the input, through {@code mapStream} (in order) and
     * {@code mapAsCompleted} (every one, once).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void outputSizesThatGrowWithTheInputComeBackInOrderThroughEveryStream(Mode mode, Transport transport) {
        int n = 2000;
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        try (TaskPool pool = start(mode, transport)) {
            try (Stream<byte[]> s = pool.mapStream(x -> marked(x, x * 64), inputs)) {
                Iterator<byte[]> it = s.iterator();
                for (int i = 0; i < n; i++) {
                    byte[] b = it.next();
                    assertThat(b.length).as("output " + i).isEqualTo(i * 64);
                }
                assertThat(it.hasNext()).isFalse();
            }
            int[] lengths;
            try (Stream<byte[]> s = pool.mapAsCompleted(x -> marked(x, x * 64), inputs)) {
                lengths = s.mapToInt(b -> b.length).sorted().toArray();
            }
            assertThat(lengths).isEqualTo(IntStream.range(0, n).map(i -> i * 64).toArray());
            assertThat(pool.stats().workersDied()).as("no worker died").isZero();
        }
    }

    /**
     * Outputs of a shape the byte estimate does not know (a list holding a 1 MiB array) are bounded
     * by the worker's heap instead.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void outputsOfAnUnknownShapeAreBoundedByTheWorkersHeap(Mode mode, Transport transport) {
        try (TaskPool pool = start(mode, transport)) {
            List<List<byte[]>> out = pool.map(
                    x -> List.of(marked(x, x < 1000 ? 8 : 1 << 20)),
                    IntStream.range(0, 1100).boxed().toList());
            assertThat(out).hasSize(1100);
            for (int i = 0; i < out.size(); i += 7) {
                assertThat(out.get(i).getFirst()[0]).isEqualTo((byte) i);
            }
            assertThat(out.get(1099).getFirst()).hasSize(1 << 20);
        }
    }

    /**
     * A single input whose output alone does not fit: its batch is lost with the worker, split down
     * to that input, which fails naming its index (not its batch's first), with the worker's loss as
     * cause; the pool goes on.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aSingleInputThatRunsOutOfMemoryAloneFailsNamingItsIndex(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = start(mode, transport)) {
            Throwable lost = failsAt(
                    () -> pool.map(
                            x -> x == 150 ? new long[16 << 20].length : x,
                            IntStream.range(0, 300).boxed().toList()),
                    150,
                    WorkerLostException.class);
            assertThat(lost).hasMessageContaining("OutOfMemoryError").hasMessageContaining("inputs #150 to #150");
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    static Stream<Arguments> processModes() {
        return Stream.of(
                Arguments.of(Mode.PROCESSES, Transport.SOCKET), Arguments.of(Mode.PROCESSES, Transport.SHARED_MEMORY));
    }

    /**
     * The pool's rules still apply to the batches of a map: each is retried as
     * {@code retriesOnWorkerLoss} says and fails as poison after {@code poisonThreshold} deaths; the
     * map then splits it, and the one input that kills every worker fails as poison, named.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("processModes")
    void anInputThatKillsEveryWorkerFailsAsPoisonNamingItsIndex(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .retriesOnWorkerLoss(3)
                .poisonThreshold(2)
                .start()) {
            Throwable poison = failsAt(
                    () -> pool.map(
                            x -> {
                                if (x == 40) {
                                    Runtime.getRuntime().halt(7);
                                }
                                return x;
                            },
                            IntStream.range(0, 64).boxed().toList()),
                    40,
                    PoisonTaskException.class);
            assertThat(((PoisonTaskException) poison).workersKilled()).isEqualTo(2);
        }
    }

    static Stream<Arguments> everyMode() {
        return Stream.of(
                Arguments.of(Mode.THREADS, Transport.SOCKET),
                Arguments.of(Mode.PROCESSES, Transport.SOCKET),
                Arguments.of(Mode.HYBRID, Transport.SHARED_MEMORY));
    }

    /**
     * Was: inputs that each take a fifth of the task timeout, after fast ones, came in one batch that
     * timed out as a whole. A batch now stops once it ran half the timeout.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyMode")
    void slowInputsAfterFastOnesDoNotTimeOutTheirBatch(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .taskTimeout(Duration.ofSeconds(2))
                .start()) {
            List<Integer> out = pool.map(
                    x -> spin(x, x >= 100 ? 400 : 0),
                    IntStream.range(0, 106).boxed().toList());
            assertThat(out).isEqualTo(IntStream.range(0, 106).boxed().toList());
        }
    }

    /** Was: a map's timeout named the first input of the batch that timed out. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyMode")
    void anInputThatTimesOutAloneFailsNamingItsIndex(Mode mode, Transport transport) {
        long id = PoolContractTest.releaseId();
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .taskTimeout(Duration.ofMillis(1500))
                .start()) {
            try {
                failsAt(
                        () -> pool.map(
                                x -> PoolContractTest.spinUntilReleased(id, x == 30 ? 4000 : 0, x),
                                IntStream.range(0, 40).boxed().toList()),
                        30,
                        TaskTimeoutException.class);
            } finally {
                // Input 30 ignores interrupts: a thread pool's close() would wait out its spins (one per
                // attempt), though the map has failed. Worker JVMs never see the release.
                PoolContractTest.release(id);
            }
        }
    }

    /**
     * Was: an output that cannot be serialized failed the map naming its batch's first input, and an
     * input that cannot be serialized failed it with no index at all.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void anOutputOrAnInputThatCannotBeSentFailsNamingItsIndex(Mode mode, Transport transport) {
        List<Object> inputs =
                new ArrayList<>(Arrays.asList(IntStream.range(0, 50).boxed().toArray()));
        inputs.set(33, new Object());
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            failsAt(
                    () -> pool.map(
                            x -> x == 33 ? new Object() : x,
                            IntStream.range(0, 50).boxed().toList()),
                    33,
                    TaskSerializationException.class);
            failsAt(() -> pool.map(x -> x, inputs), 33, TaskSerializationException.class);
        }
    }
}
