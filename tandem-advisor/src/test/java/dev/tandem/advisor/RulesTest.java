package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.measure.Load;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verdict engine on fixed measurements: requirements change the verdict, and say how. */
class RulesTest {
    static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 0.5);
    private static final long MS = 1_000_000;
    private static final Advice.MachineLoad BUSY = new Advice.MachineLoad(
            2, 2, 9.1, 9.5, 1.4, 0, true, "load average 9.1 to 9.5 on 2 CPUs; others used 1.4 CPUs");

    static Advice.Probe probe(double cpuShare, long medianNanos, long retainedPerCall) {
        return new Advice.Probe(
                200,
                0,
                null,
                medianNanos,
                2 * medianNanos,
                cpuShare,
                1024,
                retainedPerCall,
                true,
                700,
                80,
                null,
                false,
                null,
                -1,
                List.of(),
                300 * MS);
    }

    /** Five window throughputs within ±2% of {@code throughput}: an IQR of ±1%. */
    static List<Double> tight(double throughput) {
        return List.of(0.98 * throughput, 0.99 * throughput, throughput, 1.01 * throughput, 1.02 * throughput);
    }

    static Advice.Trial trial(
            String label,
            Mode mode,
            int workers,
            int tpw,
            boolean batched,
            double throughput,
            long p99,
            long overhead,
            long workerRss) {
        return trial(label, mode, workers, tpw, batched, throughput, p99, overhead, workerRss, tight(throughput), null);
    }

    static Advice.Trial trial(
            String label,
            Mode mode,
            int workers,
            int tpw,
            boolean batched,
            double throughput,
            long p99,
            long overhead,
            long workerRss,
            List<Double> samples,
            Advice.MachineLoad load) {
        return TrialFixture.ran(label, mode, workers, tpw, batched, throughput, p99, overhead, workerRss)
                .withSamples(samples)
                .withLoad(load)
                .build();
    }

    /** {@return the same trials, unbatched and without worker RSS, measured on a quiet machine} */
    static List<Advice.Trial> quiet(List<Advice.Trial> trials) {
        return trials.stream()
                .map(t -> trial(
                        t.label(),
                        t.mode(),
                        t.workers(),
                        1,
                        false,
                        t.throughput(),
                        t.p99Nanos(),
                        t.overheadNanos(),
                        0,
                        t.throughputSamples(),
                        null))
                .toList();
    }

    /** A CPU-bound task of 2 ms: threads scale, processes cost memory and overhead. */
    static List<Advice.Trial> cpuTrials() {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 930, 30 * MS, 9_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 960, -1, -1, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 900, 9 * MS, 60_000, 58L << 20),
                trial("hybrid(1x2)", Mode.HYBRID, 1, 2, false, 880, 8 * MS, 50_000, 60L << 20));
    }

    @Test
    void cpuBoundWithoutRequirementsIsThreadsPerCore() {
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), cpuTrials(), Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        assertThat(v.workers()).isEqualTo(2);
        assertThat(v.summary())
                .contains("computes")
                .contains("Java has no GIL")
                .contains("threads(2)+map and threads(2) measured within the noise of each other")
                // was "so the cheaper of the two: one by one, ...": map() and one task per submit cost the same
                .contains(
                        "), so the one that submits each task on its own: each result is kept as soon as it is ready");
        assertThat(v.decision())
                .as("threads(2)+map measured 960/s, within the noise of threads(2)")
                .singleElement()
                .asString()
                .startsWith("threads(2)+map measured 960/s against threads(2)'s 950/s, but within the noise");
        assertThat(v.requirementEffects()).isEmpty();
        assertThat(v.reasons()).extracting(Advice.Reason::angle).containsExactly(Advice.Angle.values());
        assertThat(v.reasons().getFirst().text()).contains("no GIL");
    }

    @Test
    void isolateTurnsThreadsIntoProcessesAndSaysWhatItCosts() {
        Advice.Verdict v =
                Rules.decide(probe(0.99, 2 * MS, 0), cpuTrials(), new Advice.Requirements(true, 0, 0), MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.requirementEffects())
                .singleElement()
                .asString()
                .startsWith("--isolate: changed the verdict from threads(2) to processes(2)")
                .contains("900/s against 950/s")
                .contains("58.0 MiB per worker JVM");
    }

    @Test
    void heapPerTaskGivesOneTaskPerJvmWithItsOwnXmx() {
        Advice.Verdict v = Rules.decide(
                probe(0.99, 2 * MS, 0), cpuTrials(), new Advice.Requirements(false, 512L << 20, 0), MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.code()).contains("Tandem.processes(2)").contains(".jvmOptions(\"-Xmx512m\")");
        assertThat(v.requirementEffects()).singleElement().asString().startsWith("--heap-per-task 512 MiB: changed");
        assertThat(v.reasons().getFirst().text()).contains("fits 2 worker JVMs");
    }

    @Test
    void maxLatencyMovesToAModelThatMetItAndSaysSo() {
        // blocking task: virtual threads fastest, but with a long tail
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 48, 22 * MS, 100_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 97, 22 * MS, 100_000, 0),
                trial("threads(100)", Mode.THREADS, 100, 1, false, 4_500, 25 * MS, 100_000, 0),
                trial("virtual(400)", Mode.VIRTUAL_THREADS, 0, 1, false, 5_000, 80 * MS, 2 * MS, 0));
        Advice.Probe io = probe(0.02, 20 * MS, 0);
        assertThat(Rules.decide(io, trials, Advice.Requirements.NONE, MACHINE).mode())
                .isEqualTo(Mode.VIRTUAL_THREADS);
        Advice.Verdict v = Rules.decide(io, trials, new Advice.Requirements(false, 0, 50 * MS), MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        assertThat(v.workers()).isEqualTo(100);
        assertThat(v.code()).contains(".taskTimeout(Duration.ofMillis(50))");
        assertThat(v.requirementEffects())
                .anySatisfy(e -> assertThat(e)
                        .startsWith("--max-latency 50.0 ms: changed the verdict from virtual threads to threads(100)"));
        assertThat(v.requirementEffects())
                .anySatisfy(
                        e -> assertThat(e).contains("had p99 80.0 ms > 50.0 ms; threads(100) met it with p99 25.0 ms"));
    }

    @Test
    void isolatingABlockingTaskPicksTheHybridAndComparesItWithTheFreeChoice() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 48, 22 * MS, 100_000, 0),
                trial("threads(100)", Mode.THREADS, 100, 1, false, 4_500, 25 * MS, 100_000, 0),
                trial("virtual(400)", Mode.VIRTUAL_THREADS, 0, 1, false, 5_000, 40 * MS, 2 * MS, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 95, 24 * MS, 2 * MS, 56L << 20),
                trial("hybrid(1x100)", Mode.HYBRID, 1, 100, false, 4_000, 30 * MS, 3 * MS, 90L << 20));
        Advice.Probe io = probe(0.02, 20 * MS, 0);
        Advice.Verdict v = Rules.decide(io, trials, new Advice.Requirements(true, 0, 0), MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.HYBRID);
        assertThat(v.code()).contains("Tandem.hybrid(1, 100)");
        // was "hybrid(1x100) measured fastest at 4,000/s", with virtual(400) at 5,000/s ruled out unnamed
        assertThat(v.summary())
                .contains("--isolate")
                .contains("of the models that keep it apart, hybrid(1x100) is the fastest, at 4,000/s")
                .contains("virtual(400) measured faster, 5,000/s, but it runs tasks in the caller's JVM");
        assertThat(v.requirementEffects())
                .singleElement()
                .asString()
                .startsWith("--isolate: changed the verdict from virtual threads to hybrid(1x100)")
                .contains("4,000/s against 5,000/s (0.80×)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith(
                                "virtual(400) measured 5,000/s against hybrid(1x100)'s 4,000/s, but it runs tasks in the"
                                        + " caller's JVM, and --isolate asks for tasks outside the caller's JVM"));
        // with a latency limit that the hybrid misses, the fastest isolated model that met it wins
        Advice.Verdict strict = Rules.decide(io, trials, new Advice.Requirements(true, 0, 28 * MS), MACHINE);
        assertThat(strict.mode()).isEqualTo(Mode.PROCESSES);
        // without isolation, a model in this JVM that met the limit is preferred over a faster-sounding process
        Advice.Verdict free = Rules.decide(io, trials, new Advice.Requirements(false, 0, 28 * MS), MACHINE);
        assertThat(free.mode()).isEqualTo(Mode.THREADS);
        assertThat(free.workers()).isEqualTo(100);
    }

    @Test
    void maxLatencyTurnsBatchingOffAndReportsAnUnmeetableLimit() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 60_000, 50_000, 12_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 64_000, 95_000, 20_000, 0),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 11_000_000, -1, -1, 0));
        Advice.Probe tiny = probe(1, 30, 0);
        assertThat(Rules.decide(tiny, trials, Advice.Requirements.NONE, MACHINE).batch())
                .isTrue();
        Advice.Verdict v = Rules.decide(tiny, trials, new Advice.Requirements(false, 0, 10_000), MACHINE);
        assertThat(v.batch()).isFalse();
        assertThat(v.requirementEffects()).anySatisfy(e -> assertThat(e).contains("batching is off"));
        assertThat(v.requirementEffects())
                .anySatisfy(
                        e -> assertThat(e)
                                .contains(
                                        "from threads(2) + map() to threads(2); 11,000,000/s with map() vs 64,000/s one by one"));
        assertThat(v.requirementEffects())
                .anySatisfy(e -> assertThat(e).contains("no model met --max-latency 10.0 µs"));
    }

    @Test
    void resultsThatDifferUnderThreadsMeanNotThreadSafe() {
        List<Advice.Trial> trials = new ArrayList<>(cpuTrials());
        Advice.Trial t2 = trials.get(1);
        trials.set(1, differing(t2, 37));
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.summary()).contains("differed from the single-thread run for 37 of 400 inputs");
    }

    /** The case: on a busy machine processes(2) measured 1.32× threads(1) and threads(2) 0.51×. */
    static List<Advice.Trial> busyCpuTrials(List<Double> threadsSamples, List<Double> processesSamples) {
        return List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0, tight(480), BUSY),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 245, 9 * MS, 6_000, 0, threadsSamples, BUSY),
                trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        634,
                        9 * MS,
                        60_000,
                        58L << 20,
                        processesSamples,
                        BUSY));
    }

    @Test
    void aCpuBoundTaskGetsTheFastestModelWhenItIsClearlyFaster() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 480, 3 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 700, 4 * MS, 6_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 900, 9 * MS, 60_000, 58L << 20));
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.summary()).contains("processes(2) measured fastest at 900/s (threads(2): 700/s)");
        assertThat(v.decision()).isEmpty();
        assertThat(v.inconclusive()).isFalse();
    }

    @Test
    void theCheaperModelWinsOnlyWithinTheNoiseAndSaysSoWithTheNumbers() {
        List<Advice.Trial> trials =
                busyCpuTrials(List.of(100.0, 180.0, 245.0, 500.0, 700.0), List.of(300.0, 450.0, 634.0, 700.0, 900.0));
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        assertThat(v.workers()).isEqualTo(2);
        assertThat(v.inconclusive())
                .as("a tie between a thread and a process model on a busy machine")
                .isTrue();
        assertThat(v.summary())
                .startsWith("Use threads(2): inconclusive (machine busy)")
                .contains("processes(2) and threads(2) measured within the noise of each other")
                .contains("rerun on a quieter machine");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2) measured 634/s against threads(2)'s 245/s, but within the noise")
                        .contains("no worker JVM (58.0 MiB each)"));
    }

    @Test
    void aDuelSideBySideDecidesWhatTheTrialsLeftOpen() {
        List<Advice.Trial> trials =
                busyCpuTrials(List.of(100.0, 180.0, 245.0, 500.0, 700.0), List.of(300.0, 450.0, 634.0, 700.0, 900.0));
        Optional<Advice.Trial[]> contest =
                Comparisons.contest(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(contest).isPresent();
        assertThat(contest.get()).extracting(Advice.Trial::label).containsExactly("processes(2)", "threads(2)");
        // measured again side by side, the two are equal: threads win on cost, and the verdict says so
        Trials.Duel even = new Trials.Duel(
                "processes(2)",
                List.of(890.0, 900.0, 910.0, 905.0, 895.0, 900.0),
                "threads(2)",
                List.of(895.0, 905.0, 900.0, 910.0, 890.0, 900.0),
                null);
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE, even);
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        // measured again side by side, processes are clearly faster: the fastest model wins
        Trials.Duel clear = new Trials.Duel(
                "processes(2)",
                List.of(990.0, 1000.0, 1010.0, 1005.0, 995.0, 1000.0),
                "threads(2)",
                List.of(895.0, 905.0, 900.0, 910.0, 890.0, 900.0),
                null);
        Advice.Verdict w = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE, clear);
        assertThat(w.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(w.summary())
                .as("one source for the figures a verdict quotes: the table's")
                .contains("processes(2) measured fastest at 634/s")
                .doesNotContain("1,000/s");
        assertThat(w.inconclusive())
                .as("threads(1) was never measured side by side and its busy windows overlap processes(2)'s")
                .isTrue();
    }

    /** A copy of {@code t} with {@code failed} tasks lost, the first with {@code first}. */
    static Advice.Trial failing(Advice.Trial t, long failed, String kind, String first) {
        return TrialFixture.of(t).withFailures(failed, kind, first).build();
    }

    /** Five windows whose quartiles are about {@code q1} and {@code q3} around {@code median}. */
    static List<Double> spread(double low, double q1, double median, double q3, double high) {
        return List.of(low, q1, median, q3, high);
    }

    @Test
    void aDuelDoesNotLiftAModelItDidNotMeasureAndABusyTieIsInconclusive() {
        // The ext.Cpu run: every trial busy; the duel of threads(2)+map and threads(2) measured both
        // lower than their windows, which made virtual(8) "fastest" without being measured again.
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 80, 3 * MS, 5_000, 0, tight(80), BUSY),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 150, 4 * MS, 6_000, 0, tight(150), BUSY),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 154, 30 * MS, 9_000, 0, tight(154), BUSY),
                trial("threads(2)+map", Mode.THREADS, 2, 1, true, 160, -1, -1, 0, tight(160), BUSY));
        Trials.Duel duel = new Trials.Duel(
                "threads(2)+map",
                List.of(118.0, 120.0, 122.0, 121.0, 119.0, 120.0),
                "threads(2)",
                List.of(119.0, 121.0, 120.0, 118.0, 122.0, 120.0),
                new Load(5, 2, 9.1, 9.5, 1.0, 1.4, 0));
        Advice.Probe cpu = probe(0.99, 2 * MS, 0);
        Advice.Verdict v = Rules.decide(cpu, trials, Advice.Requirements.NONE, MACHINE, duel);
        assertThat(v.mode()).isEqualTo(Mode.THREADS);
        assertThat(v.workers()).isEqualTo(2);
        assertThat(v.summary()).doesNotContain("virtual(8) measured fastest");
        assertThat(v.inconclusive())
                .as("threads(2)+map and threads(2) could not be told apart side by side on a busy machine")
                .isTrue();
        assertThat(v.summary()).startsWith("Use threads(2): inconclusive (machine busy)");
    }

    @Test
    void anOverlappingLeadOnABusyMachineIsInconclusiveEvenWhenTheFastestWins() {
        // The IO task: virtual(524) 13,976/s (IQR 4,591-18,218) against threads(131) 12,723/s
        // (IQR 5,388-20,229), others took 1.4-1.9 CPUs.
        Advice.Probe io = probe(0.02, 20 * MS, 0);
        List<Advice.Trial> busy = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 48, 22 * MS, 100_000, 0, tight(48), BUSY),
                trial(
                        "threads(131)",
                        Mode.THREADS,
                        131,
                        1,
                        false,
                        12_723,
                        25 * MS,
                        100_000,
                        0,
                        spread(2_000, 5_388, 12_723, 20_229, 25_000),
                        BUSY),
                trial(
                        "virtual(524)",
                        Mode.VIRTUAL_THREADS,
                        0,
                        1,
                        false,
                        13_976,
                        40 * MS,
                        2 * MS,
                        0,
                        spread(2_000, 4_591, 13_976, 18_218, 24_000),
                        BUSY));
        Advice.Verdict v = Rules.decide(io, busy, Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.VIRTUAL_THREADS);
        assertThat(v.inconclusive()).isTrue();
        assertThat(v.summary()).contains("inconclusive (machine busy)").contains("rerun on a quieter machine");
        // the same figures on a quiet machine: a tie that the cheaper, suitable model wins, not a doubt (without
        // threads(1): against its 48/s, threads(131)'s 12,723/s is 265x, above what 131 threads can do)
        List<Advice.Trial> quiet = quiet(busy.subList(1, 3));
        Advice.Verdict q = Rules.decide(io, quiet, Advice.Requirements.NONE, MACHINE);
        assertThat(q.mode()).isEqualTo(Mode.VIRTUAL_THREADS);
        assertThat(q.inconclusive()).isFalse();
        Advice.Verdict artefact = Rules.decide(io, quiet(busy), Advice.Requirements.NONE, MACHINE);
        assertThat(artefact.inconclusive()).isTrue();
        assertThat(artefact.summary()).contains("threads(131)'s speed-up over threads(1) lies above the 144×");
    }

    @Test
    void aModelThatDoesNotSuitTheTaskNeedsAClearMarginNotJustSeparatedQuartiles() {
        // CI, stop 17: a computing task while another program burnt a CPU; side by side virtual(8) 315/s
        // (IQR 311-319) against threads(2) 280/s (IQR 239-310) made virtual threads the verdict.
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 150, 3 * MS, 5_000, 0, tight(150), BUSY),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 273, 4 * MS, 6_000, 0, tight(273), BUSY),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 305, 30 * MS, 9_000, 0, tight(305), BUSY));
        Load busy = new Load(5, 2, 2.6, 2.7, 0.6, 0.611, 0);
        Trials.Duel close = new Trials.Duel(
                "virtual(8)",
                List.of(309.0, 311.0, 314.0, 316.0, 319.0, 322.0),
                "threads(2)",
                List.of(230.0, 239.0, 275.0, 285.0, 310.0, 312.0),
                busy);
        Advice.Probe cpu = probe(0.99, 2 * MS, 0);
        Advice.Verdict v = Rules.decide(cpu, trials, Advice.Requirements.NONE, MACHINE, close);
        assertThat(v.label()).as("%s", v.decision()).isEqualTo("threads(2)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("virtual(8) measured")
                        .contains("its lower quartile led the other's upper quartile by 3%, less than the 10% a model"
                                + " that does not suit the task must lead by")
                        .contains("side by side, IQR from 312 to 318/s against IQR from 248 to 304/s"));
        // was "virtual(8) and threads(2) measured within the noise of each other (their spreads ... overlap)" in
        // the summary, of two spreads that did not overlap (a fresh user's report), while the decision said why
        assertThat(v.summary())
                .doesNotContain("within the noise of each other")
                .contains("virtual(8) measured 305/s against threads(2)'s 273/s, but its lower quartile led");
        assertThat(v.inconclusive()).isTrue();
        // a lead of more than 10% beyond both quartiles on a busy machine (CI at load 7.7: 2,398-2,825/s
        // against 1,338-1,732/s) is not trusted either: inconclusive, and the model that suits the task
        List<Double> virtualBusy = List.of(2_300.0, 2_398.0, 2_576.0, 2_700.0, 2_825.0, 2_900.0);
        List<Double> threadsBusy = List.of(1_300.0, 1_338.0, 1_598.0, 1_650.0, 1_732.0, 1_800.0);
        Advice.Verdict b = Rules.decide(
                cpu,
                trials,
                Advice.Requirements.NONE,
                MACHINE,
                new Trials.Duel("virtual(8)", virtualBusy, "threads(2)", threadsBusy, busy));
        assertThat(b.label()).as("%s", b.decision()).isEqualTo("threads(2)");
        assertThat(b.inconclusive()).isTrue();
        assertThat(b.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("virtual(8) measured")
                        .contains("on a busy machine, where a model that does not suit the task is not trusted")
                        .contains("rerun on a quieter machine"));
        // the same lead on a quiet machine is a finding, and the verdict says the model does not suit
        List<Advice.Trial> quiet = quiet(trials);
        Advice.Verdict w = Rules.decide(
                cpu,
                quiet,
                Advice.Requirements.NONE,
                MACHINE,
                new Trials.Duel("virtual(8)", virtualBusy, "threads(2)", threadsBusy, null));
        assertThat(w.mode()).as("%s", w.decision()).isEqualTo(Mode.VIRTUAL_THREADS);
        assertThat(w.inconclusive()).isFalse();
        assertThat(w.decision()).anySatisfy(d -> assertThat(d).contains("does not suit a task that computes"));
    }

    @Test
    void withinTheNoiseIsNotTransitiveAndAComputingTaskGetsAModelPerCore() {
        // The issue's --max-latency 1us run: side by side processes(2) 19.2/s was clearly faster than
        // threads(2) 7.15/s; threads(1)'s windows were pure noise (IQR 1.22-17.0) and it was recommended.
        List<Advice.Trial> trials = List.of(
                trial(
                        "threads(1)",
                        Mode.THREADS,
                        1,
                        1,
                        false,
                        9,
                        200 * MS,
                        5_000,
                        0,
                        spread(1.0, 1.22, 9.0, 19.5, 25.0),
                        BUSY),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 7.15, 250 * MS, 6_000, 0, tight(7.15), BUSY),
                trial(
                        "processes(2)",
                        Mode.PROCESSES,
                        2,
                        1,
                        false,
                        19.2,
                        180 * MS,
                        60_000,
                        58L << 20,
                        tight(19.2),
                        BUSY));
        Trials.Duel duel = new Trials.Duel(
                "processes(2)",
                List.of(19.0, 19.2, 19.4, 19.1, 19.3, 19.2),
                "threads(2)",
                List.of(7.1, 7.15, 7.2, 7.0, 7.3, 7.15),
                null);
        Advice.Probe cpu = probe(0.99, 90 * MS, 0);
        Advice.Verdict v = Rules.decide(cpu, trials, new Advice.Requirements(false, 0, 1_000), MACHINE, duel);
        assertThat(v.label()).isEqualTo("processes(2)");
        assertThat(v.inconclusive())
                .as("threads(1) overlaps it on a busy machine")
                .isTrue();
        assertThat(v.decision())
                .noneSatisfy(
                        d -> assertThat(d).startsWith("processes(2) measured").contains("within the noise"));
    }

    @Test
    void aTimeoutIsWrittenOnlyWhenAModelMetTheLimitAndNeverRounded() {
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 10, 95 * MS, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 20, 99 * MS, 6_000, 0));
        Advice.Probe slow = probe(0.99, 90 * MS, 0);
        Advice.Verdict missed = Rules.decide(slow, trials, new Advice.Requirements(false, 0, 1_000), MACHINE);
        assertThat(missed.code())
                .as("every task takes 90 ms: a 1 µs timeout would fail them all")
                .doesNotContain(".taskTimeout(")
                .contains("// no taskTimeout: threads(2) missed --max-latency 1.00 µs (p99 99.0 ms)");
        assertThat(missed.code()).contains("\n        .start()) {");
        List<Advice.Trial> quick = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 10_000, 400_000, 5_000, 0),
                trial("threads(2)", Mode.THREADS, 2, 1, false, 20_000, 450_000, 6_000, 0));
        Advice.Verdict met =
                Rules.decide(probe(0.99, 90_000, 0), quick, new Advice.Requirements(false, 0, 500_000), MACHINE);
        assertThat(met.code())
                .contains(".taskTimeout(Duration.ofNanos(500000))")
                .doesNotContain("ofMillis(1)");
    }

    @Test
    void aLeakingTaskIsNotBatchedItsHeapIsStatedAndAFailedTrialIsNotRecommendedSilently() {
        Advice.Probe leak = probe(0.99, 2 * MS, 64 << 10);
        List<Advice.Trial> trials = List.of(
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("processes(1)", Mode.PROCESSES, 1, 1, false, 400, 9 * MS, 60_000, 58L << 20),
                failing(
                        trial("processes(2)", Mode.PROCESSES, 2, 1, false, 800, 9 * MS, 60_000, 58L << 20),
                        1,
                        "WorkerLostException",
                        "worker 1 ended: OutOfMemoryError"),
                trial("processes(2)+map", Mode.PROCESSES, 2, 1, true, 5_000, -1, -1, 58L << 20));
        Advice.Verdict v = Rules.decide(leak, trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.batch()).as("map() sends a batch as one worker task").isFalse();
        assertThat(v.label()).isEqualTo("processes(1)");
        assertThat(v.code())
                .contains(".maxTasksPerWorker(2048)")
                .contains(".jvmOptions(\"-Xmx256m\")")
                .contains("pool.submit");
        assertThat(v.summary()).contains("256 MiB heap, recycled every 2048 tasks");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2) measured 800/s")
                        .contains("1 task failed in its trial (worker 1 ended: OutOfMemoryError)"))
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2)+map measured")
                        .contains("maxTasksPerWorker cannot bound what a batch retains"));
        // when every isolated model failed, the failing one may be recommended, but the decision says so
        Advice.Verdict all =
                Rules.decide(leak, List.of(trials.get(0), trials.get(2)), Advice.Requirements.NONE, MACHINE);
        assertThat(all.label()).isEqualTo("processes(2)");
        assertThat(all.decision()).anySatisfy(d -> assertThat(d).contains("is recommended although 1 task failed"));
    }

    @Test
    void aCpuBoundTaskNeverGetsASlowerModelWithoutAStatedReason() {
        Random random = new Random(42);
        Mode[] modes = {Mode.THREADS, Mode.VIRTUAL_THREADS, Mode.PROCESSES, Mode.HYBRID};
        for (int run = 0; run < 500; run++) {
            List<Advice.Trial> trials = new ArrayList<>();
            for (Mode mode : modes) {
                double t = 100 + random.nextDouble() * 900;
                double spread = random.nextDouble() * 0.6;
                List<Double> samples = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    samples.add(t * (1 - spread + 2 * spread * random.nextDouble()));
                }
                int workers = mode == Mode.VIRTUAL_THREADS ? 0 : mode == Mode.HYBRID ? 1 : 2;
                String label = Trials.label(mode, workers, mode == Mode.HYBRID ? 2 : 1, 8, false);
                trials.add(trial(
                        label,
                        mode,
                        workers,
                        mode == Mode.HYBRID ? 2 : 1,
                        false,
                        t,
                        4 * MS,
                        6_000,
                        mode.isolated() ? 58L << 20 : 0,
                        samples,
                        random.nextBoolean() ? BUSY : null));
            }
            Advice.Requirements req = new Advice.Requirements(random.nextInt(4) == 0, 0, 0);
            Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, req, MACHINE);
            Advice.Trial chosen = trials.stream()
                    .filter(t -> Terminal.recommended(v, t))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no trial for " + v.label()));
            for (Advice.Trial t : trials) {
                if (t.throughput() > chosen.throughput()) {
                    assertThat(v.decision())
                            .as(
                                    "run %d: %s measured %.0f/s, faster than %s at %.0f/s; decision %s",
                                    run, t.label(), t.throughput(), chosen.label(), chosen.throughput(), v.decision())
                            .anySatisfy(d -> assertThat(d)
                                    .startsWith(t.label() + " measured")
                                    .contains(", but ")
                                    .satisfiesAnyOf(
                                            x -> assertThat(x).contains("within the noise"),
                                            x -> assertThat(x).contains("a model that does not suit the task"),
                                            x -> assertThat(x).contains("--isolate")));
                }
            }
        }
    }

    /** {@return a probe whose JVM the task ended with System.exit on its third call} */
    static Advice.Probe exitsOnThirdCall() {
        Advice.Probe p = probe(0.99, 2 * MS, 0);
        return new Advice.Probe(
                2,
                0,
                null,
                p.medianCallNanos(),
                p.maxCallNanos(),
                0.99,
                1024,
                0,
                true,
                700,
                80,
                null,
                true,
                "System.exit(3) during call #3",
                3,
                List.of(),
                300 * MS);
    }

    /** {@return {@code t} with results that differed from threads(1) for {@code differing} of 400 inputs} */
    static Advice.Trial differing(Advice.Trial t, int differing) {
        return TrialFixture.of(t).withResults(400, differing).build();
    }

    @Test
    void workersLostToSystemExitDisqualifiedTheFasterIsolatedModel() {
        // ext.Exit: processes(1) at 41.6/min won over processes(2) at 2.84/s "because 2 tasks failed in its trial"
        List<Advice.Trial> trials = List.of(
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("processes(1)", Mode.PROCESSES, 1, 1, false, 41.6 / 60, 9 * MS, 60_000, 58L << 20),
                failing(
                        trial("processes(2)", Mode.PROCESSES, 2, 1, false, 2.84, 9 * MS, 60_000, 58L << 20),
                        2,
                        "WorkerLostException",
                        "worker 3 ended with exit code 3"));
        Advice.Verdict v = Rules.decide(exitsOnThirdCall(), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("processes(2)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d)
                        .startsWith("processes(2) lost 2 tasks with the worker JVMs the task ended, and replaced"));
        assertThat(v.decision()).noneSatisfy(d -> assertThat(d).contains("is recommended although"));
    }

    @Test
    void aTaskThatEndsItsJvmWasSaidToGiveADifferentResultWhenCalledAgain() {
        // it always returned 7 and called System.exit on every 200th call: the probe ended before its repeated
        // call, and the warning said "a repeated call gave a different (or incomparable) result"
        Advice.Probe p = exitsOnThirdCall();
        Advice.Probe ended = TruthfulWordsTest.varying(p);
        List<Advice.Trial> trials = List.of(
                trial("threads(2)", Mode.THREADS, 2, 1, false, 950, 4 * MS, 6_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 2.84, 9 * MS, 60_000, 58L << 20));
        Advice.Verdict v = Rules.decide(ended, trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.warnings())
                .anySatisfy(w -> assertThat(w).startsWith("the task ended the probe's JVM before a repeated call"))
                .noneSatisfy(w -> assertThat(w).contains("gave a different"));
    }

    @Test
    void threadsOneWasDeniedForATaskThatOnlyRacesUnderSeveralThreads() {
        // threads(1), 6.9x processes(2), was ruled out "because it runs tasks in the caller's JVM"
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 6_900, 3 * MS, 5_000, 0),
                differing(trial("threads(2)", Mode.THREADS, 2, 1, false, 9_000, 4 * MS, 6_000, 0), 37),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 8_000, 30 * MS, 9_000, 0),
                trial("processes(2)", Mode.PROCESSES, 2, 1, false, 1_000, 9 * MS, 60_000, 58L << 20));
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.label()).isEqualTo("threads(1)");
        assertThat(v.decision())
                .anySatisfy(d -> assertThat(d).contains("one thread cannot race with itself"))
                .anySatisfy(d -> assertThat(d)
                        .startsWith("threads(2) measured")
                        .contains("it runs tasks concurrently in the caller's JVM"));
        assertThat(v.summary()).doesNotContain("of the models that keep it apart");
        // on a busy machine too: ext.Racy's threads(1), IQR 1,016-1,961/s, lost to processes(2), IQR 0-231/s,
        // as "not suiting" a task that computes; it is the one model in this JVM such a task may use
        List<Advice.Trial> busy = trials.stream()
                .map(t -> TrialFixture.of(t).withLoad(BUSY).build())
                .map(t -> t.label().equals("threads(2)") ? differing(t, 57) : t)
                .toList();
        assertThat(Rules.decide(probe(0.99, 2 * MS, 0), busy, Advice.Requirements.NONE, MACHINE)
                        .label())
                .isEqualTo("threads(1)");
        // a stated requirement for isolation still rules threads(1) out
        Advice.Verdict isolated =
                Rules.decide(probe(0.99, 2 * MS, 0), trials, new Advice.Requirements(true, 0, 0), MACHINE);
        assertThat(isolated.label()).isEqualTo("processes(2)");
    }

    @Test
    void isolateWithATaskThatCannotBeCopiedClaimedNoModelWasMeasuredAndGaveCodeThatCannotWork() {
        Advice.Probe p = probe(0.2, 2 * MS, 0);
        Advice.Probe notSer = new Advice.Probe(
                p.calls(),
                0,
                null,
                p.medianCallNanos(),
                p.maxCallNanos(),
                0.2,
                1024,
                0,
                true,
                -1,
                80,
                "java.io.NotSerializableException: java.lang.Thread",
                false,
                null,
                -1,
                List.of(),
                300 * MS);
        List<Advice.Trial> trials = List.of(
                trial("threads(1)", Mode.THREADS, 1, 1, false, 400, 3 * MS, 5_000, 0),
                trial("virtual(8)", Mode.VIRTUAL_THREADS, 0, 1, false, 3_000, 4 * MS, 6_000, 0));
        Advice.Verdict v = Rules.decide(notSer, trials, new Advice.Requirements(true, 0, 0), MACHINE);
        assertThat(v.summary())
                .contains("cannot run in a worker JVM until it is Serializable (java.io.NotSerializableException:"
                        + " java.lang.Thread)")
                .doesNotContain("no model was measured")
                .contains("no model that may run the task was measured");
        assertThat(v.code()).startsWith("// submit rejects the task until it is Serializable");
        assertThat(v.decision()).noneSatisfy(d -> assertThat(d).startsWith("no model was measured"));
    }
}
