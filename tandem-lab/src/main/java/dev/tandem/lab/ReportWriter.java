package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's three outputs into the report directory:
 * <ul>
 *   <li>{@code results.json}: every raw sample with its statistics, the machine, JDK, Python, Tandem
 *       version, options and seed (schema: {@code results.schema.json} beside this class);</li>
 *   <li>{@code report.md}: the same as text;</li>
 *   <li>{@code index.html}: self-contained, one Apache ECharts chart per section with the library
 *       inlined from its webjar, readable offline and on a phone. Each chart element gets
 *       {@code data-rendered="true"} once drawn, which the render test checks.</li>
 * </ul>
 * One writer per run; not thread-safe.
 */
final class ReportWriter {
    static final String ECHARTS = "META-INF/resources/webjars/echarts/%s/dist/echarts.min.js";

    private final LabOptions options;
    private final Instant started;
    private final double seconds;
    private final List<Section> sections;
    private final JsonNode comparison;

    ReportWriter(LabOptions options, Instant started, double seconds, List<Section> sections, JsonNode comparison) {
        this.options = options;
        this.started = started;
        this.seconds = seconds;
        this.sections = sections;
        this.comparison = comparison;
    }

    /** Writes the three files; returns the directory. */
    Path write() throws IOException {
        Path dir = Files.createDirectories(options.out());
        ObjectNode results = results();
        Charts.JSON
                .writer()
                .with(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("results.json").toFile(), results);
        Files.writeString(dir.resolve("report.md"), markdown(results), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("index.html"), html(results), StandardCharsets.UTF_8);
        return dir;
    }

    // ---------------------------------------------------------------- results.json

    ObjectNode results() {
        ObjectNode r = Charts.JSON.createObjectNode();
        r.put("schema", "tandem-lab-results/1");
        r.put("tandemVersion", MachineInfo.tandemVersion());
        r.set("tandem", MachineInfo.tandem());
        r.put("startedAt", started.toString());
        r.put("durationSeconds", Charts.round(seconds));
        r.put("command", "tandem lab" + commandLine());
        r.set("machine", MachineInfo.machine());
        r.set("jdk", MachineInfo.jdk());
        String python = MachineInfo.python();
        if (python == null) {
            r.putNull("python");
        } else {
            r.putObject("python").put("version", python);
        }
        ObjectNode o = r.putObject("options");
        ArrayNode ex = o.putArray("experiments");
        options.experiments().forEach(ex::add);
        o.put("quick", options.quick());
        o.put("seed", options.seed());
        o.put("repeats", options.repeats());
        o.put("out", options.out().toString());
        if (options.compare() == null) {
            o.putNull("compare");
        } else {
            o.put("compare", options.compare().toString());
        }
        ArrayNode ss = r.putArray("sections");
        for (Section s : sections) {
            ObjectNode j = ss.addObject();
            j.put("id", s.id);
            j.put("title", s.title);
            j.put("claim", s.claim);
            j.put("claimOriginal", s.claimOriginal);
            j.put("method", s.method);
            j.put("outcome", s.outcome.label());
            j.put("verdict", s.verdict);
            j.put("headline", s.headline);
            j.put("seconds", Charts.round(s.seconds));
            number(j, "loadAverage", s.loadAverage);
            ArrayNode notes = j.putArray("notes");
            s.notes.forEach(notes::add);
            ArrayNode metrics = j.putArray("metrics");
            for (Metric m : s.metrics.values()) {
                ObjectNode mj = metrics.addObject();
                mj.put("key", m.key());
                mj.put("label", m.label());
                mj.put("unit", m.unit());
                ArrayNode samples = mj.putArray("samples");
                m.samples().forEach(v -> number(samples, v));
                ObjectNode params = mj.putObject("params");
                m.params().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .forEach(e -> params.set(e.getKey(), Charts.JSON.valueToTree(e.getValue())));
                Stats st = m.stats();
                ObjectNode sj = mj.putObject("stats");
                sj.put("n", st.n());
                number(sj, "median", st.median());
                number(sj, "q1", st.q1());
                number(sj, "q3", st.q3());
                number(sj, "min", st.min());
                number(sj, "max", st.max());
                number(sj, "mean", st.mean());
                number(sj, "relativeSpread", st.n() == 0 ? Double.NaN : st.relativeSpread());
            }
            ArrayNode tables = j.putArray("tables");
            for (Table t : s.tables) {
                tables.add(Charts.JSON.valueToTree(t));
            }
            if (s.chart == null) {
                j.putNull("chart");
            } else {
                j.set("chart", s.chart);
            }
            j.put("chartCaption", s.chartCaption);
        }
        if (comparison == null) {
            r.putNull("comparison");
        } else {
            r.set("comparison", comparison);
        }
        return r;
    }

    private String commandLine() {
        StringBuilder b = new StringBuilder();
        if (options.experiments().size() < Lab.ORDER.size()) {
            b.append(' ').append(String.join(" ", options.experiments()));
        }
        if (options.quick()) {
            b.append(" --quick");
        }
        b.append(" --seed ").append(options.seed());
        return b.toString();
    }

    private static void number(ArrayNode a, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            a.addNull();
        } else {
            a.add(v);
        }
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    // ---------------------------------------------------------------- report.md

    String markdown(ObjectNode results) {
        StringBuilder md = new StringBuilder();
        md.append("# Threads or processes? Measured on this machine\n\n");
        md.append(runLine(results)).append("\n\n");
        md.append("Reproduce: `./").append(results.get("command").asText()).append("`\n\n");
        md.append("| experiment | verdict | headline |\n|---|---|---|\n");
        for (Section s : sections) {
            md.append("| [")
                    .append(s.id)
                    .append("](#")
                    .append(s.id)
                    .append(") | ")
                    .append(s.outcome.label())
                    .append(" | ")
                    .append(mdCell(s.headline))
                    .append(" |\n");
        }
        if (comparison != null) {
            md.append("\n## Compared with ")
                    .append(comparison.path("against").asText())
                    .append("\n\n");
            md.append("| section | metric | before | now | change |\n|---|---|---|---|---|\n");
            for (JsonNode row : comparison.path("rows")) {
                if (row.path("significant").asBoolean()) {
                    md.append("| ")
                            .append(row.path("section").asText())
                            .append(" | ")
                            .append(mdCell(row.path("label").asText()))
                            .append(" | ")
                            .append(Fmt.num(
                                    row.path("old").asDouble(), row.path("unit").asText()))
                            .append(" | ")
                            .append(Fmt.num(
                                    row.path("new").asDouble(), row.path("unit").asText()))
                            .append(" | ")
                            .append(
                                    row.path("ratio").isNumber()
                                            ? Fmt.ratio(row.path("ratio").asDouble())
                                            : "")
                            .append(" |\n");
                }
            }
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
            for (Table t : s.tables) {
                md.append("*").append(t.title()).append("*\n\n");
                md.append("| ")
                        .append(String.join(
                                " | ",
                                t.columns().stream().map(ReportWriter::mdCell).toList()))
                        .append(" |\n");
                md.append("|").append("---|".repeat(t.columns().size())).append("\n");
                for (List<String> row : t.rows()) {
                    md.append("| ")
                            .append(String.join(
                                    " | ",
                                    row.stream().map(ReportWriter::mdCell).toList()))
                            .append(" |\n");
                }
                md.append("\n");
            }
            if (!s.notes.isEmpty()) {
                md.append("Notes:\n\n");
                s.notes.forEach(n -> md.append("- ").append(n).append("\n"));
                md.append("\n");
            }
            md.append("<details><summary>All ").append(s.metrics.size()).append(" metrics</summary>\n\n");
            md.append("| metric | median | IQR | min - max | n |\n|---|---|---|---|---|\n");
            for (Metric m : s.metrics.values()) {
                Stats st = m.stats();
                md.append("| ")
                        .append(mdCell(m.label()))
                        .append(" | ")
                        .append(Fmt.num(st.median(), m.unit()))
                        .append(" | ")
                        .append(Fmt.num(st.q1()))
                        .append(" - ")
                        .append(Fmt.num(st.q3()))
                        .append(" | ")
                        .append(Fmt.num(st.min()))
                        .append(" - ")
                        .append(Fmt.num(st.max()))
                        .append(" | ")
                        .append(st.n())
                        .append(" |\n");
            }
            md.append("\n</details>\n");
        }
        return md.toString();
    }

    private String runLine(ObjectNode r) {
        JsonNode m = r.get("machine");
        JsonNode j = r.get("jdk");
        return String.format(
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
                        : " · Python " + r.path("python").path("version").asText());
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    // ---------------------------------------------------------------- index.html

    String html(ObjectNode results) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<header class=\"run\"><h1>Threads or processes? Measured on this machine</h1>\n");
        b.append("<p class=\"meta\">").append(esc(runLine(results))).append("</p>\n");
        b.append("<p class=\"meta\">Reproduce: <code>./")
                .append(esc(results.get("command").asText()))
                .append(
                        "</code> · raw numbers: <a href=\"results.json\">results.json</a> · text: <a href=\"report.md\">"
                                + "report.md</a></p></header>\n");
        b.append("<section id=\"summary\"><div class=\"scroll\"><table><caption>At a glance</caption>")
                .append("<tr><th>experiment</th><th>verdict</th><th>what the numbers say</th></tr>\n");
        for (Section s : sections) {
            b.append("<tr><td><a href=\"#")
                    .append(s.id)
                    .append("\">")
                    .append(esc(s.id))
                    .append("</a></td><td>")
                    .append(badge(s.outcome))
                    .append("</td><td>")
                    .append(esc(s.headline))
                    .append("</td></tr>\n");
        }
        b.append("</table></div></section>\n");
        if (comparison != null) {
            b.append("<section id=\"comparison\"><h2>Compared with ")
                    .append(esc(comparison.path("against").asText()))
                    .append("</h2><p class=\"meta\">Earlier run: ")
                    .append(esc(comparison.path("againstStartedAt").asText()))
                    .append(", ")
                    .append(esc(comparison.path("againstMachine").asText()))
                    .append(". Shown: metrics whose interquartile ranges do not overlap.</p>")
                    .append(
                            "<div class=\"scroll\"><table><tr><th>section</th><th>metric</th><th>before</th><th>now</th>")
                    .append("<th>change</th></tr>\n");
            int shown = 0;
            for (JsonNode row : comparison.path("rows")) {
                if (row.path("significant").asBoolean()) {
                    shown++;
                    b.append("<tr><td>")
                            .append(esc(row.path("section").asText()))
                            .append("</td><td>")
                            .append(esc(row.path("label").asText()))
                            .append("</td><td class=\"num\">")
                            .append(esc(Fmt.num(
                                    row.path("old").asDouble(), row.path("unit").asText())))
                            .append("</td><td class=\"num\">")
                            .append(esc(Fmt.num(
                                    row.path("new").asDouble(), row.path("unit").asText())))
                            .append("</td><td class=\"num\">")
                            .append(
                                    row.path("ratio").isNumber()
                                            ? esc(Fmt.ratio(row.path("ratio").asDouble()))
                                            : "")
                            .append("</td></tr>\n");
                }
            }
            b.append("</table></div><p class=\"meta\">")
                    .append(shown)
                    .append(" of ")
                    .append(comparison.path("rows").size())
                    .append(" metrics changed.</p></section>\n");
        }
        b.append("<nav class=\"toc\">");
        for (Section s : sections) {
            b.append("<a href=\"#").append(s.id).append("\">").append(esc(s.id)).append("</a> ");
        }
        b.append("</nav>\n");
        ArrayNode charts = Charts.JSON.createArrayNode();
        for (Section s : sections) {
            b.append("<section id=\"")
                    .append(s.id)
                    .append("\">\n<h2>")
                    .append(esc(s.title))
                    .append("</h2>\n");
            b.append("<blockquote class=\"claim\"><p><strong>The note:</strong> ")
                    .append(esc(s.claim))
                    .append("</p>")
                    .append("<details class=\"orig\"><summary>the note's words</summary><p lang=\"zh\">")
                    .append(esc(s.claimOriginal))
                    .append("</p></details></blockquote>\n");
            b.append("<div class=\"verdict v-")
                    .append(s.outcome.label())
                    .append("\"><strong>Verdict</strong>")
                    .append(badge(s.outcome))
                    .append(" ")
                    .append(esc(s.verdict))
                    .append("</div>\n");
            if (s.chart != null) {
                b.append("<div class=\"chart\" id=\"chart-")
                        .append(s.id)
                        .append("\" role=\"img\" aria-label=\"")
                        .append(esc(chartTitle(s)))
                        .append("\"></div>\n");
                b.append("<p class=\"caption\">").append(esc(s.chartCaption)).append("</p>\n");
                charts.addObject().put("id", s.id).set("option", s.chart.deepCopy());
            }
            b.append("<h3>Method</h3><p>").append(esc(s.method)).append("</p>\n");
            for (Table t : s.tables) {
                b.append("<div class=\"scroll\"><table><caption>")
                        .append(esc(t.title()))
                        .append("</caption><tr>");
                t.columns().forEach(c -> b.append("<th>").append(esc(c)).append("</th>"));
                b.append("</tr>\n");
                for (List<String> row : t.rows()) {
                    b.append("<tr>");
                    row.forEach(c -> b.append("<td>").append(esc(c)).append("</td>"));
                    b.append("</tr>\n");
                }
                b.append("</table></div>\n");
            }
            if (!s.notes.isEmpty()) {
                b.append("<ul class=\"notes\">");
                s.notes.forEach(n -> b.append("<li>").append(esc(n)).append("</li>"));
                b.append("</ul>\n");
            }
            b.append("<details><summary>All ")
                    .append(s.metrics.size())
                    .append(" metrics of this section</summary>")
                    .append(
                            "<div class=\"scroll\"><table><tr><th>metric</th><th>median</th><th>IQR</th><th>min - max</th>")
                    .append("<th>n</th></tr>\n");
            for (Metric m : s.metrics.values()) {
                Stats st = m.stats();
                b.append("<tr><td>")
                        .append(esc(m.label()))
                        .append("</td><td class=\"num\">")
                        .append(esc(Fmt.num(st.median(), m.unit())))
                        .append("</td><td class=\"num\">")
                        .append(esc(Fmt.num(st.q1()) + " - " + Fmt.num(st.q3())))
                        .append("</td><td class=\"num\">")
                        .append(esc(Fmt.num(st.min()) + " - " + Fmt.num(st.max())))
                        .append("</td><td class=\"num\">")
                        .append(st.n())
                        .append("</td></tr>\n");
            }
            b.append("</table></div></details>\n</section>\n");
        }
        b.append("<footer>Every number on this page was measured in this run; none is typed in. Medians over repeats, "
                        + "with the interquartile range (IQR) as spread. Charts: Apache ECharts ")
                .append(esc(echartsVersion()))
                .append(", inlined.</footer>\n");

        String template = resource("report.html");
        return template.replace(
                        "{{TITLE}}",
                        esc("tandem lab: threads or processes, "
                                + started.toString().substring(0, 10)))
                .replace("{{CHARTS}}", scriptSafe(Charts.JSON.writeValueAsString(charts)))
                .replace("{{ECHARTS}}", scriptSafe(echarts()))
                .replace("{{BODY}}", b.toString());
    }

    private static String chartTitle(Section s) {
        JsonNode t = s.chart.path("title");
        if (t.isArray()) {
            t = t.path(0);
        }
        return t.path("text").asText(s.title);
    }

    private static String badge(Outcome o) {
        return "<span class=\"badge o-" + o.label() + "\">" + o.label() + "</span>";
    }

    static String echartsVersion() {
        return MachineInfo.versions().getProperty("echarts.version", "5.3.1");
    }

    /** {@return the ECharts library, read from the webjar on the class path} */
    static String echarts() throws IOException {
        String path = String.format(ECHARTS, echartsVersion());
        ClassLoader cl = ReportWriter.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("the charting library " + path + " is not on the class path (webjar "
                        + "org.webjars.npm:echarts:" + echartsVersion() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReportWriter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Keeps text inside a script element from closing it early: only {@code </script} and {@code <!--}
     * matter to the HTML parser, and their escaped forms mean the same inside JS strings and regexes.
     */
    static String scriptSafe(String js) {
        return js.replaceAll("(?i)</script", "<\\\\/script").replace("<!--", "<\\!--");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
