package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a fresh user of issue 13 found in verdicts on a busy machine (session 16, load 7 to 12 on 2 cores), each on
 * synthetic trials shaped like the run that showed it: a lead resting on an artefact given without doubt, figures
 * swapped with their names, equal figures called a lead, more worker JVMs than the heap per task fits, a latency
 * limit that decided nothing, a figure of three tasks quoted as "measured fastest", and a serialization fix for the
 * wrong part of the task.
 */
class FreshUserVerdictsTest {
    private static final long MS = 1_000_000;
    private static final Advice.MachineLoad BUSY = new Advice.MachineLoad(
            2, 2, 9.9, 10.5, 1.46, 0, true, "load average 9.9 to 10.5 on 2 CPUs; other processes used 1.46 CPUs");

    /** The probe of a 2 ms task that waits 95% of its time and calls System.exit every 50th call. */
    private static Advice.Probe exitsEveryFiftieth() {
        return new Advice.Probe(
                49,
                0,
                null,
                2_120_000,
                3_000_000,
                0.05,
                45,
                0,
                false,
                193,
                81,
                null,
                true,
                "System.exit(7) during call #50",
                7,
                List.of(),
                677 * MS);
    }

    private static Advice.Trial busy(Advice.Trial t) {
        return TrialFixture.of(t).withLoad(BUSY).build();
    }

    @Test
    void aLeadThatRestsOnAnArtefactWasRecommendedWithoutDoubt() {
        // ext.Exiter: processes(2) 248/s against processes(1) 35.5/s, 7× with 2 workers: an artefact; the duel that
        // would have measured the two again gave no figures
        List<Advice.Trial> trials = List.of(
                busy(trial(
                        "processes(1)",
                        Mode.PROCESSES,
                        1,
                        1,
                        false,
                        35.5,
                        695 * MS,
                        3_570_000,
                        53L << 20,
                        List.of(33.0, 34.4, 35.5, 36.7, 37.0),
                        null)),
                busy(trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        248,
                        41 * MS,
                        3_230_000,
                        53L << 20,
                        List.of(225.0, 231.0, 248.0, 298.0, 300.0),
                        null)));
        Advice.Verdict v = Rules.decide(exitsEveryFiftieth(), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("processes(2)");
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary())
                .startsWith("Use processes(2): inconclusive (machine busy): ")
                .contains("processes(2)'s speed-up over processes(1) lies above the 2.20×")
                .contains("so the figures that would decide it are not trusted");
        // quiet machine, same figures: still open, for the artefact alone
        Advice.Verdict quiet = Rules.decide(
                exitsEveryFiftieth(),
                RulesTest.quiet(trials).stream()
                        .map(t -> TrialFixture.of(t).withLoad(null).build())
                        .toList(),
                Advice.Requirements.NONE,
                MACHINE);
        assertThat(quiet.inconclusive()).isTrue();
        assertThat(quiet.summary()).startsWith("Use processes(2): inconclusive (noisy measurement): ");
        // a lead the rule would give anyway (one thread per core for a task that computes) needs no figures
        List<Advice.Trial> computes = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 300, 4 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 700, 4 * MS, 5_000, 0));
        assertThat(Rules.decide(probe(0.99, 2 * MS, 0), computes, Advice.Requirements.NONE, MACHINE)
                        .inconclusive())
                .isFalse();
    }

    @Test
    void theFiguresOfAModelMeasuredOnceWereSwappedWithTheirNames() {
        // ext.SometimesThrows: "virtual(156) was measured once, 14,133/s against 3,287/s": 14,133/s was threads(39)'s
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 900, 2 * MS, 300_000, 0),
                trial(
                        "threads(39)",
                        Mode.THREADS,
                        39,
                        1,
                        false,
                        14_133,
                        10 * MS,
                        369_000,
                        0,
                        List.of(9_783.0, 12_000.0, 14_133.0, 17_000.0, 17_351.0),
                        null),
                TrialFixture.of(trial(
                                "virtual(156)",
                                Mode.VIRTUAL_THREADS,
                                0,
                                1,
                                false,
                                3_287,
                                339 * MS,
                                2_670_000,
                                0,
                                List.of(3_287.0),
                                null))
                        .withCallers(156)
                        .build());
        Advice.Verdict v = Rules.decide(probe(0.05, 1_100_000, 0), trials, Advice.Requirements.NONE, MACHINE);
        String all = String.join("\n", VerdictWordsTest.sentences(v));
        assertThat(all)
                .contains("virtual(156) was measured once, at 3,287/s, against threads(39)'s 14,133/s")
                .doesNotContain("virtual(156) was measured once, 14,133/s");
    }

    @Test
    void equalFiguresAsPrintedWereCalledALeadThatTheDuelReversed() {
        // ext.Cpu: "the table put threads(1) ahead, 172/s against 172/s"
        List<Advice.Trial> trials = List.of(
                trial(
                        "threads(1)",
                        Mode.THREADS,
                        1,
                        1,
                        false,
                        172.3,
                        17 * MS,
                        496_000,
                        0,
                        List.of(166.0, 170.0, 172.3, 175.0, 179.0),
                        null),
                trial(
                        "threads(2)",
                        Mode.THREADS,
                        2,
                        1,
                        false,
                        171.9,
                        20 * MS,
                        1_970_000,
                        0,
                        List.of(160.0, 168.0, 171.9, 176.0, 179.0),
                        null));
        Trials.Duel duel = new Trials.Duel(
                "threads(1)",
                List.of(118.0, 120.0, 127.0, 130.0, 160.0, 164.0),
                "threads(2)",
                List.of(114.0, 125.0, 131.0, 133.0, 150.0, 156.0),
                null);
        Advice.Verdict v = Rules.decide(probe(0.99, 5 * MS, 0), trials, Advice.Requirements.NONE, MACHINE, duel);
        String all = String.join("\n", VerdictWordsTest.sentences(v));
        assertThat(all)
                .doesNotContain("172/s against 172/s")
                .doesNotContain("ahead, 172/s")
                .doesNotContain("swapped places");
        assertThat(v.label()).isEqualTo("threads(2)");
    }

    @Test
    void aHeapPerTaskThatFitsOneWorkerJvmStillGotTwo() {
        // ext.Cpu --heap-per-task 12g on 24 GiB: "fits 1 worker JVM", and Tandem.processes(2) with -Xmx12288m each
        Advice.Requirements twelve = new Advice.Requirements(false, 12L << 30, 0);
        Advice.Verdict v = Rules.decide(probe(0.99, 5 * MS, 0), RulesTest.cpuTrials(), twelve, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.workers()).isEqualTo(1);
        assertThat(v.code()).contains("Tandem.processes(1)").doesNotContain("processes(2)");
        assertThat(v.summary()).startsWith("Use processes(1): ").contains("heap per task fits 1 worker JVM here");
        assertThat(v.reasons().getFirst().text()).contains("fits 1 worker JVM in 24.0 GiB");
        assertThat(v.decision()).anySatisfy(d -> assertThat(d).contains("so the code starts 1"));
        // one worker JVM is what suits a computing task when one heap fits (it "did not suit" as processes(1))
        List<Advice.Trial> measuredOne = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 174, 20 * MS, 540_000, 0),
                trial("processes(1)", Mode.PROCESSES, 1, 1, false, 58, 128 * MS, 4_260_000, 53L << 20));
        assertThat(Rules.decide(probe(0.99, 5 * MS, 0), measuredOne, twelve, MACHINE)
                        .decision())
                .noneSatisfy(d -> assertThat(d).contains("does not suit"));
        // and the plan measures the count the verdict may recommend
        Advisor.Options opts = Advisor.Options.defaults().withHeapPerTask(12L << 30);
        List<Trials.Plan> plans = Conductor.fitted(Trials.plan(probe(0.99, 5 * MS, 0), 2, 1000), opts, MACHINE);
        assertThat(plans)
                .filteredOn(p -> p.mode() == Mode.PROCESSES)
                .allSatisfy(p -> assertThat(p.workers()).isEqualTo(1));
        // a heap that fits both leaves the plan alone
        assertThat(Conductor.fitted(
                        Trials.plan(probe(0.99, 5 * MS, 0), 2, 1000),
                        Advisor.Options.defaults().withHeapPerTask(1L << 30),
                        MACHINE))
                .isEqualTo(Trials.plan(probe(0.99, 5 * MS, 0), 2, 1000));
    }

    @Test
    void aLatencyNoModelMetDidNotDecideBetweenModelsWithinTheNoise() {
        // ext.Sleepy (20 ms) --max-latency 25ms: virtual(764), p99 238 ms, over threads(191), p99 81.6 ms, within
        // the noise of it on tasks/s; "--max-latency 25.0 ms: no change, virtual threads either way"
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 49.6, 29_500_000, 676_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 99.2, 33 * MS, 552_000, 0),
                trial(
                        "threads(191)",
                        Mode.THREADS,
                        191,
                        1,
                        false,
                        8_246,
                        81_600_000,
                        386_000,
                        0,
                        List.of(7_800.0, 7_900.0, 8_246.0, 8_992.0, 9_100.0),
                        null),
                TrialFixture.of(trial(
                                "virtual(764)",
                                Mode.VIRTUAL_THREADS,
                                0,
                                1,
                                false,
                                6_275,
                                238 * MS,
                                13_900_000,
                                0,
                                List.of(3_500.0, 3_711.0, 6_275.0, 9_971.0, 10_100.0),
                                null))
                        .withCallers(764)
                        .build());
        Advice.Requirements limit = new Advice.Requirements(false, 0, 25 * MS);
        Advice.Probe sleepy = probe(0.01, 20 * MS, 0);
        assertThat(Rules.decide(sleepy, trials, Advice.Requirements.NONE, MACHINE)
                        .label())
                .as("without the limit, the model that suits a waiting task")
                .isEqualTo("virtual threads");
        Advice.Verdict v = Rules.decide(sleepy, trials, limit, MACHINE);
        assertThat(v.label()).isEqualTo("threads(191)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .contains("no model met --max-latency 25.0 ms")
                        .contains("threads(191)'s p99 of 81.6 ms, 3.26× the limit")
                        .contains("virtual(764)'s 238 ms, 9.52× the limit"));
        assertThat(v.decision()).noneSatisfy(d -> assertThat(d).contains("does not suit a task that mostly waits"));
        assertThat(v.summary()).contains("threads(191)'s p99 was 81.6 ms, 3.26× the limit");
        assertThat(v.requirementEffects())
                .anySatisfy(e -> assertThat(e).startsWith("--max-latency 25.0 ms: changed the verdict from virtual"));
        // when threads(2) met the limit and virtual threads did not, they "could not run it here" was said of them
        Advice.Verdict met = Rules.decide(sleepy, trials, new Advice.Requirements(false, 0, 35 * MS), MACHINE);
        assertThat(met.label()).isEqualTo("threads(2)");
        assertThat(String.join("\n", met.decision()))
                .doesNotContain("none could run it here")
                .contains("(those that do were ruled out: see below)");
    }

    @Test
    void aFigureOfThreeTasksWasQuotedAsMeasuredFastest() {
        // ext.BigData --inputs 3: every trial completed 3 tasks in one window; "threads(2) measured fastest at
        // 1,354/s" and "inconclusive (machine busy)"
        List<Advice.Trial> trials = List.of(
                busy(few(trial("threads(1)", Mode.THREADS, 1, 1, false, 260, 2 * MS, 271_000, 0), 0.0115)),
                busy(few(trial("threads(2)", Mode.THREADS, 2, 1, false, 1_354, MS, 401_000, 0), 0.00222)),
                busy(few(
                        TrialFixture.of(trial(
                                        "virtual(3)", Mode.VIRTUAL_THREADS, 0, 1, false, 1_323, 2 * MS, 821_000, 0))
                                .withCallers(3)
                                .build(),
                        0.00227)));
        Advice.Verdict v = Rules.decide(probe(0.99, 81_600, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary())
                .startsWith("Use threads(2): inconclusive (too few measurements): ")
                .contains("threads(2) measured fastest at 1,351/s (")
                .contains("one window of 3 tasks in 2.22 ms")
                .endsWith("(and more --inputs, if they capped the tasks), so that each model is measured in several"
                        + " windows.");
        assertThat(String.join("\n", VerdictWordsTest.sentences(v)))
                .as("every figure of one window of few tasks says so where it is quoted")
                .doesNotContain("1,351/s against")
                .doesNotContain("1,351/s,")
                .doesNotContain("1,351/s;");
        // a map() trial measures no more windows than inputs: with --inputs 3, 3 windows of one input each
        assertThat(TrialOutcome.mapWindows(3)).isEqualTo(3);
        assertThat(TrialOutcome.mapWindows(1)).isEqualTo(1);
        assertThat(TrialOutcome.mapWindows(10_000)).isEqualTo(TrialOutcome.WINDOWS);
    }

    /** {@return {@code t} as one window of 3 tasks in {@code seconds}} */
    private static Advice.Trial few(Advice.Trial t, double seconds) {
        return TrialFixture.of(t)
                .withCompleted(3)
                .withSeconds(seconds)
                .withSamples(List.of(3 / seconds))
                .withThroughput(3 / seconds)
                .build();
    }

    @Test
    void aResultThatCannotBeCopiedWasBlamedOnTheTasksFields() {
        // ext.NotSer --isolate: the result, new Object(), cannot be serialized; the advice spoke of the task's fields,
        // and a task waiting 95% got processes(2) "from the probe alone", not a hybrid
        Advice.Probe p = new Advice.Probe(
                362,
                0,
                null,
                1_100_000,
                2_000_000,
                0.05,
                56,
                0,
                true,
                -1,
                -1,
                "its result cannot be serialized: java.io.NotSerializableException: java.lang.Object",
                false,
                null,
                -1,
                List.of(),
                300 * MS);
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 613, 6 * MS, 154_000, 0),
                trial("threads(38)", Mode.THREADS, 38, 1, false, 21_956, 5 * MS, 228_000, 0));
        Advice.Verdict v = Rules.decide(p, trials, new Advice.Requirements(true, 0, 0), MACHINE);
        String all = String.join("\n", VerdictWordsTest.sentences(v));
        assertThat(all)
                .contains("until its result is Serializable")
                .contains("return a Serializable value from call()")
                .doesNotContain("every field it holds");
        assertThat(v.code()).contains("no result comes back until call() returns a Serializable value");
        assertThat(v.mode()).isEqualTo(Mode.HYBRID);
        assertThat(v.workers()).isEqualTo(1);
        assertThat(v.threadsPerWorker()).isEqualTo(Trials.blockingThreads(2, 0.05));
    }

    /**
     * Was: {@code --task ext.Hang --time 15s} (every 40th call blocks forever), every trial skipped for budget: the
     * verdict quoted the reason hybrid(1x70) is ruled out cut in its middle, "it runs several tasks in one worker JVM,
     * [...] this machine: 1.00 s); it was killed), which would take those tasks down together".
     */
    @Test
    void aRuledOutReasonWasCutInTheMiddleOfTheVerdict() {
        String hung = "call #40, counting from 1, was still running, and the probe had made no progress for"
                + " 1.05 s, past its limit of 1.00 s on this machine, so it was killed";
        Advice.Probe probe = new Advice.Probe(
                39, 0, null, 3_130_000, 4 * MS, 0.03, 47, 0, false, 191, 81, null, true, hung, -1, List.of(), 677 * MS);
        String why = "the budget was used up before the trials, a trial needs at least 400 ms; give a longer --time";
        List<Advice.Trial> skipped = Trials.plan(probe, 2, 100).stream()
                .map(p -> new TrialOutcome(p).skip(why))
                .toList();
        Advice.Verdict v = Rules.decide(probe, skipped, Advice.Requirements.NONE, MACHINE);
        String hybrid = skipped.stream()
                .filter(t -> t.mode() == Mode.HYBRID)
                .findFirst()
                .orElseThrow()
                .label();
        assertThat(v.summary())
                .contains(hung)
                .contains(hybrid + " was skipped too, and is ruled out: it runs several tasks in one worker JVM, and a"
                        + " call did not return in the probe, which would take those tasks down together")
                .doesNotContain("[...]")
                .doesNotContain("\u2026");
        for (String text : words(v)) {
            assertThat(text).doesNotContain("[...]");
        }
    }

    /** {@return every text of a verdict a user reads} */
    private static List<String> words(Advice.Verdict v) {
        List<String> all = new ArrayList<>(List.of(v.summary()));
        v.reasons().forEach(r -> all.add(r.text()));
        all.addAll(v.warnings());
        all.addAll(v.decision());
        all.addAll(v.requirementEffects());
        return all;
    }
}
