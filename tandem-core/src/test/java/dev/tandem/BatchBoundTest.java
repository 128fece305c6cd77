package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a running map batch stops early: by the bytes of its outputs, and by time; see {@link BatchBound}. */
class BatchBoundTest {
    private final AtomicLong now = new AtomicLong(-1_000_000_000L); // nanoTime may be negative

    @Test
    void outputsAreCountedByTheirShape() {
        assertThat(BatchBound.estimate(null)).isZero();
        assertThat(BatchBound.estimate(new byte[1000])).isEqualTo(1000);
        assertThat(BatchBound.estimate(new int[1000])).isEqualTo(4000);
        assertThat(BatchBound.estimate(new double[1000])).isEqualTo(8000);
        assertThat(BatchBound.estimate(new char[10])).isEqualTo(20);
        assertThat(BatchBound.estimate("abc")).isEqualTo(3);
        assertThat(BatchBound.estimate(ByteBuffer.allocate(100).position(40))).isEqualTo(60);
        assertThat(BatchBound.estimate(42)).isEqualTo(8);
        assertThat(BatchBound.estimate(List.of(1, 2))).isEqualTo(BatchBound.OBJECT_BYTES);
    }

    @Test
    void aBatchStopsOnceItsOutputsReachTheByteBound() {
        BatchBound bound = new BatchBound(10_000, 0, 1, now::get);
        assertThat(bound.maxBytes()).isEqualTo(10_000);
        for (int i = 0; i < 9; i++) {
            assertThat(bound.reached(new byte[1000])).as("output " + i).isFalse();
        }
        assertThat(bound.reached(new byte[1000])).isTrue();
        assertThat(bound.reason()).contains("10000 bytes");
    }

    @Test
    void theByteBoundIsAShareOfTheHeapForEachThread() {
        long max = Runtime.getRuntime().maxMemory();
        assertThat(new BatchBound(Long.MAX_VALUE, 0, 1, now::get).maxBytes()).isEqualTo(max / 8);
        assertThat(new BatchBound(Long.MAX_VALUE, 0, 4, now::get).maxBytes()).isEqualTo(max / 8 / 4);
    }

    @Test
    void aBatchStopsOnceItRanItsTime() {
        BatchBound bound = new BatchBound(0, 1_000, 1, now::get);
        assertThat(bound.reached(new byte[1 << 20]))
                .as("no byte bound in thread modes")
                .isFalse();
        now.addAndGet(999);
        assertThat(bound.reached(1)).isFalse();
        now.addAndGet(1);
        assertThat(bound.reached(1)).isTrue();
        assertThat(bound.reason()).contains("timeout");
    }

    @Test
    void withoutBoundsABatchNeverStops() {
        BatchBound bound = new BatchBound(0, 0, 1, now::get);
        for (int i = 0; i < 1000; i++) {
            assertThat(bound.reached(new byte[1 << 20])).isFalse();
        }
        assertThat(bound.reason()).isNull();
    }
}
