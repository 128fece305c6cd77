package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compare} on derived numbers (the verdict's ratios) and on numbers that cannot be results.
 * The regressions the fresh user found: a full run against a quick one listed "processes / threads, data
 * sharing 27.1x -> 131x" (a 1 MiB row against a 4 MiB row) and "concurrency 73,181x -> 100,046x" (5,000
 * against 50,000 virtual threads) as significant, because the verdict's metrics carried only
 * {@code favors} as parameters and the verdict section's busy flag came from its own 0.02 s of
 * tabulating; a busy run compared "0 of 19" as if nothing changed; a CPU speed-up above the cores was
 * taken for a result.
 */
class DerivedMetricComparisonTest {
    private static final Load QUIET = new Load(10, 2, 0.5, 0.5, 1.0, 0.1, 0);
    private static final Load BUSY = new Load(10, 2, 5.0, 6.0, 0.5, 1.8, 0);

    private static Section measured(String id, Load load) {
        Section s = new Section(id, id, "claim", "原文");
        s.verdict = "measured";
        s.load = load;
        s.attempts.add(load);
        return s;
    }

    /** The resources section of a run with {@code threads} virtual threads, and the verdict derived from it. */
    private static List<Section> run(int threads, double perThread, Load resourcesLoad) {
        Section res = measured("resources", resourcesLoad);
        res.add(
                "create.virtual",
                "virtual thread",
                "µs",
                List.of(perThread, perThread + 0.01, perThread + 0.02),
                Map.of("threads", threads));
        res.add("firstResult.worker", "worker JVM", "ms", List.of(448.0, 448.5, 449.0), Map.of("workers", 1));
        Section verdict = measured("verdict", QUIET);
        double ratio = 448.5 * 1000 / perThread;
        verdict.derive(
                "ratio.concurrency",
                "processes / threads, concurrency",
                "x",
                List.of(ratio),
                Map.of("favors", "threads"),
                List.of(Map.entry(res, "create.virtual"), Map.entry(res, "firstResult.worker")));
        return List.of(res, verdict);
    }

    private static Baseline earlier(Path dir, boolean quick, List<Section> sections) throws Exception {
        LabOptions options = new LabOptions(List.of("resources", "verdict"), quick, 42, dir, null, false);
        ObjectNode results = ResultsFile.build(options, Instant.now(), 1, QUIET, sections, null);
        Path file = dir.resolve("old.json");
        Json.MAPPER.writeValue(file.toFile(), results);
        return Baseline.read(file);
    }

    private static JsonNode row(JsonNode comparison, String key) {
        for (JsonNode r : comparison.get("rows")) {
            if (r.get("key").asText().equals(key)) {
                return r;
            }
        }
        return null;
    }

    @Test
    void aVerdictRatioDerivedFromOtherSettingsIsNotComparedWithTheQuickRuns(@TempDir Path dir) throws Exception {
        Baseline quick = earlier(dir, true, run(5_000, 6.13, QUIET));
        LabOptions full = new LabOptions(List.of("resources", "verdict"), false, 42, dir, quick, false);
        JsonNode c = Comparison.compare(quick, full, run(50_000, 4.18, QUIET));
        assertThat(row(c, "ratio.concurrency"))
                .as("5,000 against 50,000 virtual threads is a change of settings, not of Tandem")
                .isNull();
        assertThat(c.get("skipped").get("examples").toString())
                .contains("processes / threads, concurrency")
                .contains("threads=5000");
    }

    @Test
    void aVerdictRatioDerivedFromABusySectionIsBusyInTheComparison(@TempDir Path dir) throws Exception {
        // the verdict section itself tabulated on a quiet machine; the resources it quotes did not
        Baseline before = earlier(dir, true, run(5_000, 6.13, BUSY));
        JsonNode written = Json.MAPPER.readTree(dir.resolve("old.json").toFile());
        JsonNode verdict = written.get("sections").get(1);
        assertThat(verdict.get("load").get("busy").asBoolean())
                .as("a derived section is busy if an input was")
                .isTrue();
        assertThat(verdict.get("metrics").get(0).get("derivedFrom").toString()).contains("resources/create.virtual");
        LabOptions now = new LabOptions(List.of("resources", "verdict"), true, 42, dir, before, false);
        JsonNode c = Comparison.compare(before, now, run(5_000, 3.0, QUIET));
        JsonNode ratio = row(c, "ratio.concurrency");
        assertThat(ratio.get("busy").asBoolean()).isTrue();
        assertThat(ratio.get("significant").asBoolean()).isFalse();
    }

    @Test
    void aVerdictRatioDerivedFromNoiseIsNoise(@TempDir Path dir) throws Exception {
        Baseline before = earlier(dir, true, run(5_000, 6.13, QUIET));
        LabOptions now = new LabOptions(List.of("resources", "verdict"), true, 42, dir, before, false);
        List<Section> noisy = new ArrayList<>(run(5_000, 3.0, QUIET));
        Section res = measured("resources", QUIET);
        res.add("create.virtual", "virtual thread", "µs", List.of(1.0, 2.0, 3.0, 9.0, 12.0), Map.of("threads", 5_000));
        res.add("firstResult.worker", "worker JVM", "ms", List.of(448.0, 448.5, 449.0), Map.of("workers", 1));
        Section verdict = measured("verdict", QUIET);
        verdict.derive(
                "ratio.concurrency",
                "processes / threads, concurrency",
                "x",
                List.of(150_000.0),
                Map.of("favors", "threads"),
                List.of(Map.entry(res, "create.virtual"), Map.entry(res, "firstResult.worker")));
        noisy.set(0, res);
        noisy.set(1, verdict);
        JsonNode ratio = row(Comparison.compare(before, now, noisy), "ratio.concurrency");
        assertThat(ratio.get("noise").asBoolean()).isTrue();
        assertThat(ratio.get("significant").asBoolean()).isFalse();
    }

    @Test
    void aComparisonInWhichEveryMetricWasBusySaysNoneCouldBeJudgedNotNoChange(@TempDir Path dir) throws Exception {
        Baseline before = earlier(dir, true, run(5_000, 6.13, BUSY));
        LabOptions now = new LabOptions(List.of("resources", "verdict"), true, 42, dir, before, false);
        JsonNode c = Comparison.compare(before, now, run(5_000, 3.0, BUSY));
        assertThat(c.get("compared").asInt()).isEqualTo(3);
        assertThat(Comparison.summary(c))
                .startsWith("none of the 3 like-for-like metrics could be judged (3 measured on a busy machine")
                .doesNotContain("0 of");
    }

    /** Was: "none of the 1 like-for-like metric could be judged". */
    @Test
    void oneMetricThatCouldNotBeJudgedWasCalledNoneOfTheOne() throws Exception {
        JsonNode c = Json.MAPPER.readTree("{\"compared\": 1, \"rows\": [{\"busy\": true}]}");
        assertThat(Comparison.summary(c))
                .startsWith("the one like-for-like metric could not be judged (1 measured on a busy machine")
                .doesNotContain("none of the 1");
    }

    @Test
    void aCpuSpeedUpAboveTheCoresIsAnArtefactNeverQuotedNorComparedAsAChange(@TempDir Path dir) throws Exception {
        // the quick run's "hybrid CPU x2 2.84x" on 2 cores: the one-worker baseline batch was inflated
        Section scaling = measured("scaling", QUIET);
        scaling.add(
                "speedup.HYBRID.cpu.2",
                "Java hybrid, cpu-bound, 2 workers: speed-up",
                "x",
                List.of(2.73, 2.84, 2.90),
                Map.of("workers", 2));
        scaling.atMost("speedup.HYBRID.cpu.2", 2 * (1 + ScalingExperiment.SPEEDUP_TOLERANCE), "2 cores");
        assertThat(scaling.artefact("speedup.HYBRID.cpu.2")).isTrue();
        assertThat(scaling.ratio("speedup.HYBRID.cpu.2")).endsWith("(artefact)");
        assertThat(scaling.quote("speedup.HYBRID.cpu.2")).endsWith("(artefact)");
        assertThat(scaling.problems())
                .as("an artefact is a problem: the lab repeats the experiment, then calls it inconclusive")
                .anySatisfy(p -> assertThat(p).contains("2.84").contains("2 cores"));

        LabOptions options = new LabOptions(List.of("scaling"), true, 42, dir, null, false);
        Path file = dir.resolve("old.json");
        Json.MAPPER.writeValue(
                file.toFile(), ResultsFile.build(options, Instant.now(), 1, QUIET, List.of(scaling), null));
        Baseline before = Baseline.read(file);
        Section now = measured("scaling", QUIET);
        now.add(
                "speedup.HYBRID.cpu.2",
                "Java hybrid, cpu-bound, 2 workers: speed-up",
                "x",
                List.of(1.70, 1.71, 1.72),
                Map.of("workers", 2));
        JsonNode r = row(Comparison.compare(before, options, List.of(now)), "speedup.HYBRID.cpu.2");
        assertThat(r.get("noise").asBoolean()).isTrue();
        assertThat(r.get("significant").asBoolean()).isFalse();
    }

    @Test
    void aSpeedUpWithinTheCoresIsNoArtefact() {
        Section scaling = measured("scaling", QUIET);
        scaling.add("speedup.THREADS.cpu.2", "threads", "x", List.of(1.9, 1.95, 2.05), Map.of("workers", 2));
        scaling.atMost("speedup.THREADS.cpu.2", 2 * (1 + ScalingExperiment.SPEEDUP_TOLERANCE), "2 cores");
        assertThat(scaling.artefact("speedup.THREADS.cpu.2")).isFalse();
        assertThat(scaling.problems()).isEmpty();
    }
}
