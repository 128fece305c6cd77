package dev.tandem.advisor;

import static dev.tandem.advisor.RulesTest.probe;
import static dev.tandem.advisor.RulesTest.tight;
import static dev.tandem.advisor.RulesTest.trial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leads the advisor must not trust: figures from a run whose banner calls the machine busy, and an order
 * that a side-by-side re-run reversed. Found by a fresh user (issue 13).
 */
class UntrustedLeadTest {
    private static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 0.5);
    private static final long MS = 1_000_000;
    /** Other programs took 0.45 CPUs: just under {@code Load.BUSY_CPUS}, so no trial counts as busy by itself. */
    private static final Advice.MachineLoad JUST_UNDER = new Advice.MachineLoad(
            2, 2, 1.9, 2.1, 1.5, 0.45, false, "load average 1.9 to 2.1 on 2 CPUs; other processes used 0.45 CPUs");
    /** The run as a whole, which the banner reports: busy. */
    private static final Advice.MachineLoad RUN_BUSY = new Advice.MachineLoad(
            20, 2, 2.4, 3.1, 1.3, 0.62, true, "load average 2.4 to 3.1 on 2 CPUs; other processes used 0.62 CPUs");

    /** Six side-by-side rounds around 900/s, and around 1,000/s. */
    private static final List<Double> AROUND_900 = List.of(895.0, 905.0, 900.0, 910.0, 890.0, 900.0);

    private static final List<Double> AROUND_1000 = List.of(990.0, 1000.0, 1010.0, 1005.0, 995.0, 1000.0);

    /** A computing task where virtual(8) led threads(2) by more than the margin, each trial just under the line. */
    private static List<Advice.Trial> virtualLeadsJustUnderTheLine() {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 300, 3 * MS, 5_000, 0, tight(300), JUST_UNDER),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 450, 4 * MS, 6_000, 0, tight(450), JUST_UNDER),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 560, 30 * MS, 9_000, 0, tight(560), JUST_UNDER));
    }

    @Test
    void aCpuBoundTaskGotVirtualThreadsFromTrialsJustUnderTheBusyLineOfABusyRun() {
        Advice.Probe cpu = probe(0.99, 2 * MS, 0);
        Advice.Verdict v =
                Rules.decide(cpu, virtualLeadsJustUnderTheLine(), Advice.Requirements.NONE, MACHINE, null, RUN_BUSY);
        assertThat(v.label()).as("%s", v.decision()).isEqualTo("threads(2)");
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary()).startsWith("Use threads(2): inconclusive (machine busy)");
        assertThat(v.decision())
                .as("the faster model passed over is named with the reason")
                .anySatisfy(d ->
                        assertThat(d).startsWith("virtual(8) measured 560/s").contains("on a busy machine"));
        // the same figures on a run that was quiet as a whole: the lead is a finding, stated as such
        Advice.Verdict quiet =
                Rules.decide(cpu, virtualLeadsJustUnderTheLine(), Advice.Requirements.NONE, MACHINE, null, null);
        assertThat(quiet.mode()).isEqualTo(Mode.VIRTUAL_THREADS);
        assertThat(quiet.decision()).anySatisfy(d -> assertThat(d).contains("does not suit a task that computes"));
    }

    @Test
    void aBusyRunAsksForADuelEvenWhenNoTrialWasBusyByItself() {
        Advice.Probe cpu = probe(0.99, 2 * MS, 0);
        List<Advice.Trial> trials = virtualLeadsJustUnderTheLine();
        assertThat(Comparisons.contest(cpu, trials, Advice.Requirements.NONE, MACHINE, RUN_BUSY))
                .isPresent();
    }

    /** {@return the verdict on {@link #threadsAheadInTheTable()} after a quiet duel with these rounds} */
    private static Advice.Verdict afterDuel(List<Double> threads, List<Double> processes) {
        Trials.Duel duel = new Trials.Duel("threads(2)", threads, "processes(2)", processes, null);
        return Rules.decide(probe(0.99, 2 * MS, 0), threadsAheadInTheTable(), Advice.Requirements.NONE, MACHINE, duel);
    }

    /** threads(2) ahead of processes(2) in the table, both tight: told apart by the windows. */
    private static List<Advice.Trial> threadsAheadInTheTable() {
        return threadsAndProcesses(480, 950, 900);
    }

    /** threads(1), threads(2) and processes(2) of a computing task at these throughputs, with tight spreads. */
    private static List<Advice.Trial> threadsAndProcesses(double one, double threads, double processes) {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, one, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, threads, 4 * MS, 6_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, processes, 9 * MS, 60_000, 58L << 20));
    }

    @Test
    void aDuelThatReversedTheTablesOrderStillGaveAConfidentVerdict() {
        Advice.Verdict v = afterDuel(AROUND_900, AROUND_1000);
        assertThat(v.inconclusive()).as("%s", v.summary()).isTrue();
        assertThat(v.label())
                .as("the rule's choice between two it cannot tell apart")
                .isEqualTo("threads(2)");
        assertThat(v.summary())
                .startsWith("Use threads(2): inconclusive (noisy measurement)")
                .contains("threads(2) and processes(2) swapped places")
                .contains("not distinguishable on this run");
        assertThat(v.summary()).doesNotContain("clearly faster");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .contains("the table put threads(2) ahead, 950/s against 900/s")
                        .contains("the order reversed"));
        // the same rounds in the table's order decide it: no doubt
        Advice.Verdict w = afterDuel(AROUND_1000, AROUND_900);
        assertThat(w.inconclusive()).as("%s", w.summary()).isFalse();
        assertThat(w.label()).isEqualTo("threads(2)");
    }

    /** A computing task on 2 cores whose threads(1) baseline ran slow: threads(2) and processes(2) "scaled" 3×. */
    private static List<Advice.Trial> slowedBaseline() {
        return threadsAndProcesses(300, 900, 890);
    }

    @Test
    void aSpeedUpAboveTheCoresWasQuotedByTheAdvisorsTableAndVerdict() {
        Advice.Probe cpu = probe(0.99, 2 * MS, 0);
        Advice.Verdict v = Rules.decide(cpu, slowedBaseline(), Advice.Requirements.NONE, MACHINE);
        String reasons = v.reasons().toString();
        assertThat(reasons)
                .as("3.00× on 2 cores is never quoted")
                .doesNotContain("3.00×")
                .doesNotContain("2.97×");
        assertThat(reasons).contains("an artefact of the measurement");
        assertThat(v.inconclusive())
                .as("threads(2) and processes(2) are within the noise, and their windows rest on an artefact")
                .isTrue();
        assertThat(v.summary())
                .startsWith("Use threads(2): inconclusive (noisy measurement)")
                .contains("artefact");
        Advice a = new Advice(
                "ext.Cpu",
                MACHINE,
                Advice.Requirements.NONE,
                10_000 * MS,
                cpu,
                slowedBaseline(),
                null,
                v,
                9_000 * MS,
                List.of(),
                List.of());
        String table = Terminal.render(a);
        assertThat(table)
                .doesNotContain("3.00×")
                .contains(
                        "artefact: threads(2)'s speed-up over threads(1) lies above" + " the 2.20× that 2 cores allow");
        // within the cores, the speed-up is quoted
        List<Advice.Trial> fine = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0));
        assertThat(Rules.decide(cpu, fine, Advice.Requirements.NONE, MACHINE)
                        .reasons()
                        .toString())
                .contains("1.98× threads(1)")
                .doesNotContain("artefact");
    }
}
