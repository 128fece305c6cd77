package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.tight;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.Mode;
import dev.tandem.measure.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model that completed no task (every call failed, hung, or its worker died) is a failed measurement: the
 * report and {@code results.json} say "failed: why" for it, it never shows as 0/s, and it is left out of the
 * ranking; in a trial and when measured again side by side. Every model is listed side by side in
 * {@code results.json} with its workers, figure, spread and status.
 */
class FailedMeasurementTest {
    private static final long MS = 1_000_000;

    /** A trial of processes(2) in which every call lost its worker JVM: 40 calls, none completed. */
    static Advice.Trial workersDied() {
        Advice.Trial t = trial("processes(2)", Mode.PROCESSES, 2, 1, false, 0, 9 * MS, 60_000, 58L << 20);
        return TrialFixture.of(t)
                .withCompleted(0)
                .withFailures(
                        40, "WorkerLostException", "WorkerLostException: worker 1 (pid 4242) ended with exit code 3")
                .withThroughput(0)
                .withoutLatencies()
                .withSamples(List.of(0.0, 0.0, 0.0, 0.0, 0.0))
                .build();
    }

    private static List<Advice.Trial> trials() {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                workersDied(),
                trial("hybrid(2x2)", Mode.HYBRID, 2, 2, false, 900, 8 * MS, 50_000, 60L << 20, List.of(900.0), null));
    }

    private static Advice advice(List<Advice.Trial> trials, Advice.Verdict v) {
        return new Advice(
                "ext.Dies",
                MACHINE,
                Advice.Requirements.NONE,
                10_000 * MS,
                probe(0.99, 2 * MS, 0),
                trials,
                null,
                v,
                9_000 * MS,
                List.of("measuring took 9.00 s of its 10.0 s budget (--time)"),
                List.of());
    }

    /**
     * Was: "threads(2)+map 1,213/s, one sample, failed 1" in the table, and "1,213/s with map() vs 11,411/s one by
     * one, so batching gains nothing" in the verdict, for a task that threw on every second call: map() ends at its
     * first failing input, so the inputs before it are no throughput of the model.
     */
    @Test
    void aMapTrialThatStoppedAtAFailingInputIsAFailedMeasurementNotARate() {
        Advice.Trial oneByOne = trial("threads(2)", Mode.THREADS, 2, 1, false, 11_411, 4 * MS, 6_000, 0);
        Advice.Trial cut = RulesTest.failing(
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 1_213, 4 * MS, 6_000, 0),
                1,
                "IllegalStateException",
                "IllegalStateException: every second call");
        assertThat(TrialFailures.failedMeasurement(cut))
                .startsWith("map() failed, and it ends at the first failing input, so it gave no throughput")
                .contains("1 IllegalStateException");
        assertThat(Rules.measured(cut)).isFalse();
        assertThat(TrialFailures.failedMeasurement(oneByOne)).isNull();
        List<Advice.Trial> trials =
                List.of(trial("threads(1)", Mode.THREADS, 1, 1, false, 6_000, 3 * MS, 5_000, 0), oneByOne, cut);
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("threads(2)");
        List<String> words = new ArrayList<>(v.decision());
        words.add(v.summary());
        v.reasons().forEach(r -> words.add(r.text()));
        assertThat(words).noneSatisfy(w -> assertThat(w).contains("1,213/s"));
        assertThat(advice(trials, v).sideBySide().get(2).status()).startsWith("failed: map() failed");
    }

    @Test
    void aTrialThatCompletedNoTaskIsAFailedMeasurementNotAFigureOfZero() {
        List<Advice.Trial> trials = trials();
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isNotEqualTo("processes(2)");
        Advice a = advice(trials, v);
        Advice.Standing died = a.sideBySide().get(2);
        assertThat(died.label()).isEqualTo("processes(2)");
        assertThat(died.measured()).isFalse();
        assertThat(died.status())
                .isEqualTo("failed: completed no task: all 40 calls failed (40 WorkerLostException; first:"
                        + " WorkerLostException: worker 1 (pid 4242) ended with exit code 3)");
        assertThat(died.tasksPerSecond()).as("no figure, not 0/s").isEqualTo(-1);
        assertThat(died.spread()).isEqualTo("none");
        assertThat(a.sideBySide().get(1).status()).isEqualTo("measured");

        String terminal = Terminal.render(a);
        assertThat(terminal).contains("failed processes(2): completed no task: all 40 calls failed");
        String row = terminal.lines()
                .filter(l -> l.replace(">", " ").strip().startsWith("processes(2) "))
                .findFirst()
                .orElseThrow();
        assertThat(row).contains("failed").doesNotContain("0/s");
        assertThat(Report.markdown(a))
                .contains("Failed processes(2): completed no task")
                .contains("## Every model: workers, tasks/s, spread, status");
        assertThat(Report.html(a)).contains("Failed: completed no task: all 40 calls failed");
        // the verdict quotes no 0/s: the failed model is out of the ranking, not "slower"
        List<String> words = new ArrayList<>(v.decision());
        words.add(v.summary());
        v.reasons().forEach(r -> words.add(r.text()));
        assertThat(words).noneSatisfy(w -> assertThat(w).contains(" 0/s"));
    }

    @Test
    void resultsJsonListsEveryModelSideBySideWithItsWorkersFigureSpreadAndStatus() throws Exception {
        List<Advice.Trial> trials = trials();
        Advice a = advice(trials, Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE));
        JsonNode side = Json.MAPPER.readTree(Report.json(a)).path("sideBySide");
        assertThat(side.size()).isEqualTo(4);
        assertThat(side.get(1).path("label").asText()).isEqualTo("threads(2)");
        assertThat(side.get(1).path("workers").asText()).isEqualTo("2 threads");
        assertThat(side.get(1).path("workerCount").asInt()).isEqualTo(2);
        assertThat(side.get(1).path("tasksPerSecond").asDouble()).isEqualTo(950);
        assertThat(side.get(1).path("spread").asText()).startsWith("IQR from ").endsWith("/s");
        assertThat(side.get(1).path("status").asText()).isEqualTo("measured");
        assertThat(side.get(2).path("workers").asText()).isEqualTo("2 worker JVMs");
        assertThat(side.get(2).path("status").asText()).startsWith("failed: completed no task");
        assertThat(side.get(2).path("tasksPerSecond").asDouble()).isEqualTo(-1);
        assertThat(side.get(3).path("workers").asText()).isEqualTo("2 worker JVMs x 2 threads");
    }

    @Test
    void oneSampleIsCalledOneSampleNotASpreadOfZero() {
        List<Advice.Trial> trials = trials();
        Advice a = advice(trials, Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE));
        Advice.Standing hybrid = a.sideBySide().get(3);
        assertThat(hybrid.samples()).isEqualTo(1);
        assertThat(hybrid.spread()).isEqualTo("one sample");
        assertThat(hybrid.spreadLow()).isEqualTo(-1);
        String row = Terminal.trials(a)
                .text()
                .lines()
                .filter(l -> l.contains("hybrid(2x2)"))
                .findFirst()
                .orElseThrow();
        assertThat(row).contains("one sample").doesNotContain("900-900").doesNotContain("900 to 900");
        assertThat(Standings.workers(trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 900, MS, 1, 0)))
                .isEqualTo("virtual threads");
        assertThat(Standings.workers(trial("threads(2)+map", Mode.THREADS, 2, 1, true, 900, MS, 1, 0)))
                .isEqualTo("2 threads, map()");
    }

    /** The duel of processes(2), which led the table, against threads(2): processes(2) completed nothing side by side. */
    private static Trials.Duel processesDiedSideBySide() {
        List<Double> zeros = List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        return new Trials.Duel(
                "processes(2)",
                zeros,
                "threads(2)",
                List.of(940.0, 950.0, 945.0, 955.0, 950.0, 952.0),
                null,
                Map.of(
                        "processes(2)",
                        "completed no task in 6 rounds side by side (first failure: WorkerLostException)"));
    }

    @Test
    void aModelThatCompletedNoTaskSideBySideIsLeftOutOfTheRankingNotBeaten() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        1_500,
                        9 * MS,
                        60_000,
                        58L << 20,
                        tight(1_500),
                        null));
        Trials.Duel duel = processesDiedSideBySide();
        Rules rules = new Rules(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE, duel, null);
        assertThat(rules.allowed(Advice.Requirements.NONE, true))
                .extracting(Advice.Trial::label)
                .doesNotContain("processes(2)");
        assertThat(rules.cmp.dueled(trials.get(2), trials.get(1)))
                .as("a failed side compares nothing")
                .isFalse();
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE, duel);
        assertThat(v.label()).isEqualTo("threads(2)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2) measured 1,500/s")
                        // 1,500/s is 3.1× threads(1)'s 480/s on 2 cores: flagged where it is quoted
                        .contains("1,500/s (an artefact: above the 2.20× over threads(1) that 2 cores allow)")
                        .contains("against threads(2)'s 950/s, but it failed when measured again side by side:"
                                + " completed no task in 6 rounds"));
        assertThat(Comparisons.roundsText(duel))
                .contains("processes(2) failed: completed no task in 6 rounds side by side")
                .contains("threads(2) 950/s")
                .contains("rank nothing")
                .doesNotContain(" 0/s");
        assertThat(Standings.of(trials, duel).get(2).status())
                .isEqualTo("failed: completed no task in 6 rounds side by side (first failure: WorkerLostException)");
    }
}
