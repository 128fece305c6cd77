package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdict's rows on fixed sections: no row favors a side on noise, or quotes an inconclusive section. */
class VerdictExperimentTest {
    @TempDir
    Path tmp;

    private Section verdict(Map<String, Section> done) {
        LabOptions options = new LabOptions(List.of("verdict"), true, 1, tmp.resolve("out"), null, false);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        VerdictExperiment v = new VerdictExperiment();
        Section s = v.section();
        try (Progress progress = new Progress(sink, false)) {
            v.run(new Bench(options, tmp, done, progress, "verdict"), s);
        }
        return s;
    }

    private static String row(Section s, String angle) {
        return s.tables.getFirst().rows().stream()
                .filter(r -> r.getFirst().equals(angle))
                .findFirst()
                .map(r -> String.join(" | ", r))
                .orElseThrow();
    }

    private static Section section(String id) {
        return new Section(id, id, "claim", "claim");
    }

    @Test
    void aSharingRowOnANoisyHandOverIsInconclusive() {
        // the quick run: 36.1 ms to hand over 1 MiB (IQR 11.6-45.5, noise) against 64.0 ms copied
        Section sharing = section("sharing");
        sharing.add("heap.1048576", "hand over", "ms", List.of(5.0, 11.6, 36.1, 45.5, 60.0), Map.of());
        sharing.add("copy.1048576", "copy", "ms", List.of(40.0, 41.6, 64.0, 67.8, 70.0), Map.of());
        sharing.add("shm.1048576", "shm", "ms", List.of(1.0, 1.1, 1.2, 1.3, 1.4), Map.of());
        Map<String, Section> done = new LinkedHashMap<>();
        done.put("sharing", sharing);
        assertThat(row(verdict(done), "data sharing"))
                .contains(VerdictExperiment.NOISE)
                .doesNotContain("| threads |");
    }

    @Test
    void anOverheadRowToldApartButCloseSaysSoNotNoiseAndQuotesNoInconclusiveScaling() {
        // the case: same-CPU pipe IQRs 4.52-4.65 and 5.42-5.50 are apart, the ratio is below 1.25
        Section switching = section("switching");
        switching.add("rt.pipe.thread.same", "t", "µs", List.of(4.5, 4.52, 4.6, 4.65, 4.7), Map.of());
        switching.add("rt.pipe.process.same", "p", "µs", List.of(5.4, 5.42, 5.45, 5.50, 5.52), Map.of());
        switching.add("pool.threads", "pt", "µs", List.of(1.0, 1.0, 1.0), Map.of());
        switching.add("pool.processes", "pp", "µs", List.of(20.0, 20.0, 20.0), Map.of());
        switching.verdict(Outcome.SUPPORTED, "fine");
        Section scaling = section("scaling");
        int n = Math.min(Runtime.getRuntime().availableProcessors(), 4);
        scaling.add("speedup.THREADS.cpu." + n, "s", "x", List.of(2.24, 2.24, 2.24), Map.of());
        scaling.add("speedup.PROCESSES.cpu." + n, "s", "x", List.of(1.9, 1.9, 1.9), Map.of());
        scaling.verdict(Outcome.INCONCLUSIVE, "machine busy");
        Map<String, Section> done = new LinkedHashMap<>();
        done.put("switching", switching);
        done.put("scaling", scaling);
        String overhead = row(verdict(done), "overhead");
        assertThat(overhead)
                .contains(VerdictExperiment.CLOSE)
                .doesNotContain("within noise")
                .doesNotContain("2.24");
    }

    /**
     * Fresh user (session 16): "threads win 3 angles, processes 3" was "supported" while processes had won overhead,
     * which the claim gives to threads ("threads for … cheap switching"). Each side winning something supports "it
     * depends", not the claim's split.
     */
    @Test
    void aTieWhoseProcessesWonOverheadWasCalledSupported() {
        Map<String, String> tie = new LinkedHashMap<>();
        tie.put("resources", "threads");
        tie.put("concurrency", "threads");
        tie.put("data sharing", "threads");
        tie.put("failure isolation", "processes");
        tie.put("structure", "processes");
        tie.put("overhead", "processes");
        assertThat(VerdictExperiment.againstTheClaim(tie)).containsExactly("processes won overhead");

        tie.put("overhead", "threads");
        assertThat(VerdictExperiment.againstTheClaim(tie)).isEmpty();
        tie.put("overhead", VerdictExperiment.NOISE);
        tie.put("data sharing", VerdictExperiment.CLOSE);
        assertThat(VerdictExperiment.againstTheClaim(tie)).isEmpty();
        tie.put("failure isolation", "threads");
        assertThat(VerdictExperiment.againstTheClaim(tie)).containsExactly("threads won failure isolation");
    }
}
