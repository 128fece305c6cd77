package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 9 §11: limits answer with the right words, and large outputs of {@code map} fit. */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LimitsTest {
    /** An exception the caller cannot decode whole: it holds a field that is not serializable. */
    static final class Unsendable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"unused", "serial"})
        private final Object notSerializable = new Object();

        Unsendable(String message) {
            super(message);
        }
    }

    @Test
    void aClassPathEntryThatDoesNotExistIsRejectedNamingIt() {
        assertThatThrownBy(() ->
                        Tandem.processes(1).classPath("/does/not/exist.jar").options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/does/not/exist.jar");
    }

    /**
     * Was: "killed by SIGKILL … maybe the OOM killer", counted as a crash. A string, since a large
     * array would travel through shared memory, beside the frame (next test).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aResultOverTheReplyLimitFailsAsSerializationAndKeepsTheWorker(Mode mode, Transport transport)
            throws Exception {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .jvmOptions("-Dtandem.maxReplyBytes=100000")
                .start()) {
            List<Long> pids = pool.workerPids();
            Future<String> big = pool.submit(() -> "x".repeat(200_000));
            ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, big::get);
            assertThat(e.getCause())
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("over the limit of 100000 bytes")
                    .hasMessageNotContaining("MAX_FRAME_BYTES"); // no internal names (issue 9 robust §6c)
            assertThat(((TaskSerializationException) e.getCause()).boundary())
                    .isEqualTo(TaskSerializationException.Boundary.ENCODE_RESULT_IN_WORKER);
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            assertThat(pool.workerPids()).as("the worker was kept").containsExactlyInAnyOrderElementsOf(pids);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aLargeArrayResultDoesNotCountAgainstTheReplyLimit(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport)
                .jvmOptions("-Dtandem.maxReplyBytes=100000")
                .start()) {
            byte[] back = pool.submit(() -> {
                        byte[] b = new byte[1 << 20];
                        b[b.length - 1] = 7;
                        return b;
                    })
                    .get();
            assertThat(back).hasSize(1 << 20);
            assertThat(back[back.length - 1]).isEqualTo((byte) 7);
        }
    }

    /** Was: a worker OutOfMemoryError, although each input alone works. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void mapOfLargeOutputsBatchesThemByTheirSize(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Integer> lengths = pool
                    .map(x -> new byte[1 << 20], IntStream.range(0, 400).boxed().toList())
                    .stream()
                    .map(b -> b.length)
                    .toList();
            assertThat(lengths).hasSize(400).containsOnly(1 << 20);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aMapFailureThatCannotBeDecodedWholeStillNamesItsInputClassAndMessage(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            assertThatThrownBy(() -> pool.map(
                            x -> {
                                if (x == 7) {
                                    throw new Unsendable("input seven is bad");
                                }
                                return x;
                            },
                            IntStream.range(0, 20).boxed().toList()))
                    .isInstanceOfSatisfying(TaskExecutionException.class, e -> {
                        assertThat(e.inputIndex()).isEqualTo(7);
                        assertThat(e.getCause()).hasMessageContaining(Unsendable.class.getName());
                        assertThat(e.getCause()).hasMessageContaining("input seven is bad");
                    });
        }
    }
}
