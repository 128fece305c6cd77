package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The restart policy, on a clock the test moves by hand. */
class RestartPolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void aCrashLoopRestartsAtOnceThenBacksOffDoublingUpToTheCap() {
        RestartPolicy p = new RestartPolicy(10, 10_000 * MS, 100 * MS, 350 * MS);
        assertThat(p.onDeath(0, false)).isZero();
        assertThat(p.onDeath(1, false)).isEqualTo(100 * MS);
        assertThat(p.onDeath(2, false)).isEqualTo(200 * MS);
        assertThat(p.onDeath(3, false)).isEqualTo(350 * MS);
        assertThat(p.onDeath(4, false)).isEqualTo(350 * MS);
    }

    @Test
    void aWorkerThatCompletedWorkIsReplacedAtOnceAndNotCounted() {
        RestartPolicy p = new RestartPolicy(2, 10_000 * MS, 100 * MS, 2_000 * MS);
        for (int i = 0; i < 1000; i++) {
            assertThat(p.onDeath(i * MS, true)).isZero();
        }
        assertThat(p.deathsInWindow()).isZero();
    }

    @Test
    void progressEndsTheBackoffOfACrashLoop() {
        RestartPolicy p = new RestartPolicy(10, 10_000 * MS, 100 * MS, 2_000 * MS);
        p.onDeath(0, false);
        assertThat(p.onDeath(1, false)).isEqualTo(100 * MS);
        p.onProgress();
        assertThat(p.onDeath(2, false)).isZero();
    }

    @Test
    void givesUpBeyondTheLimitWithinTheWindow() {
        RestartPolicy p = new RestartPolicy(2, 1000 * MS, 0, 0);
        assertThat(p.onDeath(0, false)).isZero();
        assertThat(p.onDeath(10 * MS, false)).isZero();
        assertThat(p.onDeath(20 * MS, false)).isEqualTo(RestartPolicy.GIVE_UP);
    }

    /** Issue 9 §1: with a 2 s backoff only five deaths fit a 10 s window, so a limit of 20 never tripped. */
    @Test
    void aSlowCrashLoopGivesUpOnceItLastedAWholeWindow() {
        RestartPolicy p = new RestartPolicy(20, 10_000 * MS, 10 * MS, 2_000 * MS);
        long now = 0;
        int deaths = 0;
        long delay;
        while ((delay = p.onDeath(now, false)) != RestartPolicy.GIVE_UP) {
            deaths++;
            now += delay + 500 * MS; // each start fails after half a second
        }
        assertThat(now).isBetween(10_000 * MS, 12_500 * MS);
        assertThat(deaths).isLessThan(20);
    }

    @Test
    void deathsOlderThanTheWindowAreForgotten() {
        RestartPolicy p = new RestartPolicy(2, 1000 * MS, 0, 0);
        p.onDeath(0, false);
        p.onDeath(10 * MS, false);
        p.onProgress();
        assertThat(p.onDeath(1005 * MS, false)).isNotEqualTo(RestartPolicy.GIVE_UP);
        assertThat(p.deathsInWindow()).isEqualTo(2);
    }

    @Test
    void hugeBackoffsSaturateInsteadOfOverflowing() {
        long huge = PoolOptions.MAX_DURATION.toNanos();
        RestartPolicy p = new RestartPolicy(100, huge, huge / 4, huge);
        p.onDeath(0, false);
        for (int i = 1; i < 70; i++) {
            assertThat(p.onDeath(i, false)).isPositive().isLessThanOrEqualTo(huge);
        }
    }

    /**
     * Issue 9 (robustness §4): restartBackoff(20 s, 40 s) and three tasks that halt said "died 1
     * times ... (the restart limit of 20 within PT10S)" although 3 died and the loop outlasted the window.
     */
    @Test
    void aLoopThatOutlastedTheWindowSaysSoAndCountsEveryDeath() {
        RestartPolicy p = new RestartPolicy(20, 10_000 * MS, 10_000 * MS, 10_000 * MS);
        assertThat(p.onDeath(0, false)).isZero();
        assertThat(p.onDeath(1_000 * MS, false)).isEqualTo(10_000 * MS);
        assertThat(p.onDeath(11_500 * MS, false)).isEqualTo(RestartPolicy.GIVE_UP);
        assertThat(p.describeLoop(11_500 * MS))
                .startsWith("workers died or failed to start 3 times in 11500 ms")
                .contains("outlasted the restart limit's window of 10 s")
                .doesNotContain("limit of 20");
    }

    @Test
    void aLoopOverTheCountLimitSaysSo() {
        RestartPolicy p = new RestartPolicy(2, 10_000 * MS, 0, 0);
        p.onDeath(0, false);
        p.onDeath(10 * MS, false);
        assertThat(p.onDeath(20 * MS, false)).isEqualTo(RestartPolicy.GIVE_UP);
        assertThat(p.describeLoop(20 * MS))
                .startsWith("workers died or failed to start 3 times in 20 ms")
                .contains("3 of them within 10 s, over the restart limit of 2 (restartLimit)");
    }
}
