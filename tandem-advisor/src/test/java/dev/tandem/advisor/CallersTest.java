package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.measure.Pace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The callers' own timeout and the stop of their pool are ordered. Was: both ended at the phase's deadline plus its
 * grace, the same instant, so whether a warm-up's pool was stopped (and the note StoppedPoolTest expects written)
 * was the scheduler's choice; StoppedPoolTest failed once at load 2.
 */
class CallersTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void thePoolIsStoppedOnlyAfterTheCallersOwnTimeout() {
        long giveUp = 10_000 * MS;
        assertThat(Callers.stopAt(giveUp, 2_000 * MS)).isGreaterThanOrEqualTo(giveUp + Callers.RETURN_MARGIN_NANOS);
        assertThat(Callers.stopAt(giveUp, 0)).isEqualTo(giveUp + Callers.RETURN_MARGIN_NANOS);
        // a long grace (a busy machine's) gives a caller longer to return
        assertThat(Callers.stopAt(giveUp, 8_000 * MS)).isEqualTo(giveUp + 2_000 * MS);
    }

    /** The case the flaky test needed, forced: a caller still waiting past its stop time has its pool stopped. */
    @Test
    void aCallerThatDidNotReturnAfterItsOwnTimeoutHasItsPoolStopped() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskPool pool = Tandem.threads(1).start()) {
            Thread caller = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                try {
                    never.await(); // a caller that ignores its own timeout: only the interrupt ends it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
            Callers.joinAll(List.of(caller), System.nanoTime(), pool, Duration.ofSeconds(30));
            assertThat(pool.isShutdown()).as("its pool was stopped").isTrue();
            assertThat(caller.isAlive()).as("interrupted, the caller returned").isFalse();
        }
    }

    /** A caller that gave up on its own (returned) before the stop time leaves the pool to the next phase. */
    @Test
    void aCallerThatReturnedOnItsOwnLeavesThePoolRunning() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        try (TaskPool pool = Tandem.threads(1).start()) {
            Thread caller = Thread.ofPlatform().start(returned::countDown);
            assertThat(returned.await(30, TimeUnit.SECONDS)).isTrue();
            Callers.joinAll(List.of(caller), System.nanoTime() + TimeUnit.SECONDS.toNanos(60), pool, Duration.ZERO);
            assertThat(pool.isShutdown()).isFalse();
        }
    }

    /**
     * Was: a trial's grace was 2 s at the least, whatever its share, after the warm-up and again after the measured
     * phase: virtual(208) of a 23 ms task took 5.51 s of a 660 ms share on a busy machine, and processes(2) and
     * hybrid(1x52), measured after it, were skipped for budget.
     */
    @Test
    void aTrialsGraceWasTwoSecondsWhateverItsShare() {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        long quiet = Pace.Limit.TRIAL_GRACE.quiet().toNanos();
        Pace busy = new Pace(0.09);
        // a short task in the caller's JVM: the two graces of a trial fit in its share, busy machine or not
        for (Pace pace : List.of(Pace.QUIET, busy)) {
            assertThat(2 * Callers.graceNanos(660 * ms, 40 * ms, pace, false)).isLessThanOrEqualTo(660 * ms);
            assertThat(Callers.graceNanos(400 * ms, 2 * ms, pace, false)).isEqualTo(100 * ms);
        }
        // a long call is still waited for: four of the longest, up to the quiet grace stretched by the pace
        assertThat(Callers.graceNanos(660 * ms, 300 * ms, Pace.QUIET, false)).isEqualTo(1_200 * ms);
        assertThat(Callers.graceNanos(660 * ms, 600 * ms, Pace.QUIET, false)).isEqualTo(quiet);
        assertThat(Callers.graceNanos(660 * ms, 1_000 * ms, busy, false)).isEqualTo(4_000 * ms);
        // a long share keeps a quarter of it
        assertThat(Callers.graceNanos(4_000 * ms, 2 * ms, Pace.QUIET, false)).isEqualTo(1_000 * ms);
        // in worker JVMs, a lost worker is noticed only once it exited: the quiet grace at least
        assertThat(Callers.graceNanos(660 * ms, 2 * ms, Pace.QUIET, true)).isEqualTo(quiet);
    }
}
