package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The freeze watch's policy, on times the test gives by hand. */
class FreezeWatchTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aWorkerThatIsNeverStoppedIsNeverKilled() {
        FreezeWatch w = new FreezeWatch(10 * S);
        for (long t = 0; t < 1_000 * S; t += S) {
            assertThat(w.killAfter(t, false)).isFalse();
        }
    }

    @Test
    void aWorkerStoppedForTheLimitInARowIsKilledAtTheLimitNotBefore() {
        FreezeWatch w = new FreezeWatch(10 * S);
        assertThat(w.killAfter(5 * S, false)).isFalse();
        assertThat(w.killAfter(6 * S, true)).isFalse();
        assertThat(w.killAfter(15 * S, true)).isFalse();
        assertThat(w.killAfter(16 * S - 1, true)).isFalse();
        assertThat(w.killAfter(16 * S, true)).isTrue();
        assertThat(w.describe(16 * S))
                .contains("stopped from outside (SIGSTOP) for 10 s")
                .contains("given up on after 10 s");
    }

    @Test
    void aWorkerContinuedBeforeTheLimitStartsCountingAgainAtItsNextStop() {
        FreezeWatch w = new FreezeWatch(10 * S);
        assertThat(w.killAfter(0, true)).isFalse();
        assertThat(w.killAfter(9 * S, true)).isFalse();
        assertThat(w.killAfter(10 * S - 1, false)).isFalse(); // SIGCONT
        assertThat(w.killAfter(11 * S, true)).isFalse();
        assertThat(w.killAfter(20 * S, true)).isFalse();
        assertThat(w.killAfter(21 * S, true)).isTrue();
    }

    @Test
    void timesThatWrapAreComparedByDifference() {
        FreezeWatch w = new FreezeWatch(10 * S);
        long start = Long.MAX_VALUE - 3 * S;
        assertThat(w.killAfter(start, true)).isFalse();
        assertThat(w.killAfter(start + 9 * S, true)).isFalse(); // wrapped past Long.MAX_VALUE
        assertThat(w.killAfter(start + 10 * S, true)).isTrue();
    }

    @Test
    void thisProcessIsNotStopped() {
        assertThat(ProcessTree.stopped(ProcessHandle.current().pid())).isFalse();
        assertThat(ProcessTree.stopped(Long.MAX_VALUE)).as("no such process").isFalse();
    }
}
