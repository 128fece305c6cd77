package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compare}: only a lab's results file is accepted, and only like is compared with like. The
 * regression the issue names: a quick run compared with a full run listed 141 "significant" changes
 * such as "batch time 850 ms -> 36.2 ms" that came from other task counts, not from Tandem.
 */
class ComparisonTest {
    private static Section scaling(int tasks, long millis, List<Double> batch, List<Double> rss) {
        Section s = new Section("scaling", "Scaling", "claim", "原文");
        s.verdict = "threads 1.00x"; // as every section that ran has (results.schema.json requires it)
        s.method = "batches of tasks";
        s.attempts.add(Load.start().stop());
        s.add(
                "time.THREADS.cpu.1",
                "threads, cpu-bound, 1 workers: batch time",
                "ms",
                batch,
                Map.of("mode", "THREADS", "workload", "cpu", "workers", 1, "tasks", tasks, "taskMillis", millis));
        s.add("rss.worker", "RSS of an idle worker JVM", "MiB", rss, Map.of("workers", 1));
        return s;
    }

    private static Baseline earlier(Path dir, boolean quick, Section s) throws Exception {
        LabOptions options = new LabOptions(List.of("scaling"), quick, 42, dir, null, false);
        ObjectNode results =
                ResultsFile.build(options, Instant.now(), 1, Load.start().stop(), List.of(s), null);
        Path file = dir.resolve("old.json");
        Json.MAPPER.writeValue(file.toFile(), results);
        return Baseline.read(file);
    }

    @Test
    void aQuickRunIsComparedWithAFullRunOnlyWhereTheSettingsAreTheSame(@TempDir Path dir) throws Exception {
        Baseline full = earlier(dir, false, scaling(32, 10, List.of(850.0, 851.0, 852.0), List.of(40.0, 40.1, 40.2)));
        LabOptions quick = new LabOptions(List.of("scaling"), true, 42, dir, full, false);
        JsonNode c = Comparison.compare(
                full, quick, List.of(scaling(8, 6, List.of(36.2, 36.3, 36.4), List.of(50.0, 50.1, 50.2))));
        assertThat(c.get("differences").toString()).contains("the earlier run was a full run, this one a quick run");
        assertThat(c.get("skipped").get("count").asInt()).isEqualTo(1);
        assertThat(c.get("skipped").get("examples").get(0).asText())
                .contains("batch time")
                .contains("taskMillis 10 then, 6 now");
        assertThat(c.get("rows")).hasSize(1);
        JsonNode rss = c.get("rows").get(0);
        assertThat(rss.get("key").asText()).isEqualTo("rss.worker");
        assertThat(rss.get("significant").asBoolean())
                .as("40 MiB then, 50 MiB now, tight spreads")
                .isTrue();
        assertThat(Comparison.summary(c))
                .startsWith("1 of 1 like-for-like metrics changed")
                .contains("1 not compared because their settings differed")
                .contains("full run");
    }

    @Test
    void aQuickRunAgainstAFullRunListsNoChangeThatItsSettingsCaused(@TempDir Path dir) throws Exception {
        // every metric whose settings differ is ten times off; the one with the same settings is unchanged
        Baseline full = earlier(dir, false, scaling(32, 10, List.of(850.0, 851.0, 852.0), List.of(40.0, 40.1, 40.2)));
        LabOptions quick = new LabOptions(List.of("scaling"), true, 42, dir, full, false);
        JsonNode c = Comparison.compare(
                full, quick, List.of(scaling(8, 6, List.of(85.0, 85.1, 85.2), List.of(40.0, 40.1, 40.2))));
        assertThat(c.get("rows"))
                .allSatisfy(r -> assertThat(r.get("significant").asBoolean())
                        .as(r.toString())
                        .isFalse());
        assertThat(c.get("skipped").get("count").asInt()).isEqualTo(1);
        assertThat(Comparison.summary(c)).startsWith("0 of 1 like-for-like metrics changed");
    }

    @Test
    void aChangeWithinTheNoiseIsNotSignificant(@TempDir Path dir) throws Exception {
        Baseline before = earlier(dir, true, scaling(8, 6, List.of(30.0, 36.0, 60.0), List.of(40.0, 40.1, 40.2)));
        LabOptions now = new LabOptions(List.of("scaling"), true, 42, dir, before, false);
        JsonNode c = Comparison.compare(
                before, now, List.of(scaling(8, 6, List.of(10.0, 20.0, 45.0), List.of(40.0, 40.1, 40.2))));
        JsonNode batch = c.get("rows").get(0);
        assertThat(batch.get("noise").asBoolean()).isTrue();
        assertThat(batch.get("significant").asBoolean()).isFalse();
    }

    @Test
    void onlyALabResultsFileIsAccepted(@TempDir Path dir) throws Exception {
        Path x = Files.writeString(dir.resolve("x.json"), "{\"x\":1}");
        assertThatThrownBy(() -> Baseline.read(x))
                .hasMessageContaining("--compare " + x + ": not a results file of this lab")
                .hasMessageContaining("its \"schema\" is missing")
                .hasMessageContaining("give the results.json of an earlier tandem lab run");
        Path damaged = Files.writeString(dir.resolve("d.json"), "{\"schema\":\"tandem-lab-results/2\"}");
        assertThatThrownBy(() -> Baseline.read(damaged))
                .hasMessageContaining("does not match results.schema.json")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Baseline.read(dir)).hasMessageContaining("is a directory, not a file");
    }

    /** A valid results file of a quick scaling run, written as the lab writes it. */
    private static ObjectNode valid(Path dir) throws Exception {
        earlier(dir, true, scaling(8, 6, List.of(30.0, 31.0, 32.0), List.of(40.0, 40.1, 40.2)));
        return (ObjectNode) Json.MAPPER.readTree(dir.resolve("old.json").toFile());
    }

    @Test
    void aValidResultsFileIsAccepted(@TempDir Path dir) throws Exception {
        Baseline b = earlier(dir, true, scaling(8, 6, List.of(30.0, 31.0, 32.0), List.of(40.0, 40.1, 40.2)));
        assertThat(b.quick()).isTrue();
        assertThat(b.section("scaling")).isNotNull();
    }

    @Test
    void aResultsFileOfAnotherSchemaVersionIsRefusedNamingTheExpectedOne(@TempDir Path dir) throws Exception {
        ObjectNode old = valid(dir).put("schema", "tandem-lab-results/1");
        Path file = dir.resolve("v1.json");
        Json.MAPPER.writeValue(file.toFile(), old);
        assertThatThrownBy(() -> Baseline.read(file))
                .hasMessageStartingWith("--compare " + file + ": ")
                .hasMessageContaining("its \"schema\" is \"tandem-lab-results/1\"")
                .hasMessageContaining("expected schema version \"tandem-lab-results/2\"");
    }

    /** Was: 'its "schema" is missing' for the advisor's results.json, which names its format in "format". */
    @Test
    void theAdvisorsResultsWereSaidToMissASchema(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.json");
        Files.writeString(file, "{\"format\": \"tandem-advise/3\", \"task\": \"ext.Cpu\"}");
        assertThatThrownBy(() -> Baseline.read(file))
                .hasMessage(
                        "--compare " + file + ": the results of tandem advise (\"format\": \"tandem-advise/3\"), not"
                                + " of the lab; give a results.json of tandem lab");
    }

    @Test
    void metricsThatAreNotMetricsAreRefusedWithTheFirstSchemaViolation(@TempDir Path dir) throws Exception {
        ObjectNode bogus = valid(dir);
        ((ObjectNode) bogus.get("sections").get(0))
                .putArray("metrics")
                .addObject()
                .put("key", "bogus");
        Path file = dir.resolve("bogus.json");
        Json.MAPPER.writeValue(file.toFile(), bogus);
        assertThatThrownBy(() -> Baseline.read(file))
                .hasMessageStartingWith("--compare " + file + ": does not match results.schema.json (")
                .hasMessageContaining("metrics")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anEmptyFileIsRefusedAsEmpty(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.json"));
        assertThatThrownBy(() -> Baseline.read(empty))
                .hasMessage(
                        "--compare " + empty + ": empty (0 bytes); give the results.json of an earlier tandem lab run");
    }

    @Test
    void aMissingFileAndInvalidJsonAreRefused(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Baseline.read(missing))
                .hasMessageContaining("--compare " + missing + ": no such file");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"schema\": ");
        assertThatThrownBy(() -> Baseline.read(broken))
                .hasMessageContaining("--compare " + broken + ": not JSON (")
                .hasMessageContaining("line 1");
    }

    /** Was: the comparison named the file compared with, but not which experiments it compared. */
    @Test
    void aComparisonDidNotNameTheExperimentsItCompared(@TempDir Path dir) throws Exception {
        Baseline full = earlier(dir, false, scaling(32, 10, List.of(850.0, 851.0, 852.0), List.of(40.0, 40.1, 40.2)));
        LabOptions options = new LabOptions(List.of("scaling"), false, 42, dir, full, false);
        Section other = new Section("races", "Races", "claim", "原文");
        JsonNode c = Comparison.compare(
                full,
                options,
                List.of(scaling(32, 10, List.of(850.0, 851.0, 852.0), List.of(40.0, 40.1, 40.2)), other));
        assertThat(c.get("experiments").toString()).isEqualTo("[\"scaling\"]");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Comparison.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), c);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("), experiment scaling:");
        // nothing changed: the summary line says so right under the heading (was: a bare "None." above it, which read
        // as if nothing had been compared)
        assertThat(printed.lines().toList().get(1))
                .startsWith("  0 of ")
                .contains("like-for-like metrics changed beyond the spread of both runs");
        assertThat(printed).doesNotContain("None.");
    }
}
