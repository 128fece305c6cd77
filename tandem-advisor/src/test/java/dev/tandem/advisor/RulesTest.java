package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict engine on fixed measurements: requirements change the verdict, and say how. */
class RulesTest {
    private static final Advice.Machine MACHINE = new Advice.Machine(2, 24L << 30, "25", "Linux", 0.5);
    private static final long MS = 1_000_000;

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
        int n = mode.isolated() ? workers : 0;
        return new Advice.Trial(
                label,
                mode,
                workers,
                tpw,
                batched ? 0 : workers * tpw,
                batched,
                null,
                1000,
                0,
                Map.of(),
                null,
                1,
                throughput,
                p99 / 2,
                p99 * 3 / 4,
                p99,
                p99 * 2,
                2 * MS,
                overhead,
                10 * MS,
                MS,
                0,
                0,
                120L << 20,
                Collections.nCopies(n, workerRss),
                mode.isolated() ? 250 * MS : -1,
                0,
                0,
                List.of());
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
        assertThat(v.summary()).contains("1.98× over one thread").contains("58.0 MiB per worker JVM");
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
        assertThat(v.requirementEffects()).singleElement().asString().startsWith("--heap-per-task 512.0 MiB: changed");
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
        assertThat(v.summary()).contains("it runs at 0.80× the throughput of virtual threads (4,000/s vs 5,000/s)");
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
                                        "from threads(2) + map() to threads(2); one by one measured 64,000/s, batched 11,000,000/s"));
        assertThat(v.requirementEffects()).anySatisfy(e -> assertThat(e).contains("no model met --max-latency 10 µs"));
    }

    @Test
    void resultsThatDifferUnderThreadsMeanNotThreadSafe() {
        List<Advice.Trial> trials = new ArrayList<>(cpuTrials());
        Advice.Trial t2 = trials.get(1);
        trials.set(
                1,
                new Advice.Trial(
                        t2.label(),
                        t2.mode(),
                        t2.workers(),
                        t2.threadsPerWorker(),
                        t2.concurrency(),
                        false,
                        null,
                        t2.completed(),
                        0,
                        Map.of(),
                        null,
                        1,
                        t2.throughput(),
                        t2.p50Nanos(),
                        t2.p90Nanos(),
                        t2.p99Nanos(),
                        t2.maxNanos(),
                        t2.taskNanos(),
                        t2.overheadNanos(),
                        0,
                        0,
                        0,
                        0,
                        1,
                        List.of(),
                        -1,
                        400,
                        37,
                        List.of()));
        Advice.Verdict v = Rules.decide(probe(0.99, 2 * MS, 0), trials, Advice.Requirements.NONE, MACHINE);
        assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(v.summary()).contains("differed from the single-thread run for 37 of 400 inputs");
    }
}
