package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tandem.protocol.DecodingFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The caller's shared-memory lane as its users see it: always there, on or off. No worker is started:
 * the lane's effect on a task is in what {@link TaskEncoder} makes of it.
 */
class BulkLaneTest {
    private static final DecodingFilter FILTER =
            new DecodingFilter(List.of(), 40, 1_000_000, Integer.MAX_VALUE - 8, Long.MAX_VALUE);

    private static Task<Integer> carrying(byte[] data) {
        return () -> data.length;
    }

    @Test
    void anOffLaneKeepsEveryValueInTheFrameAndTellsWorkersTheThresholdZero() {
        try (BulkLane lane = BulkLane.of(0, List.of())) {
            assertThat(lane.on()).isFalse();
            assertThat(lane.threshold()).isZero();
            TaskEncoder.Encoded task = new TaskEncoder(FILTER, c -> {}, lane).encode(carrying(new byte[1 << 20]));
            assertThat(task.leases()).as("nothing through shared memory").isEmpty();
            assertThat(task.bytes().length).as("the array is in the frame").isGreaterThan(1 << 20);
        }
    }

    @Test
    void aNegativeThresholdIsAnOffLaneNotANegativeOneForWorkers() {
        try (BulkLane lane = BulkLane.of(-5, List.of())) {
            assertThat(lane.on()).isFalse();
            assertThat(lane.threshold()).isZero();
        }
    }

    @Test
    void anOnLaneMovesAnArrayAtItsThresholdThroughSharedMemoryAndGivesItBack() {
        try (BulkLane lane = BulkLane.of(64 * 1024, List.of())) {
            assertThat(lane.on()).isTrue();
            TaskEncoder.Encoded task = new TaskEncoder(FILTER, c -> {}, lane).encode(carrying(new byte[64 * 1024]));
            assertThat(task.leases()).hasSize(1);
            assertThat(task.bytes().length)
                    .as("only the descriptor is in the frame")
                    .isLessThan(64 * 1024);
            lane.release(task.leases());
            TaskEncoder.Encoded small =
                    new TaskEncoder(FILTER, c -> {}, lane).encode(carrying(new byte[64 * 1024 - 1]));
            assertThat(small.leases()).as("below the threshold").isEmpty();
        }
    }

    /** Was: with the lane off (null), a pool forgot its workers' heap and sent tasks no worker could hold. */
    @Test
    void aTaskLargerThanTheWorkersHeapIsRefusedWithTheLaneOffToo() {
        try (BulkLane lane = BulkLane.of(0, List.of("-Xmx16m"))) {
            assertThat(lane.workerHeapBytes()).isEqualTo(16L << 20);
            Throwable refused =
                    catchThrowable(() -> new TaskEncoder(FILTER, c -> {}, lane).encode(carrying(new byte[32 << 20])));
            assertThat(refused).isInstanceOfSatisfying(TaskSerializationException.class, e -> {
                assertThat(e.boundary()).isEqualTo(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER);
                assertThat(e.getMessage())
                        .contains("heap of " + (16L << 20) + " bytes")
                        .contains("-Xmx");
            });
        }
    }
}
