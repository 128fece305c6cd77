package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.ipc.SharedSegment;
import dev.tandem.protocol.DecodingFilter;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: large primitive arrays and ByteBuffers travel through shared memory beside the frame,
 * on both transports and in both isolated modes, as copies (the caller's and the worker's never
 * alias), and leave no segment behind.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedMemoryLaneTest {
    private static final int N = 100_000; // 400 KB of ints: above the threshold

    /** {@return the segment files in the directory whose name says process {@code pid} made them} */
    static List<Path> segmentsOf(long pid) throws IOException {
        Path dir = SharedSegment.directory();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains("-" + pid + "-"))
                    .toList();
        }
    }

    private static BulkLane lane(TaskPool pool) {
        return ((ProcessTaskPool) pool).decoder().lane();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void everyPrimitiveArrayKindAndBuffersCrossBothWays(Mode mode, Transport transport) throws Exception {
        int[] ints = new int[N];
        double[] doubles = new double[N];
        char[] chars = new char[N];
        boolean[] flags = new boolean[N * 4];
        for (int i = 0; i < N; i++) {
            ints[i] = i * 3;
            doubles[i] = i / 2.0;
            chars[i] = (char) ('a' + i % 26);
            flags[i * 4] = true;
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(N * 4).order(ByteOrder.BIG_ENDIAN);
        direct.putInt(0, 12345).putInt(N * 4 - 4, 678);
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            long sum = pool.submit(() -> Arrays.stream(ints).asLongStream().sum()
                            + (long) Arrays.stream(doubles).sum()
                            + chars[N - 1]
                            + (flags[N * 4 - 4] ? 1 : 0)
                            + direct.getInt(0)
                            + direct.getInt(direct.capacity() - 4)
                            + (direct.isDirect() && direct.order() == ByteOrder.BIG_ENDIAN ? 1 : 0))
                    .get();
            long expected = Arrays.stream(ints).asLongStream().sum()
                    + (long) Arrays.stream(doubles).sum()
                    + chars[N - 1]
                    + 1
                    + 12345
                    + 678
                    + 1;
            assertThat(sum).isEqualTo(expected);
            long[] longs = pool.submit(() -> {
                        long[] out = new long[N];
                        Arrays.setAll(out, i -> (long) i << 20);
                        return out;
                    })
                    .get();
            assertThat(longs[N - 1]).isEqualTo((long) (N - 1) << 20);
            ByteBuffer back = pool.submit(() -> {
                        ByteBuffer b = ByteBuffer.allocateDirect(N * 8).order(ByteOrder.LITTLE_ENDIAN);
                        b.putLong(N * 8 - 8, 99);
                        return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    })
                    .get();
            assertThat(back.isDirect()).isTrue();
            assertThat(back.isReadOnly()).isTrue();
            assertThat(back.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(back.getLong(N * 8 - 8)).isEqualTo(99);
        }
    }

    /** The copy is made at submit: the caller may change its array at once, the task never sees it. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void theCallerMayChangeItsArrayAsSoonAsSubmitReturns(Mode mode, Transport transport) throws Exception {
        int[] data = new int[N];
        Arrays.fill(data, 1);
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            Future<Long> sum = pool.submit(() -> {
                s.runningThenHold();
                data[0] = 1000; // the worker's own copy
                return Arrays.stream(data).asLongStream().sum();
            });
            Arrays.fill(data, 2);
            Socket gate = signal.awaitRunningAndHold(60);
            gate.close();
            assertThat(sum.get()).as("what the task captured at submit").isEqualTo(N - 1 + 1000L);
            assertThat(data[0])
                    .as("the caller's array, untouched by the worker")
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void oneArrayCapturedTwiceArrivesAsOneArray(Mode mode, Transport transport) throws Exception {
        long[] a = new long[N];
        List<long[]> twice = List.of(a, a);
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            assertThat(pool.submit(() -> twice.get(0) == twice.get(1)).get()).isTrue();
        }
    }

    /** One worker, so that the next task runs only once a dead worker's end was handled. */
    private static Tandem.Builder single(Mode mode, Transport transport) {
        Tandem.Builder b = mode == Mode.HYBRID ? Tandem.hybrid(1, 2) : Tandem.processes(1);
        return b.transport(transport);
    }

    /** What leaves a segment behind: none of the task's end, the pool's close, or a worker's death. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void noSegmentOutlivesItsTaskItsPoolOrItsWorker(Mode mode, Transport transport) throws Exception {
        byte[] big = new byte[1 << 20];
        long pid;
        try (TaskPool pool = single(mode, transport).start();
                RunningSignal signal = new RunningSignal()) {
            pid = pool.workerPids().getFirst();
            assertThat(pool.submit(() -> big.length).get()).isEqualTo(1 << 20);
            assertThat(lane(pool).writer().trim(0))
                    .as("the task is done: its segment was given back, and a trim deletes it")
                    .isFalse();
            assertThat(segmentsOf(ProcessHandle.current().pid()))
                    .filteredOn(p -> p.getFileName().toString().startsWith("raw-"))
                    .isEmpty();
            // A worker that dies with a result's segment (read, kept for reuse) while it runs a task.
            assertThat(pool.submit(() -> new byte[1 << 20]).get()).hasSize(1 << 20);
            RunningSignal.Signal s = signal.signal();
            Future<Integer> held = pool.submit(() -> {
                s.runningThenHold();
                return 1;
            });
            Socket gate = signal.awaitRunningAndHold(60);
            try {
                assertThat(segmentsOf(pid))
                        .as("the result's segment, kept by the busy worker")
                        .isNotEmpty();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                assertThat(catchThrowable(held::get)).hasCauseInstanceOf(WorkerLostException.class);
            } finally {
                gate.close();
            }
            // The replacement serves this task only after the death was handled and swept.
            assertThat(pool.submit(() -> big.length).get()).isEqualTo(1 << 20);
            assertThat(segmentsOf(pid)).as("segments of the dead worker").isEmpty();
            pid = pool.workerPids().getFirst();
        }
        assertThat(segmentsOf(ProcessHandle.current().pid()))
                .as("the pool's argument segments, once closed")
                .filteredOn(p -> p.getFileName().toString().startsWith("raw-"))
                .isEmpty();
        assertThat(segmentsOf(pid)).as("segments of the worker that exited").isEmpty();
    }

    /** Was: an argument larger than the worker's heap ended it with OutOfMemoryError. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aTaskFailsTypedWhenItsArgumentsCannotFitTheWorkersHeap(Mode mode, Transport transport) {
        byte[] tooBig = new byte[96 << 20];
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .jvmOptions("-Xmx64m")
                .start()) {
            assertThat(catchThrowable(() -> pool.submit(() -> tooBig.length)))
                    .isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                        assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER);
                        assertThat(e.getMessage())
                                .contains("96.0 MiB")
                                .contains("64.0 MiB")
                                .contains("jvmOptions(\"-Xmx");
                    });
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void argumentsThatFitTheHeapButNotItsFreeRoomFailAsACopyFailureNamingTheSizes(Mode mode, Transport transport)
            throws Exception {
        byte[] a = new byte[62 << 20];
        byte[] b = new byte[62 << 20];
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .jvmOptions("-Xmx128m")
                .start()) {
            List<Long> pids = pool.workerPids();
            ExecutionException e = catchThrowableOfType(
                    ExecutionException.class,
                    () -> pool.submit(() -> a.length + b.length).get());
            assertThat(e.getCause()).isInstanceOfSatisfying(TaskSerializationException.class, t -> {
                assertThat(t.boundary()).isEqualTo(TaskSerializationException.Boundary.DECODE_TASK_IN_WORKER);
                assertThat(t.getMessage()).contains("do not fit in the heap").contains("-Xmx");
            });
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            assertThat(pool.workerPids()).as("the worker was kept").containsExactlyInAnyOrderElementsOf(pids);
        }
    }

    /** Was: a worker killed for a protocol error when a frame exceeded the limit. */
    @Test
    void aTaskOverTheFrameLimitIsRefusedAtSubmitNamingItsSizeAndTheLimit() {
        DecodingFilter filter = new DecodingFilter(List.of(), 40, 1000, 1000, 1000);
        TaskEncoder encoder = new TaskEncoder(filter, c -> {}, BulkLane.off(), 1000);
        String text = "x".repeat(5000);
        Task<Integer> task = text::length;
        assertThat(catchThrowable(() -> encoder.encode(task)))
                .isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                    assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER);
                    assertThat(e.getMessage())
                            .contains("over the limit of 1000 bytes")
                            .contains("arrays and ByteBuffers of any size travel through shared memory");
                });
    }

    /** A result the caller's heap (512 MiB in tests) cannot hold fails typed, and the worker stays. */
    @Test
    void aResultTooLargeForTheCallersHeapFailsNamingTheSizes() throws Exception {
        try (TaskPool pool = Tandem.processes(1).start()) {
            List<Long> pids = pool.workerPids();
            int n = (int) (Runtime.getRuntime().maxMemory() * 3 / 4);
            ExecutionException array = catchThrowableOfType(
                    ExecutionException.class,
                    () -> pool.submit(() -> new byte[n]).get());
            assertThat(array.getCause()).isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.DECODE_RESULT_IN_CALLER);
                assertThat(e.getMessage())
                        .contains(String.valueOf(n))
                        .contains("do not fit in the heap")
                        .contains("-Xmx");
            });
            // Not an array: it travels inside the frame, which the caller reads past.
            ExecutionException text = catchThrowableOfType(
                    ExecutionException.class,
                    () -> pool.submit(() -> "y".repeat(n)).get());
            assertThat(text.getCause()).isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.DECODE_RESULT_IN_CALLER);
                assertThat(e.getMessage()).contains("do not fit in the heap").contains("-Xmx");
            });
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            assertThat(pool.workerPids()).as("the worker was kept").containsExactlyInAnyOrderElementsOf(pids);
        }
    }
}
