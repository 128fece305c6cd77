package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9, found by a user's probe: a {@code map} cut short by its pool, not by an input, blamed an
 * input. A pool that failed under it threw {@code TaskExecutionException: map failed at input #215:
 * PoolFailedException}, and {@code shutdownNow} threw one wrapping a {@code CancellationException}:
 * input #215 had done nothing. Now the map throws what the pool's contract says: a
 * {@link PoolFailedException} if the pool failed, a {@link RejectedExecutionException} if it was shut
 * down, naming where the map stopped.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MapCutShortTest {
    private static final Pattern CUT_AT =
            Pattern.compile("map cut short at input #(\\d+) \\((\\d+) inputs? had completed\\)");

    /** Input 0 returns at once; every other input waits a minute (interruptibly), so it is in flight when the pool goes. */
    private static Integer firstQuickRestSlow(Integer x) {
        return x > 0 ? slow(x) : x;
    }

    /**
     * Waits a minute on a latch nobody counts down: the work of a task still running when its pool goes;
     * an interrupt ends it.
     */
    private static Integer slow(Integer x) {
        try {
            if (new CountDownLatch(1).await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("a latch nobody counts down was counted down");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return x;
    }

    /**
     * Was: {@code TaskExecutionException: map failed at input #1: CancellationException}. The pool is
     * shut down from the map's own progress callback once input 0 is done, while input 1 runs: the map
     * ends with a {@code RejectedExecutionException}, the contract's word for a pool shut down, not an
     * input's failure.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void shutdownNowDuringAMapIsNotBlamedOnAnInput(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            Throwable thrown = catchThrowable(
                    () -> pool.map(MapCutShortTest::firstQuickRestSlow, List.of(0, 1, 2), done -> pool.shutdownNow()));
            assertThat(thrown)
                    .as(String.valueOf(thrown))
                    .isInstanceOf(RejectedExecutionException.class)
                    .isNotInstanceOf(PoolFailedException.class);
            // Was (thread modes): "#3 (1 inputs had completed)", the batch that reported the stop, not the first
            // that did not complete; in processes "#2 (0 inputs had completed)" while input 0 had.
            assertThat(thrown).hasMessageContaining("map cut short at input #1 (1 input had completed)");
            assertThat(pool.isShutdown()).isTrue();
        }
    }

    /**
     * Was: a bare {@code RejectedExecutionException: the pool is shut down: …}, naming no input, when the
     * pool was shut down (or closed) from elsewhere between two of the map's batches: the next batch's
     * submission was rejected and nothing caught it. Now the map names where it stopped; the batches it had
     * sent complete (a shutdown lets them), and every input before the one named had completed.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void aPoolShutDownBetweenTwoBatchesCutsTheMapShortNamingWhere(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Integer> inputs = IntStream.range(0, 10_000).boxed().toList();
            Throwable thrown = catchThrowable(() -> pool.map(x -> x, inputs, done -> pool.shutdown()));
            assertThat(thrown)
                    .as(String.valueOf(thrown))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("no new tasks are accepted after shutdown()");
            Matcher m = CUT_AT.matcher(thrown.getMessage());
            assertThat(m.find()).as(thrown.getMessage()).isTrue();
            long first = Long.parseLong(m.group(1));
            long completed = Long.parseLong(m.group(2));
            assertThat(first).isNotNegative().isLessThan(inputs.size()).isLessThanOrEqualTo(completed);
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Input 0 returns at once; every other input spins 2 s, ignoring interrupts. */
    private static Integer firstQuickRestDeaf(Integer x) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (x > 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return x;
    }

    /**
     * Was (found while fixing the above): in thread modes {@code shutdownNow} handed the map's queued
     * batches back to the caller, never to be completed, and a map whose running batches ignored the
     * interrupt and finished waited for the queued ones for ever. Now they are cancelled and the map
     * ends with the pool's {@code RejectedExecutionException}; the caller gets none of them back.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void aMapWhoseRunningTasksIgnoreShutdownNowStillEnds(Mode mode, Transport transport) {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<List<Runnable>> handedBack = new ArrayList<>();
            Throwable thrown = catchThrowable(() -> pool.map(
                    MapCutShortTest::firstQuickRestDeaf,
                    IntStream.range(0, 40).boxed().toList(),
                    done -> handedBack.add(pool.shutdownNow())));
            assertThat(thrown).as(String.valueOf(thrown)).isInstanceOf(RejectedExecutionException.class);
            assertThat(handedBack)
                    .singleElement()
                    .asInstanceOf(InstanceOfAssertFactories.LIST)
                    .isEmpty();
        }
    }

    /** Inputs 0, 1, 2; asking for input 1 kills every process this JVM started, the pool's one worker. */
    private static Iterable<Integer> killingTheWorkerAtInput1() {
        return () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < 3;
            }

            @Override
            public Integer next() {
                if (i == 1) {
                    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                }
                return i++;
            }
        };
    }

    /**
     * Was: {@code TaskExecutionException: map failed at input #N: PoolFailedException}. A pool allowed
     * no restart (restartLimit 0) loses its only worker, which never completed a task, while input 0 is in
     * flight (the map asks for input 1 only once input 0 was sent): the pool fails, and so does the map, with the pool's {@link PoolFailedException},
     * naming where it stopped and why the pool failed.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void aPoolThatFailsUnderAMapFailsItWithThePoolsExceptionNotAnInputs(Mode mode, Transport transport) {
        Tandem.Builder b = mode == Mode.PROCESSES ? Tandem.processes(1) : Tandem.hybrid(1, 2);
        try (TaskPool pool =
                b.transport(transport).restartLimit(0, Duration.ofMinutes(5)).start()) {
            Throwable thrown = catchThrowable(() -> pool.map(MapCutShortTest::slow, killingTheWorkerAtInput1()));
            assertThat(thrown)
                    .as(String.valueOf(thrown))
                    .isInstanceOf(PoolFailedException.class)
                    .hasMessageContaining("map cut short at input #0 (0 inputs had completed)")
                    .hasMessageContaining("restart limit of 0");
            // Was: the pool's failure twice, as the cause and again as a suppressed exception.
            assertThat(thrown.getSuppressed()).doesNotContain(thrown.getCause());
        }
    }
}
