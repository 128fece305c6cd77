package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The prefetch depth follows the smoothed task time. */
class PrefetchWindowTest {
    @Test
    void startsAsIfTasksWereLong() {
        assertThat(new PrefetchWindow().prefetch(2)).isZero();
    }

    @Test
    void shortTasksGetADeepWindowAndMediumOnesOne() {
        PrefetchWindow w = new PrefetchWindow();
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(10_000);
        }
        assertThat(w.prefetch(3)).isEqualTo(48);
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(5_000_000);
        }
        assertThat(w.prefetch(3)).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(50_000_000);
        }
        assertThat(w.prefetch(3)).isZero();
    }

    @Test
    void aWorkerOfAFactorHoldsThatManyDeepWindowsOfShortTasksOnly() {
        PrefetchWindow w = new PrefetchWindow();
        assertThat(w.prefetch(2, 4)).isZero();
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(10_000);
        }
        assertThat(w.prefetch(2, 4)).isEqualTo(128);
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(5_000_000);
        }
        assertThat(w.prefetch(2, 4)).isEqualTo(1);
    }

    @Test
    void oneSlowTaskDoesNotCloseTheWindowAtOnce() {
        PrefetchWindow w = new PrefetchWindow();
        for (int i = 0; i < 100; i++) {
            w.onTaskDone(10_000);
        }
        w.onTaskDone(2_000_000);
        assertThat(w.prefetch(1)).isEqualTo(16);
    }
}
