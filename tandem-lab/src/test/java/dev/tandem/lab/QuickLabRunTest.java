package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tandem.measure.Json;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Units;
import dev.tandem.measure.testing.Chromium;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One quick lab run (every experiment), then checks of what it wrote: every section has numbers and a
 * verdict, results.json validates against the schema kept in the repository, the HTML report renders
 * every chart in headless Chromium with no label clipped or covered at desktop and phone width
 * (screenshots are kept under target/), every section recorded the load, and the lab left no process
 * behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickLabRunTest {
    static final Path REPORT = Path.of("target", "lab-quick-report");

    private int exitCode;
    private String stdout;
    private JsonNode results;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void runTheLabQuickly() throws Exception {
        Lab.deleteTree(REPORT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            exitCode = new Lab(ps, System.err)
                    .run(new LabOptions(Lab.ORDER, true, 42, Files.createDirectories(REPORT), null, true));
        }
        stdout = out.toString(StandardCharsets.UTF_8);
        System.out.println(stdout);
        results = Json.MAPPER.readTree(REPORT.resolve("results.json").toFile());
    }

    @Test
    void everyExperimentRanAndPrintedASummary() {
        assertThat(exitCode).as("lab exit code; output:%n%s", stdout).isZero();
        for (String id : Lab.ORDER) {
            assertThat(stdout).containsPattern("(?m)^" + id + "\\s+\\S+");
        }
        assertThat(stdout).contains("report: ");
    }

    @Test
    void everySectionHasMeasuredNumbersAndAComputedVerdict() {
        List<String> ids = new ArrayList<>();
        for (JsonNode s : results.get("sections")) {
            String id = s.get("id").asText();
            ids.add(id);
            assertThat(s.get("verdict").asText()).as(id + " verdict").isNotBlank();
            assertThat(s.get("method").asText()).as(id + " method").isNotBlank();
            assertThat(s.get("outcome").asText()).as(id + " outcome").isNotEqualTo("not-measured");
            assertThat(s.get("chart").isObject()).as(id + " chart").isTrue();
            int withNumbers = 0;
            for (JsonNode m : s.get("metrics")) {
                if (m.get("stats").get("n").asInt() > 0
                        && m.get("stats").get("median").isNumber()) {
                    withNumbers++;
                }
            }
            assertThat(withNumbers).as(id + " metrics with samples").isPositive();
            // The verdict quotes measured numbers rather than canned text.
            assertThat(s.get("verdict").asText())
                    .as(id + " verdict quotes numbers")
                    .containsPattern("\\d");
        }
        assertThat(ids).containsExactlyElementsOf(Lab.ORDER);
        assertThat(results.get("options").get("seed").asLong()).isEqualTo(42);
        assertThat(results.get("machine").get("cores").asInt()).isPositive();
    }

    @Test
    void repeatedMeasurementsKeepEverySample() {
        JsonNode switching = section("switching");
        JsonNode m = metric(switching, "rt.pipe.thread.same");
        assertThat(m.get("samples").size())
                .isEqualTo(results.get("options").get("repeats").asInt());
        assertThat(m.get("stats").get("q1").asDouble())
                .isLessThanOrEqualTo(m.get("stats").get("median").asDouble());
        assertThat(m.get("unit").asText()).isEqualTo("µs");
    }

    @Test
    void resultsValidateAgainstTheSchemaInTheRepository() throws IOException {
        Schema schema = schema();
        List<Error> errors = schema.validate(Files.readString(REPORT.resolve("results.json")), InputFormat.JSON);
        assertThat(errors).as("schema errors").isEmpty();
    }

    @Test
    void theSchemaRejectsAResultWithoutItsSeed() throws IOException {
        ObjectNode broken = results.deepCopy();
        ((ObjectNode) broken.get("options")).remove("seed");
        ((ObjectNode) broken.get("sections").get(0)).put("outcome", "probably");
        List<Error> errors = schema().validate(Json.MAPPER.writeValueAsString(broken), InputFormat.JSON);
        assertThat(errors)
                .extracting(e -> e.getInstanceLocation() + " " + e.getMessage())
                .anyMatch(msg -> msg.contains("seed"))
                .anyMatch(msg -> msg.contains("outcome"));
    }

    @Test
    void comparingARunWithItselfFindsNoChange() {
        LabOptions options = new LabOptions(Lab.ORDER, true, 42, REPORT, null, false);
        JsonNode c = Comparison.compare(Baseline.read(REPORT.resolve("results.json")), options, reloadSections());
        assertThat(c.get("rows").size()).isPositive();
        assertThat(c.get("differences")).as("same settings, same machine").isEmpty();
        assertThat(c.get("skipped").get("count").asInt()).isZero();
        for (JsonNode row : c.get("rows")) {
            assertThat(row.get("significant").asBoolean()).as(row.toString()).isFalse();
        }
    }

    @Test
    void everySectionRecordsTheLoadWhileItMeasured() {
        assertThat(results.get("load").get("cores").asInt()).isPositive();
        for (JsonNode s : results.get("sections")) {
            JsonNode load = s.get("load");
            assertThat(load.get("seconds").asDouble())
                    .as(s.get("id") + " load window")
                    .isPositive();
            assertThat(load.has("othersCpus")).isTrue();
            assertThat(load.has("steal")).isTrue();
            assertThat(s.get("attempts").size()).isBetween(1, Lab.ATTEMPTS);
        }
    }

    /**
     * The switching verdict follows the one rule of {@link Section#problems()} and {@link Contrast}: a
     * noisy number decides only when its whole interquartile range lies on one side of the other's.
     * Its verdict had called itself inconclusive in its own words ("but one of the two is noise") for
     * a noisy pair that was told apart, and decided a noisy pair that overlapped.
     */
    @Test
    void aVerdictThatRestsOnNoiseIsInconclusive() {
        JsonNode switching = section("switching");
        JsonNode t = metric(switching, "rt.pipe.thread.same").get("stats");
        JsonNode p = metric(switching, "rt.pipe.process.same").get("stats");
        boolean noise = t.get("noise").asBoolean() || p.get("noise").asBoolean();
        boolean apart = t.get("q3").asDouble() < p.get("q1").asDouble()
                || p.get("q3").asDouble() < t.get("q1").asDouble();
        String verdict = switching.get("verdict").asText();
        if (noise && !apart) {
            assertThat(switching.get("outcome").asText()).isEqualTo("inconclusive");
            assertThat(verdict).startsWith("Inconclusive (");
        }
        assertThat(verdict).as("inconclusive only in the lab's own words").doesNotContain("one of the two is noise");
        if (switching.get("outcome").asText().equals("inconclusive")) {
            assertThat(verdict).startsWith("Inconclusive (");
        }
    }

    /**
     * Fresh user: the sharing verdict quoted "1.67 ms" and "3.61 ms" bare where its own table flagged both as
     * noise. A number the report flags as noise says so wherever the verdict quotes it.
     */
    @Test
    void theSharingVerdictQuotedNumbersItsTableFlagsAsNoiseBare() {
        JsonNode sharing = section("sharing");
        String verdict = sharing.get("verdict").asText();
        for (JsonNode m : sharing.get("metrics")) {
            String key = m.get("key").asText();
            JsonNode st = m.get("stats");
            if (!(key.startsWith("heap.") || key.startsWith("copy."))
                    || !st.get("noise").asBoolean()
                    || st.get("q1").asDouble() <= 0) {
                continue;
            }
            String quoted = Units.num(st.get("median").asDouble(), m.get("unit").asText());
            int at = verdict.indexOf(quoted + " ");
            if (at >= 0) {
                assertThat(verdict.substring(at)).as(key).startsWith(quoted + " (noise)");
            }
        }
    }

    @Test
    void theLabMeasuresTandemsPoolsInSteadyStateAndColdStartApart() {
        JsonNode switching = section("switching");
        for (String executor : PoolProbe.EXECUTORS) {
            JsonNode steady = metric(switching, "pool." + executor);
            assertThat(steady.get("samples").size())
                    .as("one median per measurement iteration")
                    .isEqualTo(RoundTrips.Settings.QUICK.iterations());
            assertThat(steady.get("params").get("warmup").asText()).contains(" x ");
            double cold = metric(switching, "cold.trips." + executor)
                    .get("stats")
                    .get("median")
                    .asDouble();
            assertThat(cold).as("cold round trips of " + executor).isPositive();
        }
        assertThat(switching.get("method").asText())
                .contains("core.RoundTripBenchmark")
                .contains("cold start");
    }

    @Test
    void markdownReportHasEverySection() throws IOException {
        String md = Files.readString(REPORT.resolve("report.md"));
        for (JsonNode s : results.get("sections")) {
            assertThat(md)
                    .contains("## " + s.get("title").asText())
                    .contains("**Verdict: " + s.get("outcome").asText());
        }
    }

    @Test
    void theLabLeftNoProcessBehind() {
        List<String> alive = ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList();
        assertThat(alive).isEmpty();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theHtmlReportRendersEveryChartWithNoLabelClippedOrCoveredAtDesktopAndPhoneWidth() throws Exception {
        assertThat(Chromium.BINARY)
                .as("Debian's chromium (apt-get install chromium; .ci/run installs it)")
                .exists();
        Path html = REPORT.resolve("index.html").toAbsolutePath();
        String page = Files.readString(html);
        assertThat(page)
                .doesNotContain("src=\"http")
                .doesNotContain("href=\"http")
                .contains("echarts");
        List<String> expected = new ArrayList<>();
        results.get("sections").forEach(x -> expected.add(x.get("id").asText()));
        for (int[] size : List.of(Chromium.DESKTOP, Chromium.PHONE)) {
            String dom = Chromium.dumpDom(html, size);
            assertThat(Chromium.charts(dom).keySet()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(Chromium.problems(dom)).as("at %d px wide", size[0]).isEmpty();
            assertThat(dom).contains("data-charts=\"" + expected.size() + "\"");
        }
        Path shot = Path.of("target", "lab-report-screenshot.png").toAbsolutePath();
        Chromium.screenshot(html, shot, Chromium.DESKTOP);
        assertThat(Files.size(shot)).isGreaterThan(10_000);
        Path phone = Path.of("target", "lab-report-phone.png").toAbsolutePath();
        Chromium.screenshot(html, phone, new int[] {390, 1600});
        assertThat(phone).exists();
    }

    private static Schema schema() throws IOException {
        try (InputStream in = Lab.class.getResourceAsStream("results.schema.json")) {
            assertThat(in).as("results.schema.json on the class path").isNotNull();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private JsonNode section(String id) {
        for (JsonNode s : results.get("sections")) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no section " + id);
    }

    private static JsonNode metric(JsonNode section, String key) {
        for (JsonNode m : section.get("metrics")) {
            if (m.get("key").asText().equals(key)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + key + " in " + section.get("id"));
    }

    /** Rebuilds sections from results.json, as a second run with identical numbers would produce them. */
    private List<Section> reloadSections() {
        List<Section> out = new ArrayList<>();
        for (JsonNode s : results.get("sections")) {
            Section sec = new Section(
                    s.get("id").asText(),
                    s.get("title").asText(),
                    s.get("claim").asText(),
                    s.get("claimOriginal").asText());
            for (JsonNode m : s.get("metrics")) {
                List<Double> samples = new ArrayList<>();
                m.get("samples").forEach(v -> samples.add(v.isNumber() ? v.asDouble() : Double.NaN));
                @SuppressWarnings("unchecked")
                Map<String, Object> params = Json.MAPPER.convertValue(m.get("params"), Map.class);
                sec.add(
                        m.get("key").asText(),
                        m.get("label").asText(),
                        m.get("unit").asText(),
                        samples,
                        params);
            }
            out.add(sec);
        }
        return out;
    }
}
