package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What suits a task that computes is one task per core at once, however the model holds its threads: a hybrid of
 * P worker JVMs x T threads runs P x T tasks at once, and Java has no GIL, so {@code hybrid(1x2)} (one worker JVM,
 * two threads sharing its heap) runs on both cores of a 2-core machine as {@code threads(2)} does. Its worker JVM
 * buys isolation from the caller, not parallelism. Fresh user (session 14): hybrid(1x2) was said not to suit a
 * computing task, because only the worker JVMs were counted.
 */
class HybridSuitabilityTest {
    private static final long MS = 1_000_000;
    private static final Advice.Probe COMPUTES = probe(0.99, 2 * MS, 0);
    private static final Advice.Probe WAITS = probe(0.02, 10 * MS, 0);
    private static final Advice.Requirements ISOLATE = new Advice.Requirements(true, 0, 0);

    private static List<Advice.Trial> trials(double processes, double hybrid) {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, processes, 9 * MS, 60_000, 58L << 20),
                trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, hybrid, 8 * MS, 50_000, 60L << 20));
    }

    private static String words(Advice.Verdict v) {
        return String.join("\n", VerdictWordsTest.sentences(v));
    }

    @Test
    void hybridOneByTwoWasCalledUnsuitedToATaskThatComputes() {
        // measured clearly fastest of the models that keep the task apart: recommended without "does not suit"
        Advice.Verdict fastest = Rules.decide(COMPUTES, trials(900, 1_100), ISOLATE, MACHINE);
        assertThat(fastest.label()).isEqualTo("hybrid(1x2)");
        assertThat(words(fastest)).doesNotContain("does not suit");
        // within the noise of processes(2): the cheaper wins (one worker JVM against two), not processes(2) as
        // "the one that suits the task"
        Advice.Verdict tie = Rules.decide(COMPUTES, trials(900, 890), ISOLATE, MACHINE);
        assertThat(tie.label()).as("%s", tie.decision()).isEqualTo("hybrid(1x2)");
        assertThat(words(tie))
                .doesNotContain("the one that suits the task")
                .contains("hybrid(1x2) needs fewer worker JVMs (1 against 2)");
    }

    @Test
    void aHybridSuitsAComputingTaskByItsTasksAtOnceNotItsWorkerJvms() {
        Rules r = new Rules(COMPUTES, trials(900, 890), Advice.Requirements.NONE, MACHINE, null, null);
        Advice.Trial oneByTwo = trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, 900, 8 * MS, 50_000, 60L << 20);
        Advice.Trial twoByTwo = trial("hybrid(2x2)", Mode.HYBRID, 2, 2, false, 900, 8 * MS, 50_000, 60L << 20);
        Advice.Trial twoByOne = trial("hybrid(2x1)", Mode.HYBRID, 2, 1, false, 900, 8 * MS, 50_000, 60L << 20);
        assertThat(r.suitability(oneByTwo)).as("2 tasks at once on 2 cores").isZero();
        assertThat(r.suitability(twoByOne)).as("2 tasks at once on 2 cores").isZero();
        assertThat(r.suitability(twoByTwo)).as("4 tasks at once on 2 cores").isOne();
        // a task that mostly waits: virtual threads suit it, a hybrid does not, however it holds its threads
        Rules waits = new Rules(WAITS, trials(900, 890), Advice.Requirements.NONE, MACHINE, null, null);
        assertThat(waits.suitability(oneByTwo)).isOne();
        // without a requirement, threads(2) and hybrid(1x2) both suit; within the noise the cheaper, in this JVM
        Advice.Verdict v = Rules.decide(COMPUTES, trials(900, 955), Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("threads(2)");
        assertThat(words(v))
                .doesNotContain("does not suit")
                .contains("the cheaper of the two: threads(2) runs in this JVM")
                .contains("worker JVMs would buy isolation, not speed");
    }
}
