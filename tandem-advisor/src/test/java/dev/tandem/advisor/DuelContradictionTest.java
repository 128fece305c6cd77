package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.tight;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.measure.Load;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A verdict never rests on a trial figure that the side-by-side rounds contradict. Fresh user (session 14):
 * {@code map()} was recommended because a third model beat the one-by-one {@code threads(2)} on its trial figure
 * (34.8/s, on a busy machine), while measured again side by side {@code threads(2)} and {@code threads(2)+map} were
 * within the noise of each other; the docs say one task per submit then, and the table showed the figure plainly.
 */
class DuelContradictionTest {
    private static final long MS = 1_000_000;
    /** A task of 20 µs that computes: tiny, so map() is tried. */
    private static final Advice.Probe TINY = probe(0.99, 20_000, 0);

    private static List<Advice.Trial> trials(Advice.MachineLoad load) {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 30, 3 * MS, 5_000, 0, tight(30), load),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 34.8, 4 * MS, 6_000, 0, tight(34.8), load),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 50, 30 * MS, 9_000, 0, tight(50), load),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 60, -1, -1, 0, tight(60), load),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 55, 9 * MS, 60_000, 58L << 20, tight(55), load),
                trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, 52, 8 * MS, 50_000, 60L << 20, tight(52), load));
    }

    /** Side by side, map() and one task per submit overlap: within the noise of each other. */
    private static Trials.Duel tie(Load load) {
        return new Trials.Duel(
                "threads(2)+map",
                List.of(50.0, 54.0, 57.0, 60.0, 63.0, 66.0),
                "threads(2)",
                List.of(49.0, 53.0, 56.0, 59.0, 62.0, 65.0),
                load);
    }

    private static String words(Advice.Verdict v) {
        return String.join("\n", VerdictWordsTest.sentences(v));
    }

    @Test
    void mapWasRecommendedOnAOneByOneFigureTheDuelContradicted() {
        Advice.Verdict v = Rules.decide(TINY, trials(null), Advice.Requirements.NONE, MACHINE, tie(null));
        assertThat(v.label()).as("%s", v.decision()).isEqualTo("threads(2)");
        assertThat(v.batch()).isFalse();
        assertThat(v.summary())
                .contains("threads(2)+map and threads(2) measured within the noise of each other (side by side")
                .contains("the one that submits each task on its own");
        // the third model's lead rests on the contradicted figure, and the decision says so
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2) measured 55.0/s against threads(2)'s 34.8/s")
                        .contains("rests on threads(2)'s trial figure, which the side-by-side rounds contradict")
                        .contains("did not measure clearly faster than threads(2)+map"));
        // a reason that quotes the contradicted figure flags it in the same sentence, and builds no speed-up on it
        assertThat(VerdictWordsTest.sentences(v))
                .filteredOn(x -> x.contains("34.8/s") && !x.contains("in their trials") && !x.contains("'s trial put"))
                .isNotEmpty()
                .allSatisfy(x -> assertThat(x)
                        .containsAnyOf("34.8/s (contradicted side by side)", "34.8/s, but", "34.8/s against 60.0/s"));
        assertThat(words(v)).doesNotContain("1.16×");
        // no sentence quotes the trials' map() gain as a gain
        assertThat(words(v)).doesNotContain("favours batching").doesNotContain("batched with map(): 60.0/s");
        assertThat(v.reasons())
                .filteredOn(r -> r.angle() == Advice.Angle.OVERHEAD)
                .singleElement()
                .satisfies(r -> assertThat(r.text())
                        .contains("batching gained nothing measurable: measured again side by side, threads(2)+map"
                                + " and threads(2) were within the noise of each other"));
    }

    @Test
    void theTableShowedAFigureTheDuelContradictedPlainly() {
        List<Advice.Standing> table = Standings.of(trials(null), tie(null));
        assertThat(table)
                .filteredOn(s -> s.label().equals("threads(2)"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.measured()).isTrue();
                    assertThat(s.tasksPerSecond()).isEqualTo(34.8);
                    assertThat(s.status())
                            .startsWith("measured; contradicted side by side: threads(2)'s trial put it clearly"
                                    + " behind threads(2)+map (34.8/s against 60.0/s), but measured again side by side the"
                                    + " two were within the noise of each other");
                });
        assertThat(table)
                .filteredOn(s -> s.label().equals("threads(2)+map"))
                .singleElement()
                .satisfies(s -> assertThat(s.status())
                        .startsWith("measured; contradicted side by side: threads(2)+map's trial"
                                + " put it clearly ahead of threads(2)"));
        // the models the duel did not measure keep their plain status
        assertThat(table)
                .filteredOn(s -> !s.label().startsWith("threads(2)"))
                .allSatisfy(s -> assertThat(s.status()).isEqualTo("measured"));
    }

    @Test
    void onABusyMachineTheContradictedPairIsInconclusiveInTheReportsOwnWords() {
        Advice.MachineLoad busy = new Advice.MachineLoad(
                2, 2, 9.1, 9.5, 1.4, 0, true, "load average 9.1 to 9.5 on 2 CPUs; others used 1.4 CPUs");
        Load duelLoad = new Load(5, 2, 9.1, 9.5, 1.4, 0, 0);
        Advice.Verdict v = Rules.decide(TINY, trials(busy), Advice.Requirements.NONE, MACHINE, tie(duelLoad));
        assertThat(v.batch()).isFalse();
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary()).startsWith("Use threads(2): " + Reasons.INCONCLUSIVE_BUSY);
    }

    @Test
    void aDuelThatAgreesWithTheTableStillDecides() {
        // side by side map() clearly ahead, as in the trials: nothing is contradicted, map() stands
        Trials.Duel apart = new Trials.Duel(
                "threads(2)+map",
                List.of(58.0, 59.0, 60.0, 61.0, 62.0, 63.0),
                "threads(2)",
                List.of(33.0, 34.0, 35.0, 36.0, 37.0, 38.0),
                null);
        Advice.Verdict v = Rules.decide(TINY, trials(null), Advice.Requirements.NONE, MACHINE, apart);
        assertThat(v.label()).isEqualTo("threads(2) + map()");
        assertThat(v.summary()).contains("threads(2)+map ran 60.0/s with map() vs 34.8/s one by one");
        assertThat(Standings.of(trials(null), apart))
                .allSatisfy(s -> assertThat(s.status()).isEqualTo("measured"));
    }
}
