package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The restart budget and backoff, on a clock the test moves by hand. */
class RestartPolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void firstDeathRestartsAtOnceThenBackoffDoublesUpToItsCap() {
        RestartPolicy p = new RestartPolicy(10, 10_000 * MS, 100 * MS, 350 * MS);
        assertThat(p.onCrash(0)).isZero();
        assertThat(p.onCrash(1)).isEqualTo(100 * MS);
        assertThat(p.onCrash(2)).isEqualTo(200 * MS);
        assertThat(p.onCrash(3)).isEqualTo(350 * MS);
        assertThat(p.onCrash(4)).isEqualTo(350 * MS);
    }

    @Test
    void givesUpBeyondTheLimitWithinTheWindow() {
        RestartPolicy p = new RestartPolicy(2, 1000 * MS, 0, 0);
        assertThat(p.onCrash(0)).isZero();
        assertThat(p.onCrash(10 * MS)).isZero();
        assertThat(p.onCrash(20 * MS)).isEqualTo(RestartPolicy.GIVE_UP);
    }

    @Test
    void deathsOlderThanTheWindowAreForgotten() {
        RestartPolicy p = new RestartPolicy(2, 1000 * MS, 0, 0);
        p.onCrash(0);
        p.onCrash(10 * MS);
        assertThat(p.onCrash(1005 * MS)).isNotEqualTo(RestartPolicy.GIVE_UP);
        assertThat(p.deathsInWindow()).isEqualTo(2);
    }
}
