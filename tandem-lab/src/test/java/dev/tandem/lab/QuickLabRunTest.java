package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One quick lab run (every experiment), then checks of what it wrote: every section has numbers and a
 * verdict, results.json validates against the schema kept in the repository, the HTML report renders
 * every chart in headless Chromium (a screenshot of the first screen is kept under target/), and the
 * lab left no process behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickLabRunTest {
    static final Path REPORT = Path.of("target", "lab-quick-report");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private int exitCode;
    private String stdout;
    private JsonNode results;

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void runTheLabQuickly() throws Exception {
        Lab.deleteTree(REPORT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            exitCode = new Lab(ps, System.err).run(new LabOptions(Lab.ORDER, true, 42, REPORT, null, true));
        }
        stdout = out.toString(StandardCharsets.UTF_8);
        System.out.println(stdout);
        results = Charts.JSON.readTree(REPORT.resolve("results.json").toFile());
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
        List<Error> errors = schema().validate(Charts.JSON.writeValueAsString(broken), InputFormat.JSON);
        assertThat(errors)
                .extracting(e -> e.getInstanceLocation() + " " + e.getMessage())
                .anyMatch(msg -> msg.contains("seed"))
                .anyMatch(msg -> msg.contains("outcome"));
    }

    @Test
    void comparingARunWithItselfFindsNoChange() throws IOException {
        JsonNode c = Comparison.compare(REPORT.resolve("results.json"), reloadSections());
        assertThat(c.get("rows").size()).isPositive();
        for (JsonNode row : c.get("rows")) {
            assertThat(row.get("significant").asBoolean()).as(row.toString()).isFalse();
        }
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
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theHtmlReportRendersEveryChartInHeadlessChromium() throws Exception {
        assertThat(CHROMIUM)
                .as("Debian's chromium (apt-get install chromium; .ci/run installs it)")
                .exists();
        Path html = REPORT.resolve("index.html").toAbsolutePath();
        String page = Files.readString(html);
        assertThat(page)
                .doesNotContain("src=\"http")
                .doesNotContain("href=\"http")
                .contains("echarts");

        String dom = chromium(html, "--dump-dom", "--window-size=1280,900");
        Map<String, Map<String, String>> charts = chartDivs(dom);
        List<String> expected = new ArrayList<>();
        results.get("sections").forEach(s -> expected.add(s.get("id").asText()));
        assertThat(charts.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        charts.forEach((id, attrs) -> {
            assertThat(attrs.get("data-rendered"))
                    .as("chart " + id + " rendered; attributes " + attrs)
                    .isEqualTo("true");
            assertThat(Integer.parseInt(attrs.getOrDefault("data-svg-nodes", "0")))
                    .as("SVG nodes of " + id)
                    .isGreaterThan(20);
        });
        assertThat(dom).contains("data-charts=\"" + expected.size() + "\"");

        Path shot = Path.of("target", "lab-report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        chromium(html, "--screenshot=" + shot, "--window-size=1280,900", "--hide-scrollbars");
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isGreaterThan(10_000);
        Path phone = Path.of("target", "lab-report-phone.png").toAbsolutePath();
        chromium(html, "--screenshot=" + phone, "--window-size=390,1600", "--hide-scrollbars");
        assertThat(phone).exists();
    }

    private static String chromium(Path html, String... args) throws Exception {
        Path profile = Files.createTempDirectory("lab-chromium-");
        List<String> cmd = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=15000"));
        cmd.addAll(List.of(args));
        cmd.add(html.toUri().toString());
        Path out = Files.createTempFile("lab-chromium-", ".out");
        Path err = Files.createTempFile("lab-chromium-", ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            boolean exited = p.waitFor(120, TimeUnit.SECONDS);
            assertThat(exited)
                    .as("chromium finished; stderr:%n%s", Files.readString(err))
                    .isTrue();
            return Files.readString(out);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Lab.deleteTree(profile);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@return the attributes of every chart element of the DOM, by section id} */
    static Map<String, Map<String, String>> chartDivs(String dom) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Matcher tag = Pattern.compile("<div\\b([^>]*\\bclass=\"chart\"[^>]*)>").matcher(dom);
        Pattern attr = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");
        while (tag.find()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            Matcher a = attr.matcher(tag.group(1));
            while (a.find()) {
                attrs.put(a.group(1), a.group(2));
            }
            out.put(attrs.getOrDefault("id", "?").replaceFirst("^chart-", ""), attrs);
        }
        return out;
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
                sec.add(
                        m.get("key").asText(),
                        m.get("label").asText(),
                        m.get("unit").asText(),
                        samples,
                        Map.of());
            }
            out.add(sec);
        }
        return out;
    }
}
