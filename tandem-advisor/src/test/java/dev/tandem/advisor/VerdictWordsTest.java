package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.MACHINE;
import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.tight;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The verdict's sentences on synthetic trials, as a fresh user read them (session 14): a figure the report calls
 * an artefact is flagged wherever a reason quotes it; one sample is not "within the noise"; "measured fastest"
 * is never said while a faster model was ruled out unnamed; an unmet --max-latency is in the verdict line; the
 * busy-machine path does not give a confident verdict from a lead within the load's noise; a duel side that
 * completed nothing is not ranked; and sentences built from pieces come out whole for every shape of input.
 */
class VerdictWordsTest {
    private static final long MS = 1_000_000;
    private static final Advice.Probe WAITS = probe(0.02, 10 * MS, 0);
    private static final Advice.Probe COMPUTES = probe(0.99, 2 * MS, 0);
    private static final Advice.MachineLoad BUSY = new Advice.MachineLoad(
            2, 2, 9.1, 9.5, 1.4, 0, true, "load average 9.1 to 9.5 on 2 CPUs; others used 1.4 CPUs");
    private static final Advice.Requirements ISOLATE = new Advice.Requirements(true, 0, 0);
    /** Phrases that name a thing twice on purpose ("in the caller's JVM ... outside the caller's JVM"). */
    private static final Set<String> ALLOWED = Set.of("the caller's jvm");

    /** {@return {@code t} run by {@code callers} concurrent callers} */
    static Advice.Trial callers(Advice.Trial t, int callers) {
        return TrialFixture.of(t).withCallers(callers).build();
    }

    /** A task that sleeps 10 ms, where virtual(1), one caller, ran 5.57× threads(1): impossible, an artefact. */
    private static List<Advice.Trial> virtualOneArtefact() {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 100, 11 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 198, 12 * MS, 6_000, 0),
                callers(trial("virtual(1)", Mode.VIRTUAL_THREADS, 0, 1, false, 557, 7 * MS, 1_000, 0), 1),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 180, 15 * MS, 60_000, 58L << 20));
    }

    /** {@return every sentence a verdict says: its summary, decision, reasons and requirements, split at ". "} */
    static List<String> sentences(Advice.Verdict v) {
        List<String> texts = new ArrayList<>();
        texts.add(v.summary());
        texts.addAll(v.decision());
        v.reasons().forEach(r -> texts.add(r.text()));
        texts.addAll(v.requirementEffects());
        return texts.stream()
                .flatMap(t -> Arrays.stream(t.split("\\. (?=[A-Z])")))
                .toList();
    }

    @Test
    void aFigureTheReportFlagsAsAnArtefactWasQuotedWithoutTheFlag() {
        for (Advice.Requirements req : List.of(Advice.Requirements.NONE, ISOLATE)) {
            Advice.Verdict v = Rules.decide(WAITS, virtualOneArtefact(), req, MACHINE);
            List<String> all = sentences(v);
            assertThat(all).as("%s", req).anySatisfy(s -> assertThat(s).contains("557/s"));
            assertThat(all)
                    .filteredOn(s -> s.contains("557/s"))
                    .allSatisfy(s -> assertThat(s).contains("557/s (an artefact: above the 1.10× over threads(1)"));
            // no ratio that rests on it: 5.57× threads(1), nor processes(2) against it (0.32×)
            assertThat(String.join("\n", all)).doesNotContain("5.57×").doesNotContain("0.32×");
        }
        // one parenthesis, not "(an artefact: ...) (threads(2): 198/s)" or a flag nested in another
        assertThat(Rules.decide(WAITS, virtualOneArtefact(), Advice.Requirements.NONE, MACHINE)
                        .summary())
                .contains("virtual(1) measured fastest at 557/s (an artefact: above the 1.10× over threads(1) that 1"
                        + " task at once allows; threads(2): 198/s)")
                .doesNotContain("))");
        Advice.Trial v1 = virtualOneArtefact().get(2);
        SpeedupBound bound =
                new SpeedupBound(virtualOneArtefact(), virtualOneArtefact().getFirst(), 2, 0.02);
        assertThat(bound.text(v1))
                .as("the verb agrees with one task")
                .contains("the 1.10× that 1 task at once allows:");
    }

    @Test
    void withinTheNoiseWasSaidOfModelsMeasuredOnceEach() {
        List<Advice.Trial> once = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0, List.of(480.0), null),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 900, 4 * MS, 6_000, 0, List.of(900.0), null),
                trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        950,
                        9 * MS,
                        60_000,
                        58L << 20,
                        List.of(950.0),
                        null));
        Advice.Verdict v = Rules.decide(COMPUTES, once, Advice.Requirements.NONE, MACHINE);
        assertThat(String.join("\n", sentences(v))).doesNotContain("within the noise");
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary())
                .startsWith("Use threads(2): inconclusive (too few measurements): ")
                .contains("processes(2) and threads(2) were not told apart (processes(2) and threads(2) were measured"
                        + " once each, 950/s against 900/s: no spread to tell them apart)")
                .endsWith("so give a longer --time, so that each model is measured in several windows.");
        // one side of five windows, the other of one: the one measured once is named
        List<Advice.Trial> oneSide = List.of(
                once.get(0),
                once.get(1),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 950, 9 * MS, 60_000, 58L << 20));
        Advice.Verdict w = Rules.decide(COMPUTES, oneSide, Advice.Requirements.NONE, MACHINE);
        assertThat(String.join("\n", sentences(w)))
                .doesNotContain("within the noise")
                .contains("threads(2) was measured once");
    }

    @Test
    void measuredFastestWasSaidWhileAFasterModelHadBeenRuledOut() {
        // a requirement
        Advice.Verdict iso = Rules.decide(COMPUTES, RulesTest.cpuTrials(), ISOLATE, MACHINE);
        assertThat(iso.summary())
                .doesNotContain("measured fastest")
                .contains(
                        "of the models that keep it apart, processes(2) is the fastest, at 900/s (hybrid(1x2): 880/s)")
                .contains("threads(2)+map measured faster, 960/s, but it runs tasks in the caller's JVM (2 more faster"
                        + " models were ruled out too");
        // a measured risk: its tasks failed
        List<Advice.Trial> failed = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                RulesTest.failing(
                        trial("threads(2)", Mode.THREADS, 2, 1, false, 1_000, 4 * MS, 6_000, 0),
                        5,
                        "IllegalStateException",
                        "IllegalStateException: boom"),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 900, 9 * MS, 60_000, 58L << 20));
        Advice.Verdict risk = Rules.decide(COMPUTES, failed, Advice.Requirements.NONE, MACHINE);
        assertThat(risk.label()).isEqualTo("processes(2)");
        assertThat(risk.summary())
                .doesNotContain("measured fastest")
                .contains("processes(2) is the fastest of the models that remain, at 900/s")
                .contains("threads(2) measured faster, 1,000/s, but 5 tasks failed in its trial");
        // nothing faster ruled out: "measured fastest" is true, and said
        List<Advice.Trial> plain = List.of(
                failed.get(0), trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0), failed.get(2));
        assertThat(Rules.decide(COMPUTES, plain, Advice.Requirements.NONE, MACHINE)
                        .summary())
                .contains("threads(2) measured fastest at 950/s (processes(2): 900/s)")
                .doesNotContain("measured faster,");
    }

    @Test
    void anUnmetMaxLatencyWasMissingFromTheVerdictLine() {
        Advice.Requirements tight = new Advice.Requirements(false, 0, 2 * MS);
        Advice.Verdict v = Rules.decide(COMPUTES, RulesTest.cpuTrials(), tight, MACHINE);
        String unmet = "no model met --max-latency 2.00 ms: threads(2)'s p99 was 4.00 ms, 2.00× the limit, the lowest"
                + " measured 3.00 ms, 1.50× the limit (threads(1))";
        assertThat(v.summary()).contains(unmet);
        assertThat(v.summary().split("no model met", -1)).as("said once").hasSize(2);
        Advice a = new Advice(
                "ext.Cpu",
                MACHINE,
                tight,
                10_000 * MS,
                COMPUTES,
                RulesTest.cpuTrials(),
                null,
                v,
                9_000 * MS,
                List.of(),
                List.of());
        assertThat(Report.markdown(a)).contains(unmet);
        assertThat(Terminal.render(a).replaceAll("\\s+", " "))
                .contains("VERDICT: Use threads(2)")
                .contains(unmet);
        // met: nothing of the kind is said
        Advice.Verdict met =
                Rules.decide(COMPUTES, RulesTest.cpuTrials(), new Advice.Requirements(false, 0, 5 * MS), MACHINE);
        assertThat(met.summary()).doesNotContain("no model met");
    }

    @Test
    void aWaitingTaskGotAConfidentVerdictOnABusyMachineFromALeadWithinTheLoadsNoise() {
        // virtual threads gave no figure; threads(1) led threads(2) by 2% at the quartiles while others took CPU
        List<Advice.Trial> busy = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 104, 11 * MS, 5_000, 0, tight(104), BUSY),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 100, 12 * MS, 6_000, 0, tight(100), BUSY),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 97, 15 * MS, 60_000, 58L << 20, tight(97), BUSY));
        Advice.Verdict v = Rules.decide(WAITS, busy, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("threads(1)");
        assertThat(v.inconclusive()).as("%s", v.summary()).isTrue();
        assertThat(v.summary()).startsWith("Use threads(1): inconclusive (machine busy): ");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("threads(1) led threads(2) (IQR")
                        .contains("by less than the" + " 10% at the quartiles that a lead on a busy machine needs"));
        // the same figures on a quiet machine decide it
        Advice.Verdict quiet = Rules.decide(WAITS, RulesTest.quiet(busy), Advice.Requirements.NONE, MACHINE);
        assertThat(quiet.inconclusive()).isFalse();
        assertThat(quiet.summary()).contains("threads(1) measured fastest at 104/s");
        // a lead far beyond the load's noise is a finding on a busy machine too
        List<Advice.Trial> clear = List.of(
                busy.get(0),
                trial("threads(16)", Mode.THREADS, 16, 1, false, 1_500, 12 * MS, 6_000, 0, tight(1_500), BUSY));
        Advice.Verdict c = Rules.decide(WAITS, clear, Advice.Requirements.NONE, MACHINE);
        assertThat(c.label()).isEqualTo("threads(16)");
        assertThat(c.inconclusive()).isFalse();
    }

    @Test
    void theResourcesReasonCalledTheMachineBusyWhileTheVerdictReadTheRunAsQuiet() {
        Advice.Machine loadedAtStart = new Advice.Machine(2, 24L << 30, "25", "Linux", 14.4);
        Advice.MachineLoad quietRun = new Advice.MachineLoad(
                20, 2, 14.4, 3.1, 0.2, 0, false, "load average 14.4 to 3.1 on 2 CPUs; other processes used 0.2 CPUs");
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0));
        String quiet = Rules.decide(COMPUTES, trials, Advice.Requirements.NONE, loadedAtStart, null, quietRun)
                .reasons()
                .getFirst()
                .text();
        assertThat(quiet).contains("1.98× threads(1)").doesNotContain("busy").doesNotContain("unreliable");
        String busy = Rules.decide(COMPUTES, trials, Advice.Requirements.NONE, MACHINE, null, BUSY)
                .reasons()
                .getFirst()
                .text();
        assertThat(busy)
                .contains("the machine was busy (load average 9.1 to 9.5 on 2 CPUs; others used 1.4 CPUs), so every"
                        + " scaling figure here is unreliable");
    }

    @Test
    void aDuelRankedASideThatCompletedNothingInMostOfItsRounds() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 1_000, 9 * MS, 60_000, 58L << 20));
        // no side is in the duel's failures, but processes(2) completed nothing in four rounds of six: median 0/s
        Trials.Duel duel = new Trials.Duel(
                "processes(2)",
                List.of(0.0, 0.0, 0.0, 0.0, 900.0, 950.0),
                "threads(2)",
                List.of(940.0, 950.0, 945.0, 955.0, 950.0, 952.0),
                null);
        assertThat(Comparisons.failure(duel, "processes(2)"))
                .isEqualTo(
                        "completed no task in 4 of its 6 rounds side by side (median 0/s), so the duel gave no figure of"
                                + " it");
        assertThat(Comparisons.failure(duel, "threads(2)")).isNull();
        Advice.Verdict v = Rules.decide(COMPUTES, trials, Advice.Requirements.NONE, MACHINE, duel);
        // the duel ranks nothing: the trials stand, and the verdict says it is not confirmed
        assertThat(v.inconclusive()).isTrue();
        assertThat(String.join("\n", sentences(v)))
                .doesNotContain("clearly faster")
                .contains(
                        "processes(2) ran 1,000/s in its trial but completed no task in 4 of its 6 rounds side by side");
        assertThat(Comparisons.roundsText(duel))
                .contains("processes(2) failed: completed no task in 4 of its 6 rounds")
                .doesNotContain("processes(2) 0/s");
        assertThat(Standings.of(trials, duel).get(2).status())
                .startsWith("measured; not confirmed: it completed no task in 4 of its 6 rounds side by side");
        // a trial whose median window completed nothing: no figure, and not "completed no task" either
        Advice.Trial empty = trial("threads(2)", Mode.THREADS, 2, 1, false, 0, 4 * MS, 6_000, 0);
        assertThat(TrialFailures.failedMeasurement(empty))
                .isEqualTo("completed 1,000 tasks but none in most of its windows (median 0/s), so it gave no figure");
    }

    /**
     * Fresh user, {@code --isolate}: processes(2) ran 1,289/s in its trial, then completed no task side by side;
     * the verdict dropped it and called hybrid(1x2), at 1,180/s, "the only model measured that may run it". The
     * failed duel ranks nothing: the trials stand, and the verdict is inconclusive, naming the failure.
     */
    @Test
    void theOnlyModelMeasuredWasSaidWhileAFasterTrialStoodInTheTable() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 700, 3 * MS, 5_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 1_289, 9 * MS, 60_000, 58L << 20),
                trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, 1_180, 9 * MS, 60_000, 40L << 20));
        Trials.Duel duel = new Trials.Duel(
                "processes(2)",
                List.of(0.0, 0.0, 0.0, 0.0, 0.0),
                "hybrid(1x2)",
                List.of(91.0, 92.0, 90.0, 93.0, 91.4),
                null,
                Map.of(
                        "processes(2)",
                        "completed no task in 5 rounds side by side (first failure: " + TrialOutcome.NO_RESULT_TEXT
                                + ")"));
        Advice.Verdict v = Rules.decide(COMPUTES, trials, ISOLATE, MACHINE, duel);
        String all = String.join("\n", sentences(v));
        assertThat(all)
                .doesNotContain("the only model measured")
                .doesNotContain("no model that may run the task was measured")
                .contains("processes(2) ran 1,289/s in its trial but completed no task in 5 rounds side by side");
        assertThat(v.inconclusive()).as(all).isTrue();
    }

    /**
     * Fresh user: threads(2)+map ran 4.50× threads(1) for a task computing 1.7 ms a call on 2 cores, unflagged (a
     * map trial had no bound). Batches save the per-task costs threads(1) paid, never the task's own time.
     */
    @Test
    void aMapSpeedUpAboveWhatTheCoresAndBatchingAllowWasNotFlagged() {
        // threads(1): 480/s is 2.08 ms a task, against the probe's 2 ms a call: batching can gain 1.04x at most
        Advice.Trial one = trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0);
        Advice.Trial tooFast = trial("threads(2)+map", Mode.THREADS, 2, 1, true, 2_160, -1, -1, 0);
        Advice.Trial fair = trial("threads(2)+map", Mode.THREADS, 2, 1, true, 1_000, -1, -1, 0);
        SpeedupBound b = new SpeedupBound(List.of(one, tooFast), one, 2, 0.99, 2 * MS);
        assertThat(b.artefact(tooFast)).as("4.50x on 2 cores").isTrue();
        assertThat(b.flag(tooFast))
                .contains("that 2 cores allow, times the 1.04× that map()'s batches can gain (threads(1)'s time per"
                        + " task over the task's own)");
        assertThat(new SpeedupBound(List.of(one, fair), one, 2, 0.99, 2 * MS).artefact(fair))
                .as("2.08x on 2 cores")
                .isFalse();
        assertThat(new SpeedupBound(List.of(one, tooFast), one, 2, 0.99, -1).artefact(tooFast))
                .as("no probe time: no bound")
                .isFalse();
    }

    @Test
    void theCheaperOfTheTwoWasSaidOfTwoModelsThatCostTheSame() {
        Rules cpu = new Rules(COMPUTES, RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE, null, null);
        Advice.Trial threads = trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0);
        Advice.Trial map = trial("threads(2)+map", Mode.THREADS, 2, 1, true, 960, -1, -1, 0);
        Advice.Trial processes = trial("processes(2)", Mode.PROCESSES, 2, 1, false, 900, 9 * MS, 60_000, 58L << 20);
        Advice.Trial hybrid22 = trial("hybrid(2x2)", Mode.HYBRID, 2, 2, false, 900, 9 * MS, 60_000, 58L << 20);
        Advice.Trial hybrid12 = trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, 900, 9 * MS, 60_000, 58L << 20);
        Preferred p = new Preferred(cpu);
        assertThat(p.why(threads, map)).startsWith("the one that submits each task on its own");
        assertThat(p.why(hybrid22, processes))
                .doesNotContain("cheaper")
                .isEqualTo("the one the rule prefers at the same cost: hybrid(2x2) runs 2 tasks in each of its 2"
                        + " worker JVMs, as many worker JVMs as processes(2)");
        assertThat(p.why(threads, processes)).startsWith("the cheaper of the two: threads(2) runs in this JVM");
        Preferred waits = new Preferred(new Rules(WAITS, List.of(), Advice.Requirements.NONE, MACHINE, null, null));
        assertThat(waits.why(hybrid12, processes))
                .isEqualTo("the cheaper of the two: hybrid(1x2) needs fewer worker JVMs (1 against 2)");
        assertThat(Rules.decide(COMPUTES, RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE)
                        .summary())
                .as("threads(2) and threads(2)+map cost the same")
                .doesNotContain("cheaper");
    }

    @Test
    void budgetUsedUpBeforeTheTrialsWasSaidOfATrialAfterOthersHadRun() {
        assertThat(Budget.trialSkipped(0, true, 400 * MS))
                .startsWith("the budget was used up by the trials before it,")
                .doesNotContain("before the trials");
        assertThat(Budget.trialSkipped(0, false, 400 * MS)).startsWith("the budget was used up before the trials,");
        assertThat(Budget.trialSkipped(120 * MS, true, 400 * MS))
                .isEqualTo("the budget ran out: 120 ms was left for the trials, a trial needs at least 400 ms; give a"
                        + " longer --time");
    }

    @Test
    void aConcurrencySentenceWasGluedFromPiecesThatWereNotMeasured() {
        Advice.Trial t1 = trial("threads(1)", Mode.THREADS, 1, 1, false, 100, 11 * MS, 5_000, 0);
        Advice.Trial t2 = trial("threads(2)", Mode.THREADS, 2, 1, false, 198, 12 * MS, 6_000, 0);
        Advice.Trial many = trial("threads(16)", Mode.THREADS, 16, 1, false, 1_500, 12 * MS, 6_000, 0);
        Advice.Trial vt =
                callers(trial("virtual(64)", Mode.VIRTUAL_THREADS, 0, 1, false, 5_000, 12 * MS, 6_000, 0), 64);
        List<List<Advice.Trial>> shapes = List.of(
                List.of(t1, t2, many, vt),
                List.of(t1, t2, many),
                List.of(t1, many, vt),
                List.of(t1, vt),
                List.of(t1, t2),
                List.of(t1));
        for (Advice.Machine m : List.of(MACHINE, new Advice.Machine(1, 8L << 30, "25", "Linux", 0.2))) {
            for (Advice.Probe probe : List.of(WAITS, COMPUTES)) {
                for (List<Advice.Trial> shape : shapes) {
                    String text = Rules.decide(probe, shape, Advice.Requirements.NONE, m).reasons().stream()
                            .filter(r -> r.angle() == Advice.Angle.CONCURRENCY)
                            .findFirst()
                            .orElseThrow()
                            .text();
                    String what = m.cores() + " cores, " + probe.cpuShare() + " CPU, "
                            + shape.stream().map(Advice.Trial::label).toList();
                    // was "concurrency beyond the 2 cores pays and threads(16)'s 1,500/s" without virtual threads
                    assertThat(text)
                            .as(what)
                            .doesNotContain("pays and")
                            .doesNotContain("help and")
                            .doesNotContain("1 cores")
                            .doesNotContain(" and ;")
                            .doesNotContainPattern("(pays|help)[^;.]")
                            .containsPattern("^a call spends [0-9]+% of its [0-9.]+ ms on the CPU");
                    if (shape.contains(vt)) {
                        assertThat(text).as(what).contains("virtual(64) completed 5,000/s");
                    }
                    assertThat(repeated(text)).as("%s: %s", what, text).isEmpty();
                }
            }
        }
    }

    @Test
    void aSentenceRepeatedAPhraseOfItsOwn() {
        // was "submitted one by one: 960/s with map() vs 950/s one by one (1.01×), but at ..."
        Advice.Verdict v = Rules.decide(COMPUTES, RulesTest.cpuTrials(), Advice.Requirements.NONE, MACHINE);
        String overhead = v.reasons().stream()
                .filter(r -> r.angle() == Advice.Angle.OVERHEAD)
                .findFirst()
                .orElseThrow()
                .text();
        assertThat(overhead).contains("960/s with map() vs 950/s one by one");
        List<Advice.Verdict> verdicts = new ArrayList<>();
        for (Advice.Requirements req : List.of(
                Advice.Requirements.NONE,
                ISOLATE,
                new Advice.Requirements(false, 0, 2 * MS),
                new Advice.Requirements(false, 0, 50 * MS))) {
            verdicts.add(Rules.decide(COMPUTES, RulesTest.cpuTrials(), req, MACHINE));
            verdicts.add(Rules.decide(WAITS, virtualOneArtefact(), req, MACHINE));
            verdicts.add(Rules.decide(probe(0.99, 20_000, 0), RulesTest.cpuTrials(), req, MACHINE));
        }
        verdicts.add(Rules.decide(COMPUTES, overloaded(), Advice.Requirements.NONE, MACHINE, null, BUSY));
        verdicts.add(Rules.decide(COMPUTES, RulesTest.quiet(overloaded()), Advice.Requirements.NONE, MACHINE));
        for (Advice.Verdict x : verdicts) {
            // the verdict is one sentence: no phrase twice in it
            assertThat(repeated(x.summary())).as(x.summary()).isEmpty();
            for (String sentence : sentences(x)) {
                for (String clause : sentence.split("; ")) {
                    assertThat(repeated(clause)).as(clause).isEmpty();
                }
            }
        }
    }

    /**
     * A task that computes, at load 9.3 on 2 cores (AdvisorTest's CpuBound in this session): "...; rerun on a
     * quieter machine, so the one that suits the task: ...; ..., so rerun on a quieter machine to rank them".
     */
    private static List<Advice.Trial> overloaded() {
        return List.of(
                trial(
                        "threads(1)",
                        Mode.THREADS,
                        1,
                        1,
                        false,
                        289,
                        10 * MS,
                        114_000,
                        0,
                        List.of(270.0, 279.0, 289.0, 289.0, 290.0),
                        BUSY),
                trial(
                        "threads(2)",
                        Mode.THREADS,
                        2,
                        1,
                        false,
                        35.9,
                        247 * MS,
                        2_250_000,
                        0,
                        List.of(20.0, 21.5, 35.9, 93.4, 95.0),
                        BUSY),
                trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        133,
                        121 * MS,
                        4_240_000,
                        51L << 20,
                        List.of(100.0, 111.0, 133.0, 133.0, 140.0),
                        BUSY));
    }

    /**
     * {@return the first phrase of three words (figures and model names left out) that {@code clause} says twice,
     * or ""} Phrases every model sentence must repeat when it names two things of one kind are allowed.
     */
    static String repeated(String clause) {
        // a figure or a model's name breaks a phrase: "IQR from 950 to 970/s and IQR from 941 to 960/s" repeats none
        List<String> words = Stream.of(clause.toLowerCase(Locale.ROOT).split("[\\s,:;]+"))
                .map(w -> w.matches("[a-z'-]+") ? w : null)
                .toList();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i + 3 <= words.size(); i++) {
            List<String> three = words.subList(i, i + 3);
            if (three.contains(null)) {
                continue;
            }
            String phrase = String.join(" ", three);
            if (!seen.add(phrase) && !ALLOWED.contains(phrase)) {
                return phrase;
            }
        }
        return "";
    }
}
