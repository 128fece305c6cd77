package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Time limits scale with the machine's measured pace, from one place: every fixed limit of the lab and
 * the advisor is a {@link Pace.Limit}, applied by {@link Pace#limit} or {@link Pace#await}.
 */
class PaceTest {
    @Test
    void everyLimitStretchesByTheInverseOfTheCpuShareUpToSixteenTimes() {
        for (Pace.Limit l : Pace.Limit.values()) {
            assertThat(new Pace(1).limit(l)).as(l.name()).isEqualTo(l.quiet());
            assertThat(new Pace(0.25).limit(l)).as(l.name()).isEqualTo(l.quiet().multipliedBy(4));
            assertThat(new Pace(0.001).limit(l))
                    .as(l.name())
                    .isEqualTo(l.quiet().multipliedBy(16));
        }
    }

    @Test
    void awaitWaitsTheQuietLimitFirstAndOnlyThenTheStretchedRest() throws Exception {
        List<Long> waits = new ArrayList<>();
        assertThat(Pace.await(Pace.Limit.PROCESS_EXIT, ns -> waits.add(ns))).isTrue();
        assertThat(waits).containsExactly(Pace.Limit.PROCESS_EXIT.quiet().toNanos());

        waits.clear();
        boolean happened = Pace.await(Pace.Limit.PROCESS_EXIT, ns -> {
            waits.add(ns);
            return false;
        });
        assertThat(happened).isFalse();
        assertThat(waits.getFirst()).isEqualTo(Pace.Limit.PROCESS_EXIT.quiet().toNanos());
        // a second wait only when the measured pace stretched the limit, and then for the rest of it
        assertThat(waits).hasSizeLessThanOrEqualTo(2);
        waits.stream()
                .skip(1)
                .forEach(rest -> assertThat(rest)
                        .isPositive()
                        .isLessThanOrEqualTo(
                                15 * Pace.Limit.PROCESS_EXIT.quiet().toNanos()));
    }
}
