package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.ipc.SharedByteArray;
import dev.tandem.ipc.SharedDoubleArray;
import dev.tandem.ipc.SharedLongArray;
import dev.tandem.protocol.DecodingFilter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11, zero-copy by default: a {@code dev.tandem.ipc} shared array captured by a task, or
 * returned by it, travels as its handle and arrives attached, the same memory on both sides; an
 * array a worker makes and returns becomes the caller's; no segment outlives its owner. Before, a
 * shared array in a task failed at {@code submit} as not serializable.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedArrayByReferenceTest {
    /** 64 MiB of longs: far above the lane's threshold, and no copy of it fits the test's time. */
    private static final int LARGE = 8 << 20;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aSharedArrayIsTheSameMemoryInTheWorkerAndComesBackAsTheSameObject(Mode mode, Transport transport)
            throws Exception {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start();
                SharedByteArray one = SharedByteArray.create(1);
                SharedLongArray large = SharedLongArray.create(LARGE)) {
            one.set(0, (byte) 7);
            large.set(LARGE - 1, 11);
            // The worker sees the caller's writes, and the caller sees the worker's.
            long seen = pool.submit(() -> {
                        long before = one.get(0) + large.get(LARGE - 1);
                        one.set(0, (byte) 8);
                        large.set(0, 42);
                        return before;
                    })
                    .get();
            assertThat(seen).isEqualTo(18);
            assertThat(one.get(0)).isEqualTo((byte) 8);
            assertThat(large.get(0)).isEqualTo(42);
            assertThat(pool.submit(() -> large).get())
                    .as("a result that is the caller's array")
                    .isSameAs(large);
            // invokeAll and map carry it too: each input writes its own element.
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int at = i;
                tasks.add((Task<Long>) () -> {
                    large.set(at, at * 10L);
                    return (long) at;
                });
            }
            for (Future<Long> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isPositive();
            }
            List<Long> mapped = pool.map(
                    (Integer i) -> {
                        large.set(i, i * 100L);
                        return large.get(LARGE - 1);
                    },
                    List.of(4, 5, 6));
            assertThat(mapped).containsOnly(11L);
            assertThat(pool.map((SharedByteArray b) -> b.length(), List.of(one, one)))
                    .as("shared arrays as map's inputs")
                    .containsExactly(1L, 1L);
            for (int i = 1; i <= 3; i++) {
                assertThat(large.get(i)).isEqualTo(i * 10L);
            }
            assertThat(large.get(6)).isEqualTo(600);
            // A direct buffer over shared memory travels by reference too, both ways.
            ByteBuffer view = one.memory().asByteBuffer();
            ByteBuffer back = pool.submit(() -> {
                        view.put(0, (byte) 9);
                        return view;
                    })
                    .get();
            assertThat(one.get(0)).isEqualTo((byte) 9);
            back.put(0, (byte) 10);
            assertThat(one.get(0))
                    .as("the returned buffer views the caller's array")
                    .isEqualTo((byte) 10);
        }
    }

    /**
     * A worker's array, returned: the caller adopts it (a worker's death or exit no longer deletes
     * it); the caller's close deletes it; and the worker unmapped it when the task ended.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void anArrayAWorkerReturnsBecomesTheCallersAndOutlivesTheWorkerAndThePool(Mode mode, Transport transport)
            throws Exception {
        Path file;
        SharedDoubleArray made;
        Tandem.Builder single = mode == Mode.HYBRID ? Tandem.hybrid(1, 2) : Tandem.processes(1);
        try (TaskPool pool = single.transport(transport).start();
                RunningSignal signal = new RunningSignal()) {
            made = pool.submit(() -> {
                        SharedDoubleArray d = SharedDoubleArray.create(3);
                        d.set(2, 1.5);
                        return d;
                    })
                    .get();
            file = Path.of(made.handle().path());
            long maker = Long.parseLong(file.getFileName().toString().split("-")[1]);
            assertThat(made.get(2)).isEqualTo(1.5);
            assertThat(pool.submit(() -> made.get(2) * 2).get())
                    .as("passed back to a worker")
                    .isEqualTo(3.0);
            assertThat(mappings(maker, file))
                    .as("the worker unmapped it when the task ended")
                    .isZero();
            // The maker dies while it runs a task, so that the pool has handled its death before the next.
            RunningSignal.Signal s = signal.signal();
            Future<Integer> held = pool.submit(() -> {
                s.runningThenHold();
                return 1;
            });
            Socket gate = signal.awaitRunningAndHold(60);
            try {
                ProcessHandle.of(maker).orElseThrow().destroyForcibly();
                assertThat(catchThrowable(held::get)).hasCauseInstanceOf(WorkerLostException.class);
            } finally {
                gate.close();
            }
            // The next task runs once the death was handled, and its sweep done.
            assertThat(pool.submit(() -> made.get(2)).get()).isEqualTo(1.5);
            assertThat(file)
                    .as("adopted by the caller: its maker's death leaves it")
                    .exists();
        }
        assertThat(file).as("the pool's close leaves it").exists();
        assertThat(made.get(2)).isEqualTo(1.5);
        made.close();
        assertThat(file).as("the caller's close deletes it").doesNotExist();
    }

    /**
     * Was: the result of a task cancelled while it ran was never decoded, so the array its worker
     * had handed over in it stayed in the segment directory until that worker ended.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void anArrayHandedOverInAResultNobodyTakesIsDeleted(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start();
                RunningSignal signal = new RunningSignal()) {
            long worker = pool.workerPids().getFirst();
            RunningSignal.Signal s = signal.signal();
            Future<SharedByteArray> dropped = pool.submit(() -> {
                s.runningThenHold();
                return SharedByteArray.create(1);
            });
            Socket gate = signal.awaitRunningAndHold(60);
            assertThat(dropped.cancel(false)).isTrue();
            gate.close();
            assertThat(pool.submit(() -> 1).get())
                    .as("replied after the dropped result")
                    .isEqualTo(1);
            assertThat(SharedMemoryLaneTest.segmentsOf(worker))
                    .filteredOn(p -> p.getFileName().toString().startsWith("bytes-"))
                    .isEmpty();
        }
    }

    /** {@return how many mappings of {@code file} process {@code pid} has} */
    private static long mappings(long pid, Path file) throws Exception {
        try (var lines = Files.lines(Path.of("/proc/" + pid + "/maps"))) {
            return lines.filter(l -> l.endsWith(file.toString())).count();
        }
    }

    @Test
    void aClosedStaleOrUnreturnableArrayFailsTypedNamingWhatToDo() throws Exception {
        try (TaskPool pool = Tandem.processes(1).start()) {
            SharedByteArray closed = SharedByteArray.create(1);
            closed.close();
            assertThat(catchThrowable(() -> pool.submit(() -> closed.get(0))))
                    .isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                        assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER);
                        assertThat(e.getMessage()).contains("is closed").contains("once the task's future is done");
                    });
            SharedByteArray stale;
            try (SharedByteArray made = SharedByteArray.create(1)) {
                stale = SharedByteArray.attach(made.handle());
            }
            try {
                assertThat(catchThrowable(() -> pool.submit(() -> stale.get(0))))
                        .isInstanceOf(TaskSerializationException.class)
                        .hasMessageContaining("is stale")
                        .hasMessageContaining("create a new array");
            } finally {
                stale.close();
            }
            // Closed by try-with-resources in the worker before it is returned.
            ExecutionException e = catchThrowableOfType(
                    ExecutionException.class,
                    () -> pool.submit(() -> {
                                try (SharedByteArray a = SharedByteArray.create(1)) {
                                    return a;
                                }
                            })
                            .get());
            assertThat(e.getCause()).isInstanceOfSatisfying(TaskSerializationException.class, t -> {
                assertThat(t.boundary()).isEqualTo(TaskSerializationException.Boundary.ENCODE_RESULT_IN_WORKER);
                assertThat(t.getMessage()).contains("is closed").doesNotContain("Return a Serializable value");
            });
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    /** A cluster's caller has no lane: its workers are not on this machine, so no array can go. */
    @Test
    void withoutTheLaneASharedArrayIsRefusedAtSubmitSayingWhy() throws Exception {
        TaskEncoder encoder =
                new TaskEncoder(new DecodingFilter(List.of(), 40, 1000, 1000, 1000), c -> {}, BulkLane.off());
        try (SharedLongArray a = SharedLongArray.create(1)) {
            Task<Long> task = () -> a.get(0);
            assertThat(catchThrowable(() -> encoder.encode(task)))
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("SharedLongArray")
                    .hasMessageContaining("only to worker JVMs on this machine");
        }
    }

    /**
     * The caller dies (SIGKILL) holding its own array, lent to a running task, and one its worker
     * made: the workers halt, and nothing of either is left.
     */
    @Test
    void aCallersDeathLeavesNoSegment() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                SharedArrayCaller.class.getName()));
        Process caller = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("the caller's output: %s", seen).isNotNull();
            String[] parts = line.split(" ");
            for (String p : parts[1].split(",")) {
                pids.add(Long.parseLong(p));
            }
            for (int i = 2; i < parts.length; i++) {
                files.add(Path.of(parts[i]));
            }
            assertThat(files).hasSize(2).allSatisfy(f -> assertThat(f).exists());
            caller.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            for (long pid : pids) {
                var process = ProcessHandle.of(pid);
                if (process.isPresent()) {
                    process.get().onExit().get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            caller.destroyForcibly();
        }
        assertThat(files)
                .as("segments after the caller and its workers ended")
                .allSatisfy(f -> assertThat(f).doesNotExist());
    }
}
