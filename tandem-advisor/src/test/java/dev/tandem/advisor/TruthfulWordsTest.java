package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The advisor's words against its own numbers, as a fresh user read them after issue 13's first round:
 * each regression test is named after what a report said wrong.
 */
class TruthfulWordsTest {
    private static final long MS = 1_000_000;

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
            assertThat(overhead).contains("batched with map(): 200/s with map() vs 190/s one by one");
        } else {
            assertThat(overhead)
                    .contains("submitted one by one: 200/s with map() vs 190/s one by one (1.05×), but at"
                            + " 10.0 ms per call a task is long enough to submit on its own");
        }
    }

    /** Every sentence of a verdict, as the report prints it. */
    private static List<String> words(Advice.Verdict v) {
        List<String> all = new ArrayList<>(v.requirementEffects());
        all.addAll(v.decision());
        all.addAll(v.warnings());
        all.add(v.summary());
        all.addAll(v.reasons().stream().map(Advice.Reason::text).toList());
        return all;
    }

    /** Was: --max-latency gave one bullet for its effect and one more for each note on how the models met it. */
    @Test
    void aLatencyLimitGaveSeveralBulletsForOneRequirement() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 60_000, 50_000, 12_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 64_000, 95_000, 20_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 11_000_000, -1, -1, 0));
        Advice.Verdict v = Rules.decide(probe(1, 30, 0), trials, new Advice.Requirements(false, 0, 10_000), MACHINE);
        assertThat(v.requirementEffects())
                .singleElement()
                .asString()
                .startsWith("--max-latency 10.0 µs: changed the verdict")
                .contains("batching is off")
                .contains("no model met --max-latency 10.0 µs");
    }

    /**
     * Was: "batched, threads(2)+map ran 11,000,000/s vs 64,000/s one by one", "one by one measured 64,000/s,
     * batched 11,000,000/s" and "with map() vs 64,000/s submitting one by one": three wordings of one comparison.
     */
    @Test
    void mapAgainstOneByOneWasWordedThreeWays() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 60_000, 50_000, 12_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 64_000, 95_000, 20_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 11_000_000, -1, -1, 0));
        List<String> all =
                new ArrayList<>(words(Rules.decide(probe(1, 30, 0), trials, Advice.Requirements.NONE, MACHINE)));
        all.addAll(words(Rules.decide(probe(1, 30, 0), trials, new Advice.Requirements(false, 0, 10_000), MACHINE)));
        assertThat(all)
                .filteredOn(s -> s.contains("one by one") && s.contains("64,000/s"))
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(s -> assertThat(s).contains("11,000,000/s with map() vs 64,000/s one by one"));
        assertThat(all)
                .noneSatisfy(
                        s -> assertThat(s).containsAnyOf("submitting one by one", "batched, ", "one by one measured"));
    }

    /** Was: "their spreads, IQR 931-969/s and IQR 941-979/s, overlap": ranges are phrased "from A to B". */
    @Test
    void rangesReadFromATo() {
        Advice.Verdict v =
                Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(words(v)).anySatisfy(s -> assertThat(s).contains("IQR from "));
        assertThat(words(v)).noneSatisfy(s -> assertThat(s).containsPattern("IQR [0-9.,]+-[0-9]"));
    }

    /** Was: reasons, decisions and warnings began in lower case in the report: "- Concurrency: a call spends". */
    @Test
    void theReportsSentencesBeginWithACapital() {
        Advice.Verdict v =
                Rules.decide(probe(0.99, 2 * MS, 0), RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        StringBuilder b = new StringBuilder();
        Terminal.verdict(b, v);
        List<String> bullets = b.toString()
                .lines()
                .filter(l -> l.startsWith("- "))
                .map(l -> l.substring(2))
                .map(l -> l.replaceFirst("^(" + titles() + "): ", ""))
                .toList();
        assertThat(bullets)
                .isNotEmpty()
                .allSatisfy(
                        s -> assertThat(Character.isUpperCase(s.charAt(0)) || s.split("[\\s:;,]", 2)[0].contains("("))
                                .as(s)
                                .isTrue());
        assertThat(b.toString()).contains("- Concurrency: A call spends");
        assertThat(Terminal.capitalised("threads(2) measured 950/s")).isEqualTo("threads(2) measured 950/s");
        assertThat(Terminal.capitalised("no call failed")).isEqualTo("No call failed");
    }

    private static String titles() {
        return String.join(
                "|",
                Arrays.stream(Advice.Angle.values())
                        .map(a -> Pattern.quote(a.title()))
                        .toList());
    }

    /**
     * Was: a task that needs a heap cap of its own (question 7) got a hybrid, whose tasks share one heap, and code
     * without the cap: a heap need is one task per worker JVM, with the cap and the recycling in the code.
     */
    @Test
    void aTaskThatNeedsAHeapCapGotNoCapInItsCode() {
        Interview.Answers heap = new Interview.Answers(0.3, 50 * MS, 8, 0, false, false, true, false, 0);
        Advice.Verdict v = Interview.verdict(heap, AdviseCommandTest.COSTS, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.code())
                .contains("Tandem.processes(")
                .contains(".jvmOptions(\"-Xmx256m\")")
                .contains(".maxTasksPerWorker(1000)");
        // measured: the recycling bound follows from the measured leak, the cap from --heap-per-task
        Advice.Verdict measured = Rules.decide(
                probe(0.99, 2 * MS, 64 << 10),
                RulesTest.cpuTrials(),
                new Advice.Requirements(false, 512L << 20, 0),
                MACHINE);
        assertThat(measured.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(measured.code()).contains(".jvmOptions(\"-Xmx512m\")").contains(".maxTasksPerWorker(4096)");
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
    /**
     * Was: "results under threads(2) matched threads(1) for all 2403 inputs compared: no sign of a data race" in
     * the structure reason, while the warnings said "a repeated call gave a different (or incomparable) result, so
     * results were not used to check thread safety" (a fresh user's report, a task that threw every second call).
     */
    @Test
    void aTaskWhoseRepeatedCallDiffersIsNotSaidToShowNoSignOfADataRace() {
        Advice.Probe varying = varying(probe(0.99, 2 * MS, 0));
        Advice.Trial compared =
                RulesTest.differing(trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0), 0);
        List<Advice.Trial> trials =
                List.of(trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0), compared);
        Advice.Verdict v = Rules.decide(varying, trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.warnings()).anySatisfy(w -> assertThat(w).contains("results were not used to check thread"));
        assertThat(v.reasons()).noneSatisfy(r -> assertThat(r.text()).contains("no sign of a data race"));
        Advice.Verdict same = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(same.reasons())
                .as("a task whose repeated call is equal: equal results are evidence")
                .anySatisfy(r -> assertThat(r.text()).contains("matched threads(1) for all 400 inputs compared"));
    }

    /** {@return the probe {@code p}, whose repeated call gave a different result} */
    static Advice.Probe varying(Advice.Probe p) {
        return new Advice.Probe(
                p.calls(),
                p.failures(),
                p.firstFailure(),
                p.medianCallNanos(),
                p.maxCallNanos(),
                p.cpuShare(),
                p.allocatedBytesPerCall(),
                p.retainedBytesPerCall(),
                false,
                p.taskBytes(),
                p.resultBytes(),
                p.serializationError(),
                p.jvmEnded(),
                p.endedHow(),
                p.exitCode(),
                p.nativeLibraries(),
                p.jvmStartNanos());
    }
}
