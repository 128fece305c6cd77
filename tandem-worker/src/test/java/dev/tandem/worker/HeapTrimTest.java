package dev.tandem.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.BulkReader;
import dev.tandem.protocol.BulkWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When an idle worker trims: on a timer and a clock of the test's own. Was: the idle time counted
 * from the reply, so a caller that took longer than a second to copy out a large result found the
 * worker's heap shrunk and its result segment deleted when it sent the next task, which paid for
 * fresh memory again; every 256 MiB round trip took 2.6 s.
 */
class HeapTrimTest {
    private final BulkWriter results = new BulkWriter(64 << 10, true);
    private final BulkReader arguments = new BulkReader("raise it");
    private final ManualTimer timer = new ManualTimer();
    private final List<Long> collections = new ArrayList<>();
    private final HeapTrim trim =
            new HeapTrim(results, arguments, timer, timer::now, () -> collections.add(timer.now()));

    @AfterEach
    void close() {
        results.close();
        arguments.close();
    }

    /** A timer that runs what is due when the test moves its clock. */
    private static final class ManualTimer implements HeapTrim.Timer {
        private record Due(long at, FutureTask<Void> task) {}

        private final List<Due> due = new ArrayList<>();
        private long now;

        long now() {
            return now;
        }

        @Override
        public Future<?> after(long delayNanos, Runnable action) {
            FutureTask<Void> task = new FutureTask<>(action, null);
            due.add(new Due(now + delayNanos, task));
            return task;
        }

        /** Moves the clock by {@code nanos}, running each action when its time comes. */
        void advance(long nanos) {
            long end = now + nanos;
            while (true) {
                Due next = null;
                for (Due d : due) {
                    if (d.at() <= end && (next == null || d.at() < next.at())) {
                        next = d;
                    }
                }
                if (next == null) {
                    now = end;
                    return;
                }
                due.remove(next);
                now = next.at();
                next.task().run();
            }
        }
    }

    @Test
    void anIdleWorkerDoesNotTrimWhileTheCallerStillReadsItsResult() throws Exception {
        BulkWriter.Lease result = results.put(new byte[1 << 20]);
        trim.busy();
        trim.idle();
        timer.advance(5 * HeapTrim.IDLE_NANOS);
        assertThat(results.isEmpty())
                .as("the caller has not read the result: kept")
                .isFalse();
        assertThat(collections).isEmpty();

        BulkReader.release(List.of(result.entry())); // the caller has its copy
        long read = timer.now();
        timer.advance(HeapTrim.READER_POLL_NANOS + HeapTrim.IDLE_NANOS / 2);
        assertThat(results.isEmpty())
                .as("read only just now: not idle long enough yet")
                .isFalse();
        timer.advance(HeapTrim.IDLE_NANOS);
        assertThat(results.isEmpty())
                .as("idle a second after the caller read it: trimmed")
                .isTrue();
        assertThat(collections).allSatisfy(at -> assertThat(at - read).isGreaterThanOrEqualTo(HeapTrim.IDLE_NANOS));
    }

    @Test
    void aTaskThatComesOnceTheCallerReadTheResultFindsNothingTrimmed() throws Exception {
        BulkWriter.Lease result = results.put(new byte[1 << 20]);
        trim.busy();
        trim.idle();
        timer.advance(3 * HeapTrim.IDLE_NANOS);
        BulkReader.release(List.of(result.entry()));
        timer.advance(HeapTrim.READER_POLL_NANOS);
        trim.busy(); // the next task
        timer.advance(10 * HeapTrim.IDLE_NANOS);
        assertThat(results.isEmpty())
                .as("the segment waits for the next result")
                .isFalse();
        assertThat(collections).isEmpty();
    }

    /** The reader keeps the caller's segments mapped (they would pin the caller's deleted memory). */
    @Test
    void anIdleWorkerUnmapsTheSegmentsItsArgumentsCameThrough() throws Exception {
        try (BulkWriter caller = new BulkWriter(64 << 10, false)) {
            BulkWriter.Lease argument = caller.put(new byte[1 << 20]);
            arguments.take(argument.entry());
            assertThat(arguments.isEmpty())
                    .as("kept mapped for the next argument")
                    .isFalse();
            trim.busy();
            trim.afterTask(1 << 20);
            trim.idle();
            timer.advance(HeapTrim.IDLE_NANOS);
            assertThat(arguments.isEmpty()).as("idle: unmapped").isTrue();
            argument.release();
        }
    }

    @Test
    void aResultNeverMarkedReadDelaysTheTrimOnlyForTheGracePeriod() throws Exception {
        results.put(new byte[1 << 20]);
        BulkWriter.Lease free = results.put(new byte[1 << 20]);
        BulkReader.release(List.of(free.entry()));
        trim.busy();
        trim.idle();
        timer.advance(HeapTrim.UNREAD_GRACE_NANOS - HeapTrim.READER_POLL_NANOS);
        assertThat(results.paths()).as("still waiting for the caller").hasSize(2);
        timer.advance(2 * HeapTrim.IDLE_NANOS + HeapTrim.READER_POLL_NANOS);
        assertThat(results.paths())
                .as("trimmed after the grace period: the read one deleted, the unread one kept")
                .hasSize(1);
    }

    /**
     * Was: a worker passed 16 MiB one task after another, in a heap of 31 MiB with 4 MiB live, collected after
     * every task (free room 11 MiB below the task's 16), a full collection of 6 ms per round trip.
     */
    @Test
    void aBusyWorkerCollectedAfterEveryLargeTaskInAHeapWithRoomForOne() {
        long mib = 1 << 20;
        long max = 6000 * mib;
        assertThat(HeapTrim.collectsAfter(16 * mib, 11 * mib, 31 * mib, max))
                .as("room for one task: grow instead")
                .isFalse();
        assertThat(HeapTrim.collectsAfter(16 * mib, 10 * mib, 48 * mib, max))
                .as("the heap holds three such tasks and the next would grow it past four: collect")
                .isTrue();
        assertThat(HeapTrim.collectsAfter(16 * mib, 16 * mib, 64 * mib, max))
                .as("the next task fits: no collection")
                .isFalse();
    }

    /**
     * Was: passed 16 MiB over the socket, a worker's heap grew to 1.5 GiB with one full collection in 40 tasks, its
     * old generation expanding by a task at a time: the free room it went by counted the young generation's, where
     * such arrays never go. The free room is now the old generation's ({@code HeapTrim.OldGeneration}).
     */
    @Test
    void aHeapThatGrewPastItsHeadroomCollectsOnceItsOldGenerationIsFull() {
        long mib = 1 << 20;
        assertThat(HeapTrim.collectsAfter(16 * mib, 5 * mib, 1556 * mib, 6000 * mib))
                .isTrue();
        assertThat(HeapTrim.collectsAfter(16 * mib, 40 * mib, 77 * mib, 6000 * mib))
                .as("a heap grown past its headroom by the last task, whose old generation has room for the next")
                .isFalse();
    }

    @Test
    void aHeapNearItsMaximumCollectsRatherThanGrow() {
        long mib = 1 << 20;
        assertThat(HeapTrim.collectsAfter(32 * mib, 10 * mib, 32 * mib, 64 * mib))
                .as("growing by one more task would reach the maximum")
                .isTrue();
        assertThat(HeapTrim.collectsAfter(256 * mib, 10 * mib, 200 * mib, 200 * mib))
                .as("a task larger than the heap's room: collect")
                .isTrue();
        assertThat(HeapTrim.collectsAfter(32 * mib, 10 * mib, 20 * mib, 256 * mib))
                .isFalse();
    }

    /** A 256 MiB task is not given room for four: 768 MiB of fresh memory would cost seconds to save milliseconds. */
    @Test
    void aVeryLargeTaskCollectsWheneverTheNextWouldNotFitAsBefore() {
        long mib = 1 << 20;
        assertThat(HeapTrim.collectsAfter(256 * mib, 100 * mib, 300 * mib, 6000 * mib))
                .isTrue();
        assertThat(HeapTrim.collectsAfter(256 * mib, 300 * mib, 600 * mib, 6000 * mib))
                .isFalse();
        assertThat(HeapTrim.collectsAfter(64 * mib, 10 * mib, 60 * mib, 6000 * mib))
                .as("64 MiB: room for two within the 128 MiB of headroom")
                .isFalse();
        assertThat(HeapTrim.collectsAfter(64 * mib, 10 * mib, 70 * mib, 6000 * mib))
                .isTrue();
    }
}
