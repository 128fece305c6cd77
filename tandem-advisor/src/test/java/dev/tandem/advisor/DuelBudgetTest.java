package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --time} bounds the side-by-side phase too: a duel took 10.9 s against a 1.23 s share, its rounds
 * of at least 100 ms each waiting for calls longer than a round.
 */
class DuelBudgetTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theSideBySidePhaseTookNineTimesItsShare() {
        Subject subject = Subject.of(Workloads.SlowCall.class);
        Advice.Probe probe = RulesTest.probe(0.01, 250 * MS, 0);
        Trials runner =
                new Trials(subject, subject.instantiate(100), probe, Advisor.Options.defaults(), 2, Orphans.watch());
        long share = 1_230 * MS;
        long t0 = System.nanoTime();
        Trials.Duel duel = runner.duel(
                new Trials.Plan(Mode.THREADS, 1, 1, 1, false), new Trials.Plan(Mode.THREADS, 2, 1, 2, false), share);
        long took = System.nanoTime() - t0;
        assertThat(duel).as("rounds of a few 250 ms calls do not fit in 1.23 s").isNull();
        assertThat(took)
                .as("took %d ms of a %d ms share", took / MS, share / MS)
                .isLessThan(share + 1_000 * MS);
        assertThat(Trials.minDuelNanos(probe))
                .as("the conductor does not even start a duel that cannot fit")
                .isGreaterThan(share);
    }

    /**
     * Was: "gave no figures: once both pools had started, too little ... was left for 7 rounds ..., or a pool did
     * not start", two reasons joined with "or" where one had happened.
     */
    @Test
    void aSkippedDuelGaveTwoReasonsJoinedWithOr() {
        Subject subject = Subject.of(Workloads.SlowCall.class);
        Advice.Probe probe = RulesTest.probe(0.01, 250 * MS, 0);
        Trials runner =
                new Trials(subject, subject.instantiate(100), probe, Advisor.Options.defaults(), 2, Orphans.watch());
        Trials.Duel duel = runner.duel(
                new Trials.Plan(Mode.THREADS, 1, 1, 1, false), new Trials.Plan(Mode.THREADS, 2, 1, 2, false), 500 * MS);
        assertThat(duel).isNull();
        assertThat(runner.duelFailure)
                .startsWith("once both pools had started, ")
                .contains("was left, too little for " + Trials.DUEL_ROUNDS + " rounds of each of at least")
                .doesNotContain(" or ");
    }
}
