package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Load;
import dev.tandem.measure.Stats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One noise rule decides the switching verdict and the verdict table's overhead row: a pair of same-CPU round
 * trips whose repeats overlap is inconclusive in both, on constructed measurements (no lab run). Fresh user
 * (session 14): the switching section said "refuted" of repeats that overlapped, one median 1.5× the other, while
 * the verdict table said "neither (within noise)".
 */
class SwitchingNoiseRuleTest {
    private static final String THREAD = "rt.pipe.thread.same";
    private static final String PROCESS = "rt.pipe.process.same";
    /** Thread repeats: median 5.0 µs, IQR 5-7. */
    private static final List<Double> THREADS = List.of(4.0, 5.0, 5.0, 7.0, 8.0);
    /** Process repeats: median 7.5 µs (1.5× the threads'), IQR 6.5-9: overlapping the threads'. */
    private static final List<Double> PROCESSES = List.of(6.0, 6.5, 7.5, 9.0, 10.0);

    @TempDir
    Path tmp;

    /** A switching section holding the same-CPU pipe round trips, its verdict not given yet. */
    private static Section switching(List<Double> threads, List<Double> processes) {
        Section s = new Section("switching", "switching", "claim", "claim");
        s.add(THREAD, "round trip: pipe, threads, same CPU", "µs", threads, Map.of());
        s.add(PROCESS, "round trip: pipe, processes, same CPU", "µs", processes, Map.of());
        return s;
    }

    private String overheadRow(Section switching) {
        Map<String, Section> done = new LinkedHashMap<>();
        done.put("switching", switching);
        LabOptions options = new LabOptions(List.of("verdict"), true, 1, tmp.resolve("out"), null, false);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        VerdictExperiment v = new VerdictExperiment();
        Section s = v.section();
        try (Progress progress = new Progress(sink, false)) {
            v.run(new Bench(options, tmp, done, progress, "verdict"), s);
        }
        return s.tables.getFirst().rows().stream()
                .filter(r -> r.getFirst().equals("overhead"))
                .map(r -> String.join(" | ", r))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void overlappingRepeatsWereCalledRefutedWhileTheTableSaidNeither() {
        Stats t = Stats.of(THREADS);
        Stats p = Stats.of(PROCESSES);
        // the measurements are what the fresh user saw: medians 1.5× apart, neither noise, the repeats overlapping
        assertThat(p.median() / t.median()).isEqualTo(1.5);
        assertThat(t.separatedFrom(p)).isFalse();
        Section built = switching(THREADS, PROCESSES);
        assertThat(built.metric(THREAD).orElseThrow().noisy()).isFalse();
        assertThat(built.metric(PROCESS).orElseThrow().noisy()).isFalse();

        Contrast c = Contrast.of(t, p);
        assertThat(c.decides()).isFalse();
        assertThat(SwitchingExperiment.outcome(c, 1.5)).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(VerdictExperiment.overheadFavors(c)).isEqualTo(VerdictExperiment.NOISE);

        // the section's verdict, built from the same measurements, in the lab's own words
        Section s = switching(THREADS, PROCESSES);
        new SwitchingExperiment().verdict(s, List.of("same"));
        assertThat(s.outcome).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(s.verdict).startsWith(SwitchingExperiment.OVERLAP + ": on one CPU");
        assertThat(s.headline).startsWith("inconclusive");

        // the table row, from a switching section whose own outcome is not inconclusive: the rule alone decides it
        Section decided = switching(THREADS, PROCESSES);
        decided.verdict(Outcome.REFUTED, "as the old rule said");
        assertThat(overheadRow(decided))
                .contains(VerdictExperiment.NOISE)
                .contains("the repeats overlap")
                .doesNotContain("| threads |")
                .doesNotContain("| processes |")
                .doesNotContain("neither (within noise)");
    }

    @Test
    void theSwitchingVerdictAndTheOverheadRowAgreeOnEveryContrast() {
        for (Contrast c : Contrast.values()) {
            for (double ratio : List.of(0.5, 0.9, 1.1, 1.3, 2.0)) {
                Outcome o = SwitchingExperiment.outcome(c, ratio);
                String favors = VerdictExperiment.overheadFavors(c);
                String pair = c + " at " + ratio;
                assertThat(o == Outcome.INCONCLUSIVE).as(pair).isEqualTo(favors.equals(VerdictExperiment.NOISE));
                if (favors.equals("processes")) {
                    assertThat(o).as(pair).isNotEqualTo(Outcome.SUPPORTED);
                }
                if (o == Outcome.SUPPORTED) {
                    assertThat(favors).as(pair).isEqualTo("threads");
                }
            }
        }
    }

    @Test
    void repeatsToldApartStillDecide() {
        // threads IQR 5-5.2, processes IQR 9-9.5: apart, 1.8×: supported in the section, threads in the table
        List<Double> threads = List.of(4.9, 5.0, 5.1, 5.2, 5.3);
        List<Double> processes = List.of(8.8, 9.0, 9.2, 9.5, 9.6);
        Section s = switching(threads, processes);
        new SwitchingExperiment().verdict(s, List.of("same"));
        assertThat(s.outcome).isEqualTo(Outcome.SUPPORTED);
        assertThat(s.verdict).doesNotStartWith("Inconclusive");
        assertThat(overheadRow(s)).contains("| threads |");
    }

    /**
     * Fresh user (session 16), a quick lab on a machine where others used 1.48 of 2 CPUs: thread round trips of 10.5
     * to 30.8 µs (IQR 46 %, under the 50 % noise line) against a steady 6.3 µs for processes made the section
     * "refuted" ("the process pair was not slower: … lost in the noise") and the overhead row favor processes, beside
     * pooled tasks at 5 µs on threads and 27 µs on processes. Load only lengthens times: on a busy machine a lead of
     * the widely spread side may be the load's, so the experiment is repeated and, if it stays, is inconclusive.
     */
    @Test
    void aBusyMachineThatSlowedTheThreadPairRefutedTheClaimAndTheOverheadRowFavoredProcesses() {
        List<Double> threads = List.of(19.6, 19.4, 10.7, 30.8, 10.5);
        List<Double> processes = List.of(6.1, 6.2, 6.32, 6.4, 6.5);
        Section busy = switching(threads, processes);
        new SwitchingExperiment().verdict(busy, List.of("same"));
        busy.load = new Load(60, 2, 0.65, 7.0, 1.0, 1.48, 0);
        assertThat(busy.metric(THREAD).orElseThrow().noisy()).isFalse();
        assertThat(busy.problems())
                .anySatisfy(p -> assertThat(p)
                        .startsWith("round trip: pipe, threads, same CPU")
                        .contains("measured slower than round trip: pipe, processes, same CPU")
                        .contains("on a busy machine")
                        .contains("the load may be what made it slower"));
        // what the lab does with a problem that stays: the verdict and the overhead row are inconclusive together
        busy.inconclusive(busy.problems());
        assertThat(busy.verdict).startsWith("Inconclusive (machine busy)");
        assertThat(overheadRow(busy))
                .contains(VerdictExperiment.NOISE)
                .contains("the switching experiment was inconclusive")
                .doesNotContain("| processes |");

        // the same numbers on a quiet machine are a measurement, worded as one: not "lost in the noise"
        Section quiet = switching(threads, processes);
        new SwitchingExperiment().verdict(quiet, List.of("same"));
        quiet.load = new Load(60, 2, 0.5, 0.5, 1.0, 0.1, 0);
        assertThat(quiet.problems()).isEmpty();
        assertThat(quiet.outcome).isEqualTo(Outcome.REFUTED);
        assertThat(quiet.verdict)
                .contains("The process pair was not slower: it took 0.33× the thread pair's time")
                .doesNotContain("noise");
    }

    @Test
    void onABusyMachineALeadTooLargeForTheLoadStillDecides() {
        // a JVM's start against a thread's, spread wide on a busy machine: its fastest quarter is far beyond load's
        // reach
        Section s = new Section("resources", "resources", "claim", "claim");
        s.add("create.jvm", "create a JVM", "ms", List.of(60.0, 80.0, 100.0, 140.0, 200.0), Map.of());
        s.add("create.platform", "create a thread", "µs", List.of(40.0, 45.0, 50.0, 55.0, 60.0), Map.of());
        s.compares("create.jvm", "create.platform");
        s.load = new Load(60, 2, 5.0, 6.0, 0.5, 1.8, 0);
        assertThat(s.problems()).isEmpty();
        // and a lead of the tightly spread side is not the load's either
        Section t = new Section("sharing", "sharing", "claim", "claim");
        t.add("heap.x", "heap", "µs", List.of(9.0, 9.5, 10.0, 10.5, 11.0), Map.of());
        t.add("copy.x", "copy", "µs", List.of(2.0, 3.0, 4.0, 6.0, 7.0), Map.of());
        t.compares("heap.x", "copy.x");
        t.load = s.load;
        assertThat(t.problems()).isEmpty();
    }
}
