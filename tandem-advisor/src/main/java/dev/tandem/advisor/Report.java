package dev.tandem.advisor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Writes {@code advise-report/}: {@code results.json} (the {@link Advice} as data),
 * {@code report.md}, and {@code index.html}, a single file with the charting library (ECharts, from
 * its webjar on the class path) and the data inlined, so it opens offline.
 */
final class Report {
    static final String FORMAT = "tandem-advise/1";

    private static final String CHARTS = String.join(
            "\n",
            "const ran = advice.trials.filter(t => t.skipped === null && t.completed > 0);",
            "const labels = ran.map(t => t.label);",
            "const ms = ns => ns < 0 ? null : +(ns / 1e6).toFixed(4);",
            "const mib = b => b < 0 ? null : +(b / 1048576).toFixed(1);",
            "function chart(id, title, yName, series, extra) {",
            "  const c = echarts.init(document.getElementById(id));",
            "  c.setOption(Object.assign({animation: false, title: {text: title}, tooltip: {trigger: 'axis'}, legend: {top: 25},",
            "    grid: {top: 70, bottom: 60}, xAxis: {type: 'category', data: labels, axisLabel: {rotate: 20}},",
            "    yAxis: {type: 'value', name: yName}, series: series}, extra || {}));",
            "}",
            "chart('throughput', 'Throughput', 'tasks/s', [{name: 'tasks/s', type: 'bar',",
            "  data: ran.map(t => +t.throughput.toFixed(1)), label: {show: true, position: 'top'}}]);",
            "chart('latency', 'Latency, submit to result (log scale)', 'ms', ['p50Nanos', 'p90Nanos', 'p99Nanos'].map(k =>",
            "  ({name: k.replace('Nanos', ''), type: 'bar', data: ran.map(t => ms(t[k]))})),",
            "  {yAxis: {type: 'log', name: 'ms'}});",
            "chart('time', 'Time per task: the task itself vs overhead (dispatch, serialization, IPC)', 'ms', [",
            "  {name: 'task', type: 'bar', stack: 't', data: ran.map(t => ms(t.taskNanos))},",
            "  {name: 'overhead', type: 'bar', stack: 't', data: ran.map(t => ms(t.overheadNanos))}]);",
            "const per = (t, v) => t.completed > 0 && v >= 0 ? +(v / t.completed / 1e6).toFixed(4) : null;",
            "chart('cpu', 'CPU time per task', 'ms', [",
            "  ['caller user', 'callerCpuUserNanos'], ['caller system', 'callerCpuSystemNanos'],",
            "  ['workers user', 'workerCpuUserNanos'], ['workers system', 'workerCpuSystemNanos']].map(([n, k]) =>",
            "  ({name: n, type: 'bar', stack: 'c', data: ran.map(t => per(t, t[k]))})));",
            "chart('memory', 'Resident memory: caller and each worker JVM', 'MiB', [",
            "  {name: 'caller', type: 'bar', stack: 'm', data: ran.map(t => mib(t.callerRssBytes))},",
            "  {name: 'workers (sum)', type: 'bar', stack: 'm', data: ran.map(t => mib(t.workerRssBytes.reduce((a, b) => a + b, 0)))}]);",
            "");

    private Report() {}

    static void write(Advice advice, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("results.json"), json(advice), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.md"), markdown(advice), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("index.html"), html(advice), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
    }

    static String json(Advice advice) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.setAll((ObjectNode) mapper.valueToTree(advice));
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Markdown ----------------------------------------------------------------------------

    static String markdown(Advice a) {
        StringBuilder b = new StringBuilder();
        Advice.Verdict v = a.verdict();
        b.append("# tandem advise: `").append(a.task()).append("`\n\n");
        b.append("Machine: ")
                .append(a.machine().cores())
                .append(" cores, ")
                .append(Units.bytes(a.machine().memoryBytes()))
                .append(", JDK ")
                .append(a.machine().jdk())
                .append(", ")
                .append(a.machine().os())
                .append(". Budget ")
                .append(Units.nanos(a.budgetNanos()))
                .append(".\n\n");
        b.append("## Verdict\n\n**").append(v.summary()).append("**\n\n");
        for (Advice.Reason r : v.reasons()) {
            b.append("- **")
                    .append(r.angle().title())
                    .append(".** ")
                    .append(r.text())
                    .append('\n');
        }
        list(b, "Your requirements", v.requirementEffects());
        list(b, "Warnings", v.warnings());
        b.append("\n```java\n").append(v.code()).append("\n```\n\n");
        Advice.Probe p = a.probe();
        b.append("## Probe (the task alone, in a child JVM)\n\n")
                .append(
                        "| calls | failed | median call | CPU share | allocated/call | heap growth/call | task bytes | result bytes | JVM ended |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
                .append("| ")
                .append(p.calls())
                .append(" | ")
                .append(p.failures())
                .append(" | ")
                .append(Units.nanos(p.medianCallNanos()))
                .append(" | ")
                .append(Units.percent(Math.max(0, p.cpuShare())))
                .append(" | ")
                .append(Units.bytes(p.allocatedBytesPerCall()))
                .append(" | ")
                .append(Units.bytes(p.retainedBytesPerCall()))
                .append(" | ")
                .append(Units.bytes(p.taskBytes()))
                .append(" | ")
                .append(Units.bytes(p.resultBytes()))
                .append(" | ")
                .append(p.jvmEnded() ? p.endedHow() : "no")
                .append(" |\n\n");
        b.append(
                        "## Trials\n\n| model | tasks/s | p50 | p90 | p99 | task | overhead | CPU/task | caller RSS | worker RSS | start | failed |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Advice.Trial t : a.trials()) {
            if (!t.ran()) {
                b.append("| ")
                        .append(t.label())
                        .append(" | skipped: ")
                        .append(t.skipped().replace("|", "/"))
                        .append(" |||||||||||\n");
                continue;
            }
            b.append("| ")
                    .append(t.label())
                    .append(" | ")
                    .append(Units.rate(t.throughput()))
                    .append(" | ")
                    .append(Units.nanos(t.p50Nanos()))
                    .append(" | ")
                    .append(Units.nanos(t.p90Nanos()))
                    .append(" | ")
                    .append(Units.nanos(t.p99Nanos()))
                    .append(" | ")
                    .append(Units.nanos(t.taskNanos()))
                    .append(" | ")
                    .append(Units.nanos(t.overheadNanos()))
                    .append(" | ")
                    .append(Units.nanos(t.cpuPerTaskNanos()))
                    .append(" | ")
                    .append(Units.bytes(t.callerRssBytes()))
                    .append(" | ")
                    .append(
                            t.workerRssBytes().isEmpty()
                                    ? "-"
                                    : t.workerRssBytes().size() + " × " + Units.bytes(t.meanWorkerRssBytes()))
                    .append(" | ")
                    .append(t.poolStartNanos() > 0 ? Units.nanos(t.poolStartNanos()) : "-")
                    .append(" | ")
                    .append(t.failed())
                    .append(t.failureKinds().isEmpty() ? "" : " " + t.failureKinds())
                    .append(" |\n");
        }
        b.append(
                "\nLatency is submit to result with as many callers as the pool runs tasks at once; overhead is latency "
                        + "minus the time inside the task; CPU is user + system of the caller and all worker JVMs, per task.\n");
        return b.toString();
    }

    private static void list(StringBuilder b, String title, List<String> items) {
        if (!items.isEmpty()) {
            b.append("\n**").append(title).append(":**\n\n");
            items.forEach(i -> b.append("- ").append(i).append('\n'));
        }
    }

    // ---- HTML --------------------------------------------------------------------------------

    static String html(Advice a) {
        Advice.Verdict v = a.verdict();
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tandem advise: ")
                .append(esc(a.task()))
                .append("</title>\n<style>\n")
                .append(
                        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append(
                        "table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\n")
                .append(
                        "td:first-child,th:first-child{text-align:left}.verdict{background:#eef6ee;border-left:5px solid #3a3;padding:.6em 1em}\n")
                .append(".chart{width:100%;height:340px;margin:1em 0}pre{background:#f4f4f4;padding:.8em}\n")
                .append("dt{font-weight:bold;margin-top:.6em}.warn{color:#a40}\n</style>\n");
        String echarts = echarts();
        if (echarts != null) {
            b.append("<script>")
                    .append(echarts.replace("</script", "<\\/script"))
                    .append("</script>\n");
        }
        b.append("</head><body>\n<h1>tandem advise</h1>\n<p><code>")
                .append(esc(a.task()))
                .append("</code> on ")
                .append(a.machine().cores())
                .append(" cores, ")
                .append(esc(Units.bytes(a.machine().memoryBytes())))
                .append(", JDK ")
                .append(esc(a.machine().jdk()))
                .append("; budget ")
                .append(esc(Units.nanos(a.budgetNanos())))
                .append(".</p>\n<div class=\"verdict\"><p><b>")
                .append(esc(v.summary()))
                .append("</b></p></div>\n<dl>\n");
        for (Advice.Reason r : v.reasons()) {
            b.append("<dt>")
                    .append(esc(r.angle().title()))
                    .append("</dt><dd>")
                    .append(esc(r.text()))
                    .append("</dd>\n");
        }
        b.append("</dl>\n");
        htmlList(b, "Your requirements", v.requirementEffects(), "");
        htmlList(b, "Warnings", v.warnings(), "warn");
        b.append("<pre>").append(esc(v.code())).append("</pre>\n");
        if (echarts != null) {
            for (String id : List.of("throughput", "latency", "time", "cpu", "memory")) {
                b.append("<div id=\"").append(id).append("\" class=\"chart\"></div>\n");
            }
        } else {
            b.append("<p class=\"warn\">Charts unavailable: ECharts was not on the class path.</p>\n");
        }
        b.append("<h2>Trials</h2>\n").append(markdownTableAsHtml(a));
        b.append("<h2>Probe</h2>\n<p>").append(esc(probeLine(a.probe()))).append("</p>\n");
        b.append("<script>\nconst advice = ")
                .append(json(a).replace("</", "<\\/"))
                .append(";\n")
                .append(CHARTS)
                .append("</script>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    private static String probeLine(Advice.Probe p) {
        return p.calls() + " calls, " + p.failures() + " failed, median " + Units.nanos(p.medianCallNanos()) + ", CPU "
                + Units.percent(Math.max(0, p.cpuShare())) + ", allocates " + Units.bytes(p.allocatedBytesPerCall())
                + " and retains " + Units.bytes(p.retainedBytesPerCall()) + " per call; task "
                + Units.bytes(p.taskBytes())
                + ", result " + Units.bytes(p.resultBytes()) + " serialized"
                + (p.serializationError() != null ? " (" + p.serializationError() + ")" : "")
                + (p.jvmEnded() ? "; the JVM ended: " + p.endedHow() : "")
                + (p.nativeLibraries().isEmpty() ? "" : "; native libraries: " + String.join(", ", p.nativeLibraries()))
                + "; JVM start " + Units.nanos(p.jvmStartNanos()) + ".";
    }

    private static String markdownTableAsHtml(Advice a) {
        StringBuilder b = new StringBuilder("<table><tr>");
        for (String h : List.of(
                "model",
                "tasks/s",
                "p50",
                "p99",
                "task",
                "overhead",
                "CPU/task",
                "caller RSS",
                "worker RSS",
                "pool start",
                "failed")) {
            b.append("<th>").append(h).append("</th>");
        }
        b.append("</tr>\n");
        for (Advice.Trial t : a.trials()) {
            b.append("<tr><td>").append(esc(t.label())).append("</td>");
            if (!t.ran()) {
                b.append("<td colspan=\"10\" style=\"text-align:left\">skipped: ")
                        .append(esc(t.skipped()))
                        .append("</td></tr>\n");
                continue;
            }
            for (String cell : List.of(
                    Units.rate(t.throughput()),
                    Units.nanos(t.p50Nanos()),
                    Units.nanos(t.p99Nanos()),
                    Units.nanos(t.taskNanos()),
                    Units.nanos(t.overheadNanos()),
                    Units.nanos(t.cpuPerTaskNanos()),
                    Units.bytes(t.callerRssBytes()),
                    t.workerRssBytes().isEmpty()
                            ? "-"
                            : t.workerRssBytes().size() + " × " + Units.bytes(t.meanWorkerRssBytes()),
                    t.poolStartNanos() > 0 ? Units.nanos(t.poolStartNanos()) : "-",
                    t.failed() + (t.failureKinds().isEmpty() ? "" : " " + t.failureKinds()))) {
                b.append("<td>").append(esc(cell)).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static void htmlList(StringBuilder b, String title, List<String> items, String cls) {
        if (items.isEmpty()) {
            return;
        }
        b.append("<h3>")
                .append(esc(title))
                .append("</h3><ul class=\"")
                .append(cls)
                .append("\">");
        items.forEach(i -> b.append("<li>").append(esc(i)).append("</li>"));
        b.append("</ul>\n");
    }

    static String esc(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;");
    }

    /** {@return the inlined charting library, or null if its webjar is not on the class path} */
    static String echarts() {
        Properties props = new Properties();
        try (InputStream in = Report.class.getResourceAsStream("report.properties")) {
            if (in == null) {
                return null;
            }
            props.load(in);
        } catch (IOException e) {
            return null;
        }
        String path = "META-INF/resources/webjars/echarts/"
                + props.getProperty("echarts.version", "").strip() + "/dist/echarts.min.js";
        ClassLoader loader = Report.class.getClassLoader();
        try (InputStream in =
                loader == null ? ClassLoader.getSystemResourceAsStream(path) : loader.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
