package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The advisor's words against its own numbers, as a fresh user read them after issue 13's first round:
 * each regression test is named after what a report said wrong.
 */
class TruthfulWordsTest {
    /**
     * Was: with a --max-latency no model met, "map() ... more than --max-latency 10.0 µs allows" ruled map() out
     * as if the chosen model had met the limit; it had missed it too.
     */
    @Test
    void mapWasRuledOutByALatencyLimitTheChosenModelAlsoMissed() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 60_000, 50_000, 12_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 64_000, 95_000, 20_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 11_000_000, -1, -1, 0));
        Advice.Verdict v = Rules.decide(probe(1, 30, 0), trials, new Advice.Requirements(false, 0, 10_000), MACHINE);
        List<String> all = new ArrayList<>(v.requirementEffects());
        all.addAll(v.decision());
        all.addAll(v.reasons().stream().map(Advice.Reason::text).toList());
        String chosen = "threads(" + v.workers() + ")";
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        assertThat(v.batch()).isFalse();
        assertThat(all)
                .filteredOn(s -> s.contains("more than --max-latency 10.0 µs allows"))
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s)
                        .contains("no model met the limit either, the chosen one included: " + chosen + " had p99 ")
                        .contains(" > 10.0 µs"));
    }

    /** Was: "map() batched to 200/s vs 190/s submitting one by one (1.05×): tasks this long need no batching". */
    @Test
    void mapWasSaidToBatchBesideTasksThatNeedNoBatching() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 100, 10_500_000, 50_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 190, 11_000_000, 60_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 200, -1, -1, 0));
        Advice.Verdict v = Rules.decide(probe(1, 10_000_000, 0), trials, Advice.Requirements.NONE, MACHINE);
        String overhead = v.reasons().stream()
                .filter(r -> r.angle() == Advice.Angle.OVERHEAD)
                .map(Advice.Reason::text)
                .findFirst()
                .orElseThrow();
        assertThat(overhead).doesNotContain("map() batched").doesNotContain("need no batching");
        if (v.batch()) {
            assertThat(overhead).contains("batched with map(): 200/s with map() vs 190/s submitting one by one");
        } else {
            assertThat(overhead)
                    .contains("submitted one by one: 200/s with map() vs 190/s submitting one by one (1.05×), but at"
                            + " 10.0 ms per call a task is long enough to submit on its own");
        }
    }

    /** A task that returns nothing. */
    public static final class Nothing implements Task<Void> {
        /** Creates it. */
        public Nothing() {}

        @Override
        public Void call() {
            return null;
        }
    }

    /** Was: the example code said {@code Future<R> f = pool.submit(task)} for every task, one returning nothing too. */
    @Test
    void theExampleCodeUsedFutureOfRForATaskThatReturnsNothing() {
        assertThat(Subject.of(Nothing.class).resultType()).isEqualTo("Void");
        assertThat(Subject.of(Workloads.Tiny.class).resultType()).isNotEqualTo("R");
        String submit = "try (TaskPool pool = Tandem.threads(2).start()) {\n" + ExampleCode.call(false, "R") + "}";
        assertThat(ExampleCode.forResult(submit, false, "Void"))
                .contains("Future<?> f = pool.submit(task);")
                .contains("it returns nothing")
                .doesNotContain("Future<R>");
        assertThat(ExampleCode.forResult(submit, false, "Long")).contains("Future<Long> f = pool.submit(task);");
        String map = "try (TaskPool pool = Tandem.threads(2).start()) {\n" + ExampleCode.call(true, "R") + "}";
        assertThat(ExampleCode.forResult(map, true, "Void"))
                .contains("pool.map(fn, inputs);")
                .doesNotContain("List<")
                .doesNotContain("Future");
        assertThat(ExampleCode.forResult(map, true, "Long")).contains("List<Long> results = pool.map(fn, inputs);");
    }
}
