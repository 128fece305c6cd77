package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import dev.tandem.measure.Page;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a run's three outputs into the report directory:
 * <ul>
 *   <li>{@code results.json} ({@link ResultsFile});</li>
 *   <li>{@code report.md}: the same as text;</li>
 *   <li>{@code index.html}: one {@link Page}, the look the advisor's report shares: a load banner when
 *       the machine was busy, a summary, one chart per section, and the comparison with an earlier run
 *       at the end.</li>
 * </ul>
 * One writer per run; not thread-safe.
 */
final class ReportWriter {
    /** The files a report is made of, all in its directory. */
    static final List<String> FILES = List.of("index.html", "report.md", "results.json");

    private final LabOptions options;
    private final Instant started;
    private final double seconds;
    private final Load load;
    private final List<Section> sections;
    private final JsonNode comparison;

    ReportWriter(
            LabOptions options,
            Instant started,
            double seconds,
            Load load,
            List<Section> sections,
            JsonNode comparison) {
        this.options = options;
        this.started = started;
        this.seconds = seconds;
        this.load = load;
        this.sections = sections;
        this.comparison = comparison;
    }

    /** Writes the three files; returns the directory. */
    Path write() throws IOException {
        Path dir = Files.createDirectories(options.out());
        ObjectNode results = ResultsFile.build(options, started, seconds, load, sections, comparison);
        Json.MAPPER
                .writer()
                .with(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("results.json").toFile(), results);
        Files.writeString(dir.resolve("report.md"), markdown(results), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("index.html"), html(results), StandardCharsets.UTF_8);
        return dir;
    }

    /** {@return the banner text when the machine was busy during the run or any section, else null} */
    String busyBanner() {
        List<String> busy = new ArrayList<>();
        for (Section s : sections) {
            if (s.busy()) {
                busy.add(s.id);
            }
        }
        if (!load.busy() && busy.isEmpty()) {
            return null;
        }
        // named, not only counted: "1 experiment was repeated" left the reader to find which
        List<String> inconclusive = sections.stream()
                .filter(s -> s.outcome == Outcome.INCONCLUSIVE)
                .map(s -> s.id)
                .toList();
        List<String> repeated = sections.stream()
                .filter(s -> !s.repeatedBecause.isBlank())
                .map(s -> s.id)
                .toList();
        return "Over the whole run: " + load.describe() + ". Busy while measuring: "
                + (busy.isEmpty() ? "none of the sections" : String.join(", ", busy)) + ". Times may be inflated; "
                + Section.count(repeated.size(), "experiment", "experiments") + named(repeated)
                + (repeated.size() == 1 ? " was" : " were")
                + " repeated because their verdict would have rested on noise, and "
                + Section.count(inconclusive.size(), "verdict", "verdicts") + named(inconclusive)
                + (inconclusive.size() == 1 ? " is" : " are") + " inconclusive. Rerun on a quieter machine to firm"
                + " them up.";
    }

    /** {@return " (a, b)" naming the sections, or "" for none} */
    private static String named(List<String> ids) {
        return ids.isEmpty() ? "" : " (" + String.join(", ", ids) + ")";
    }

    // ---------------------------------------------------------------- report.md

    String markdown(ObjectNode results) {
        StringBuilder md = new StringBuilder();
        md.append("# Threads or processes? Measured on this machine\n\n");
        md.append(runLine(results)).append("\n\n");
        md.append("Reproduce: `./").append(results.get("command").asText()).append("`\n\n");
        String banner = busyBanner();
        if (banner != null) {
            md.append("> **The machine was busy.** ").append(banner).append("\n\n");
        }
        md.append(summaryTable().markdown()).append('\n');
        if (comparison != null) {
            md.append("Compared with `")
                    .append(comparison.path("against").asText())
                    .append("`: ")
                    .append(Comparison.summary(comparison))
                    .append(" See [the comparison](#comparison).\n");
        }
        for (Section s : sections) {
            md.append("\n<a id=\"")
                    .append(s.id)
                    .append("\"></a>\n## ")
                    .append(s.title)
                    .append("\n\n");
            md.append("> **The note:** ")
                    .append(s.claim)
                    .append("\n>\n> ")
                    .append(s.claimOriginal)
                    .append("\n\n");
            md.append("**Method.** ").append(s.method).append("\n\n");
            md.append("**Verdict: ")
                    .append(s.outcome.label())
                    .append(".** ")
                    .append(s.verdict)
                    .append("\n\n");
            if (s.load != null) {
                md.append("*Load while measuring:* ").append(s.load.describe()).append(".\n\n");
            }
            for (Table t : s.tables) {
                md.append(t.markdown()).append('\n');
            }
            if (!s.notes.isEmpty()) {
                md.append("Notes:\n\n");
                s.notes.forEach(n -> md.append("- ").append(n).append("\n"));
                md.append("\n");
            }
            md.append("<details><summary>All ").append(s.metrics.size()).append(" metrics</summary>\n\n");
            md.append(metricsTable(s).markdown());
            md.append("\n</details>\n");
        }
        if (comparison != null) {
            md.append("\n<a id=\"comparison\"></a>\n## Compared with ")
                    .append(comparison.path("against").asText())
                    .append("\n\n")
                    .append(Comparison.summary(comparison))
                    .append("\n\n")
                    .append(comparisonTable().markdown());
        }
        return md.toString();
    }

    private Table summaryTable() {
        List<List<String>> rows = new ArrayList<>();
        for (Section s : sections) {
            rows.add(List.of(s.id, s.outcome.label(), s.headline));
        }
        return new Table("", List.of("experiment", "verdict", "headline"), rows);
    }

    static Table metricsTable(Section s) {
        List<List<String>> rows = new ArrayList<>();
        for (Metric m : s.metrics.values()) {
            Stats st = m.stats();
            rows.add(List.of(
                    m.label(),
                    Units.num(st.median(), m.unit()),
                    // in the median's unit (was: "247 ms | 247,099 - 247,099", the range in the metric's µs)
                    Units.range(st.q1(), st.q3(), m.unit()),
                    Units.range(st.min(), st.max(), m.unit()),
                    Integer.toString(st.n()),
                    m.noisy() ? "noise" : ""));
        }
        return new Table("", List.of("metric", "median", "IQR", "min - max", "n", ""), rows);
    }

    private Table comparisonTable() {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : comparison.path("rows")) {
            if (row.path("significant").asBoolean()) {
                rows.add(List.of(
                        row.path("section").asText(),
                        row.path("label").asText(),
                        Units.num(row.path("old").asDouble(), row.path("unit").asText()),
                        Units.num(row.path("new").asDouble(), row.path("unit").asText()),
                        row.path("ratio").isNumber()
                                ? Units.ratio(row.path("ratio").asDouble())
                                : ""));
            }
        }
        return new Table(
                "Metrics whose interquartile ranges do not overlap (neither noise nor measured on a busy machine)",
                List.of("section", "metric", "before", "now", "change"),
                rows);
    }

    private String runLine(ObjectNode r) {
        JsonNode m = r.get("machine");
        JsonNode j = r.get("jdk");
        return String.format(
                        Locale.ROOT,
                        "%s · %s, %d cores, %.1f GiB%s · JDK %s (%s) · Tandem %s · %s run, seed %d, %.0f s",
                        started.toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"),
                        m.path("cpuModel").asText("unknown CPU"),
                        m.path("cores").asInt(),
                        m.path("memoryBytes").asDouble() / (1L << 30),
                        m.path("virtualized").asBoolean() ? ", virtual machine" : "",
                        j.path("version").asText(),
                        j.path("vm").asText(),
                        r.path("tandemVersion").asText(),
                        options.quick() ? "quick" : "full",
                        options.seed(),
                        seconds)
                + (r.path("python").isNull()
                        ? ""
                        : " · Python " + r.path("python").path("version").asText()
                                + switch (r.path("python").path("gil").asText("")) {
                                    case "true" -> " (GIL on)";
                                    case "false" -> " (GIL off)";
                                    default -> "";
                                });
    }

    // ---------------------------------------------------------------- index.html

    String html(ObjectNode results) {
        Page page = new Page(
                "tandem lab: threads or processes, " + started.toString().substring(0, 10), "tandem lab");
        page.raw("<header class=\"run\"><h1>Threads or processes? Measured on this machine</h1>\n")
                .paragraph(runLine(results), "meta")
                .raw("<p class=\"meta\">Reproduce: <code>./"
                        + Page.esc(results.get("command").asText())
                        + "</code> · raw numbers: <a href=\"results.json\">results.json</a> · text: "
                        + "<a href=\"report.md\">report.md</a></p></header>\n");
        String banner = busyBanner();
        if (banner != null) {
            page.banner("The machine was busy.", banner);
        }
        StringBuilder glance =
                new StringBuilder("<section id=\"summary\"><div class=\"scroll\"><table><caption>At a glance</caption>"
                        + "<tr><th>experiment</th><th>verdict</th><th>what the numbers say</th></tr>\n");
        for (Section s : sections) {
            glance.append("<tr><td><a href=\"#")
                    .append(s.id)
                    .append("\">")
                    .append(Page.esc(s.id))
                    .append("</a></td><td>")
                    .append(Page.badge(s.outcome.label()))
                    .append("</td><td>")
                    .append(Page.esc(s.headline))
                    .append("</td></tr>\n");
        }
        page.raw(glance.append("</table></div></section>\n").toString());
        if (comparison != null) {
            page.raw("<p class=\"meta\">Compared with <code>"
                    + Page.esc(comparison.path("against").asText())
                    + "</code>: " + Page.esc(Comparison.summary(comparison))
                    + " <a href=\"#comparison\">The changes</a>.</p>\n");
        }
        StringBuilder toc = new StringBuilder("<nav class=\"toc\">");
        for (Section s : sections) {
            toc.append("<a href=\"#")
                    .append(s.id)
                    .append("\">")
                    .append(Page.esc(s.id))
                    .append("</a> ");
        }
        page.raw(toc.append("</nav>\n").toString());
        for (Section s : sections) {
            section(page, s);
        }
        if (comparison != null) {
            page.raw("<section id=\"comparison\">")
                    .heading(
                            2,
                            null,
                            "Compared with " + comparison.path("against").asText())
                    .paragraph(
                            "Earlier run: "
                                    + Units.when(
                                            comparison.path("againstStartedAt").asText()) + ", "
                                    + comparison.path("againstMachine").asText() + "; "
                                    + Comparison.experiments(comparison) + ". "
                                    + Comparison.summary(comparison),
                            "meta")
                    .table(comparisonTable())
                    .raw("</section>\n");
        }
        page.raw("<footer>Every number on this page was measured in this run; none is typed in. Medians over "
                + "repeats, with the interquartile range (IQR) as spread; a number whose IQR exceeds half its median "
                + "is noise, and a verdict uses it only where its whole IQR lies on one side of what it is compared "
                + "with. Charts: Apache ECharts " + Page.esc(Page.echartsVersion())
                + ", inlined.</footer>\n");
        return page.html();
    }

    private static void section(Page page, Section s) {
        page.raw("<section id=\"" + s.id + "\">\n").heading(2, null, s.title);
        page.raw("<blockquote class=\"claim\"><p><strong>The note:</strong> " + Page.esc(s.claim) + "</p>"
                + "<details class=\"orig\"><summary>the note's words</summary><p lang=\"zh\">"
                + Page.esc(s.claimOriginal) + "</p></details></blockquote>\n");
        page.raw("<div class=\"verdict v-" + s.outcome.label() + "\"><strong>Verdict</strong>"
                + Page.badge(s.outcome.label()) + " " + Page.esc(s.verdict) + "</div>\n");
        if (s.load != null) {
            page.paragraph("Load while measuring: " + s.load.describe() + ".", "meta");
        }
        if (s.chart != null) {
            page.chart(s.id, s.chart, s.chartCaption);
        }
        page.raw("<h3>Method</h3>").paragraph(s.method, null);
        s.tables.forEach(page::table);
        page.list(s.notes, "notes");
        page.raw("<details><summary>All " + s.metrics.size() + " metrics of this section</summary>")
                .table(metricsTable(s))
                .raw("</details>\n</section>\n");
    }
}
