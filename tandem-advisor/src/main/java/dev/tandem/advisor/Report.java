package dev.tandem.advisor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Json;
import dev.tandem.measure.Page;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code advise-report/}: {@code results.json} (the {@link Advice} as data), {@code report.md},
 * and {@code index.html}, written by the lab's page writer ({@link Page}) so that both reports look
 * alike: a load banner when the machine was busy, the recommended model in a box of its own and
 * marked in every table and chart, then how it was decided, the reasons, the trials and the probe.
 */
final class Report {
    /** 3: {@code sideBySide} lists every model (workers, figure, spread, status); the dueled pair is {@code dueled}. */
    static final String FORMAT = "tandem-advise/3";
    /** How every format this writer ever wrote begins: a directory whose results.json begins so is the advisor's. */
    static final String FORMAT_FAMILY = "tandem-advise/";
    /** The files a report is made of, all in one directory. */
    static final List<String> FILES = List.of("index.html", "report.md", "results.json");
    /** What a busy machine means for the questionnaire's measured costs. */
    static final String INTERVIEW_BUSY =
            "the costs below are inflated, and a verdict they cannot settle is marked" + " inconclusive";

    private static final String CHOSEN = "#1f8a4c";
    private static final String OTHER = "#5470c6";

    private Report() {}

    /**
     * {@return what a busy machine meant for this run, in the banner of the terminal and of the report: only
     * what happened in it (was: "close calls were measured again side by side" whether or not any was)}
     */
    static String runBusy(Advice a) {
        String more = !a.dueled().isEmpty()
                ? ", and " + String.join(" and ", a.dueled()) + " were measured again side by side"
                : a.verdict().inconclusive() ? ", and the verdict is inconclusive" : "";
        return "times are inflated" + more;
    }

    static void write(Advice advice, Path dir) {
        write(dir, json(advice), markdown(advice), html(advice));
    }

    /** Writes the report of a questionnaire: the verdict, the answers and the measured costs. */
    static void writeInterview(Interview.Answers answers, CostProbe.Costs costs, Advice.Verdict v, Path dir) {
        ObjectMapper mapper = Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT + "+interview");
        root.set("answers", mapper.valueToTree(answers));
        root.set("costs", mapper.valueToTree(costs));
        root.set("load", mapper.valueToTree(costs.load()));
        root.set("verdict", mapper.valueToTree(v));
        String json;
        try {
            json = mapper.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Table asked = answersTable(answers);
        Table measured = costsTable(costs);
        StringBuilder md = new StringBuilder("# tandem advise --interactive\n\n");
        bannerMarkdown(md, costs.busiest(), INTERVIEW_BUSY);
        verdictMarkdown(md, v);
        md.append("\n## Your answers\n\n").append(asked.markdown());
        md.append("\n## Measured on this machine\n\n").append(measured.markdown());
        Page page = new Page("tandem advise --interactive", "tandem advise");
        page.raw("<header class=\"run\"><h1>tandem advise --interactive</h1>")
                .paragraph(
                        "A task that is not written yet, described by your answers; its costs measured on this "
                                + "machine.",
                        "meta")
                .raw("</header>\n");
        banner(page, costs.busiest(), INTERVIEW_BUSY);
        verdictHtml(page, v);
        page.heading(2, null, "Your answers")
                .table(asked)
                .heading(2, null, "Measured on this machine")
                .table(measured);
        write(dir, json, md.toString(), page.html());
    }

    /** The busy-machine banner of a page, one for a measured run and for the questionnaire. */
    private static void banner(Page page, Advice.MachineLoad load, String consequence) {
        if (Rules.busy(load)) {
            page.banner("The machine was busy.", load.description() + "; " + consequence + ".");
        }
    }

    private static void bannerMarkdown(StringBuilder b, Advice.MachineLoad load, String consequence) {
        if (Rules.busy(load)) {
            b.append("> **The machine was busy.** ")
                    .append(load.description())
                    .append("; ")
                    .append(consequence)
                    .append(".\n\n");
        }
    }

    private static void write(Path dir, String json, String md, String html) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("results.json"), json, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.md"), md, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("index.html"), html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
    }

    static String json(Advice advice) {
        ObjectMapper mapper = Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.setAll((ObjectNode) mapper.valueToTree(advice));
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String machineLine(Advice a) {
        return a.machine().cores() + " cores, " + Units.bytes(a.machine().memoryBytes()) + ", JDK "
                + a.machine().jdk() + ", " + a.machine().os() + "; budget " + Units.nanos(a.budgetNanos());
    }

    // ---- Markdown ----------------------------------------------------------------------------

    static String markdown(Advice a) {
        StringBuilder b = new StringBuilder();
        b.append("# tandem advise: `").append(a.task()).append("`\n\n");
        b.append(machineLine(a)).append(".\n\n");
        bannerMarkdown(b, a.load(), runBusy(a));
        list(b, "Time", a.time());
        b.append('\n');
        verdictMarkdown(b, a.verdict());
        b.append("\n## Trials\n\n").append(Terminal.trials(a).markdown());
        Terminal.notRanked(a).forEach(x -> b.append("\n- ").append(Terminal.capitalised(x)));
        Terminal.artefacts(a).forEach(x -> b.append("\n- Artefact: ").append(x));
        b.append("\n\nThe recommended model is in bold. Latency is submit to result with as many callers as the pool"
                + " runs tasks at once; overhead is latency minus the time inside the task; spread is the IQR of the"
                + " tasks per second of five windows; CPU is user + system of the caller and all worker JVMs, per"
                + " task.\n");
        b.append("\n## Every model: workers, tasks/s, spread, status\n\n")
                .append(sideBySide(a).markdown());
        b.append("\n## Probe (the task alone, in a child JVM)\n\n")
                .append(probeLine(a.probe()))
                .append('\n');
        return b.toString();
    }

    private static void verdictMarkdown(StringBuilder b, Advice.Verdict v) {
        b.append("## Recommended: `")
                .append(v.label())
                .append("`\n\n**")
                .append(v.summary())
                .append("**\n\n");
        b.append("```java\n").append(v.code()).append("\n```\n");
        list(b, "How it was decided", v.decision());
        b.append('\n');
        for (Advice.Reason r : v.reasons()) {
            b.append("- **")
                    .append(r.angle().title())
                    .append(".** ")
                    .append(Terminal.capitalised(r.text()))
                    .append('\n');
        }
        list(b, "Your requirements", v.requirementEffects());
        list(b, "Warnings", v.warnings());
    }

    private static void list(StringBuilder b, String title, List<String> items) {
        if (!items.isEmpty()) {
            b.append("\n**").append(title).append(":**\n\n");
            items.forEach(i -> b.append("- ").append(Terminal.capitalised(i)).append('\n'));
        }
    }

    // ---- HTML --------------------------------------------------------------------------------

    static String html(Advice a) {
        Page page = new Page("tandem advise: " + a.task(), "tandem advise");
        page.raw("<header class=\"run\"><h1>tandem advise: <code>" + Page.esc(a.task()) + "</code></h1>")
                .paragraph(machineLine(a), "meta")
                .raw("<p class=\"meta\">raw numbers: <a href=\"results.json\">results.json</a> · text: "
                        + "<a href=\"report.md\">report.md</a></p></header>\n");
        banner(page, a.load(), runBusy(a));
        if (!a.time().isEmpty()) {
            page.paragraph("Time: " + a.time().getFirst() + ".", "meta");
            page.list(a.time().subList(1, a.time().size()), "notes");
        }
        verdictHtml(page, a.verdict());
        // a failed measurement is no figure in any chart, as in the table (was: a bar of 830/s for
        // "threads(2)+map failed ... gave no throughput", its 3 tasks before the first failure)
        List<Advice.Trial> ran = a.trials().stream()
                .filter(t -> t.ran() && t.completed() > 0 && TrialFailures.failedMeasurement(t) == null)
                .toList();
        List<String> leftOut = a.trials().stream()
                .filter(t -> t.ran() && TrialFailures.failedMeasurement(t) != null)
                .map(Advice.Trial::label)
                .toList();
        page.heading(2, "trials", "Trials").table(Terminal.trials(a));
        List<String> skipped = new ArrayList<>();
        Terminal.notRanked(a).forEach(x -> skipped.add(Terminal.capitalised(x)));
        Terminal.artefacts(a).forEach(x -> skipped.add("Artefact: " + x));
        page.list(skipped, "notes");
        page.paragraph(
                "The recommended model is marked. Latency is submit to result with as many callers as the pool runs "
                        + "tasks at once; overhead is latency minus the time inside the task; spread is the IQR of the tasks "
                        + "per second of five windows; CPU is user + system of the caller and all worker JVMs, per task.",
                "caption");
        if (!ran.isEmpty()) {
            charts(page, a, ran);
        }
        if (!leftOut.isEmpty()) {
            page.paragraph(
                    "Left out of the charts, failed: " + String.join(", ", leftOut) + " (they gave no figure).",
                    "caption");
        }
        page.heading(2, "models", "Every model: workers, tasks/s, spread, status")
                .table(sideBySide(a));
        page.heading(2, "probe", "Probe").paragraph(probeLine(a.probe()), null);
        page.raw("<footer>Every number on this page was measured in this run on this machine. Charts: Apache ECharts "
                + Page.esc(Page.echartsVersion()) + ", inlined.</footer>\n");
        return page.html();
    }

    /**
     * {@return every model of the run in one table, as {@code results.json}'s {@code sideBySide} lists them: its
     * workers, tasks per second, spread and status (a failed model has no figure)}
     */
    static Table sideBySide(Advice a) {
        List<List<String>> rows = new ArrayList<>();
        int marked = -1;
        for (int i = 0; i < a.sideBySide().size(); i++) {
            Advice.Standing s = a.sideBySide().get(i);
            if (s.measured() && Terminal.recommended(a.verdict(), a.trials().get(i))) {
                marked = rows.size();
            }
            rows.add(List.of(
                    s.label(),
                    s.workers(),
                    s.tasksPerSecond() < 0 ? "-" : Units.rate(s.tasksPerSecond()),
                    s.spread(),
                    Terminal.capitalised(s.status())));
        }
        return new Table("", List.of("model", "workers", "tasks/s", "spread", "status"), rows, marked);
    }

    private static void verdictHtml(Page page, Advice.Verdict v) {
        page.raw("<div class=\"recommended\"><p>" + Page.badge("recommended") + " <span class=\"model\">"
                + Page.esc(v.label()) + "</span></p><p>" + Page.esc(v.summary()) + "</p><pre>" + Page.esc(v.code())
                + "</pre></div>\n");
        if (!v.decision().isEmpty()) {
            page.heading(3, null, "How it was decided").list(capitalised(v.decision()), null);
        }
        page.heading(3, null, "Reasons");
        StringBuilder reasons = new StringBuilder("<ul>");
        for (Advice.Reason r : v.reasons()) {
            reasons.append("<li><strong>")
                    .append(Page.esc(r.angle().title()))
                    .append(".</strong> ")
                    .append(Page.esc(Terminal.capitalised(r.text())))
                    .append("</li>");
        }
        page.raw(reasons.append("</ul>\n").toString());
        if (!v.requirementEffects().isEmpty()) {
            page.heading(3, null, "Your requirements").list(capitalised(v.requirementEffects()), null);
        }
        if (!v.warnings().isEmpty()) {
            page.heading(3, null, "Warnings").list(capitalised(v.warnings()), "warn");
        }
    }

    private static List<String> capitalised(List<String> items) {
        return items.stream().map(Terminal::capitalised).toList();
    }

    private static void charts(Page page, Advice a, List<Advice.Trial> ran) {
        List<String> labels = ran.stream().map(Advice.Trial::label).toList();
        int height = 80 + 34 * ran.size();
        List<Double> rates = ran.stream().map(Advice.Trial::throughput).toList();
        ObjectNode throughput = horizontal("Throughput (tasks/s)", labels, "tasks per second", false);
        // an artefact's figure is no result: its bar is faded and labelled so, as the table shows "artefact" (an
        // artefact of 248/s was once drawn as the big green winning bar)
        List<Boolean> artefact = ran.stream().map(t -> Terminal.artefact(a, t)).toList();
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < ran.size(); i++) {
            shown.add(Units.rate(rates.get(i)) + (artefact.get(i) ? " (artefact)" : ""));
        }
        ObjectNode bars = Charts.labelledBars(throughput, "tasks/s", rates, shown, "right");
        for (int i = 0; i < ran.size(); i++) {
            ObjectNode style = ((ObjectNode) bars.path("data").get(i)).putObject("itemStyle");
            style.put("color", Terminal.recommended(a.verdict(), ran.get(i)) ? CHOSEN : OTHER);
            if (artefact.get(i)) {
                style.put("opacity", 0.3);
            }
        }
        Charts.obj(throughput, "grid").put("right", artefact.contains(true) ? 150 : 80);
        throughput.put("_height", height);
        page.chart(
                "throughput",
                throughput,
                "Green: the recommended model."
                        + (artefact.contains(true)
                                ? " Faded, \"(artefact)\": a speed-up above what the model can physically reach, an"
                                        + " artefact of the measurement, not a result (see the trials table)."
                                : ""));

        List<Advice.Trial> timed = ran.stream().filter(t -> t.p50Nanos() >= 0).toList();
        if (!timed.isEmpty()) {
            // the unit follows the figures: latencies below 1 ms were invisible on a log axis in ms
            List<Double> p50 = nanos(timed, Advice.Trial::p50Nanos);
            List<Double> p90 = nanos(timed, Advice.Trial::p90Nanos);
            List<Double> p99 = nanos(timed, Advice.Trial::p99Nanos);
            Charts.TimeScale lat = Charts.timeScale(concat(p50, p90, p99), true);
            ObjectNode latency = horizontal(
                    "Latency, submit to result (" + lat.unit() + ", log scale)",
                    timed.stream().map(Advice.Trial::label).toList(),
                    lat.unit(),
                    true);
            Charts.bars(latency, "p50", lat.of(p50));
            Charts.bars(latency, "p90", lat.of(p90));
            Charts.bars(latency, "p99", lat.of(p99));
            latency.put("_height", 80 + 54 * timed.size());
            page.chart("latency", latency, "Batched trials (map) have no per-task latency and are left out.");

            List<Double> task = nanos(timed, Advice.Trial::taskNanos);
            List<Double> overhead = nanos(timed, Advice.Trial::overheadNanos);
            List<Double> sums = new ArrayList<>();
            for (int i = 0; i < task.size(); i++) {
                sums.add(Math.max(0, task.get(i)) + Math.max(0, overhead.get(i)));
            }
            Charts.TimeScale per = Charts.timeScale(sums, false);
            ObjectNode time = horizontal(
                    "Time per task: the task itself and the overhead (" + per.unit() + ")",
                    timed.stream().map(Advice.Trial::label).toList(),
                    per.unit(),
                    false);
            Charts.bars(time, "task", per.of(task)).put("stack", "t");
            Charts.bars(time, "overhead: dispatch, serialization, IPC", per.of(overhead))
                    .put("stack", "t");
            time.put("_height", height);
            page.chart("time", time, "");
        }

        List<Double> callerCpu = perTask(ran, t -> t.callerCpuUserNanos() + t.callerCpuSystemNanos());
        List<Double> workerCpu = perTask(ran, t -> t.workerCpuUserNanos() + t.workerCpuSystemNanos());
        List<Double> cpuSums = new ArrayList<>();
        for (int i = 0; i < callerCpu.size(); i++) {
            cpuSums.add(positive(callerCpu.get(i)) + positive(workerCpu.get(i)));
        }
        Charts.TimeScale cpuUnit = Charts.timeScale(cpuSums, false);
        ObjectNode cpu = horizontal("CPU time per task (" + cpuUnit.unit() + ")", labels, cpuUnit.unit(), false);
        Charts.bars(cpu, "caller", cpuUnit.of(callerCpu)).put("stack", "c");
        Charts.bars(cpu, "workers", cpuUnit.of(workerCpu)).put("stack", "c");
        cpu.put("_height", height);
        page.chart("cpu", cpu, "User plus system time of the calling JVM and of all worker JVMs.");

        ObjectNode memory = horizontal("Resident memory (MiB)", labels, "MiB", false);
        Charts.bars(
                        memory,
                        "caller",
                        ran.stream().map(t -> mib(t.callerRssBytes())).toList())
                .put("stack", "m");
        Charts.bars(
                        memory,
                        "workers (sum)",
                        ran.stream()
                                .map(t -> mib(t.workerRssBytes().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()))
                                .toList())
                .put("stack", "m");
        memory.put("_height", height);
        page.chart("memory", memory, "The largest resident set of the caller and of each worker JVM, summed.");
    }

    private static ObjectNode horizontal(String title, List<String> labels, String unit, boolean log) {
        ObjectNode o = Charts.base(title);
        o.putObject("tooltip").put("trigger", "axis").put("confine", true);
        Charts.categoryAxis(o, "yAxis", labels).put("inverse", true);
        Charts.valueAxis(o, "xAxis", unit, log);
        Charts.obj(o, "grid").put("top", 8).put("right", 36);
        return o;
    }

    /** {@return a figure of each trial, in nanoseconds; negative when not measured} */
    private static List<Double> nanos(List<Advice.Trial> ts, ToDoubleFunction<Advice.Trial> nanos) {
        return ts.stream().map(t -> nanos.applyAsDouble(t)).toList();
    }

    /** {@return a CPU time per completed task, in nanoseconds; NaN when not measured} */
    private static List<Double> perTask(List<Advice.Trial> ts, ToDoubleFunction<Advice.Trial> nanos) {
        return ts.stream()
                .map(t -> t.completed() > 0 && nanos.applyAsDouble(t) >= 0
                        ? nanos.applyAsDouble(t) / t.completed()
                        : Double.NaN)
                .toList();
    }

    private static double positive(double v) {
        return Double.isNaN(v) || v < 0 ? 0 : v;
    }

    @SafeVarargs
    private static List<Double> concat(List<Double>... lists) {
        List<Double> all = new ArrayList<>();
        for (List<Double> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / 1048576.0;
    }

    private static String probeLine(Advice.Probe p) {
        return p.calls() + " calls, " + p.failures() + " failed, median " + Units.nanos(p.medianCallNanos()) + ", CPU "
                + Units.percent(Math.max(0, p.cpuShare())) + ", "
                + Terminal.perCall("allocates", p.allocatedBytesPerCall()) + ", "
                + Terminal.perCall("retains", p.retainedBytesPerCall()) + "; task "
                + Units.bytes(p.taskBytes())
                + ", result " + Units.bytes(p.resultBytes()) + " serialized"
                + (p.serializationError() != null ? " (" + p.serializationError() + ")" : "")
                + (p.jvmEnded() ? "; the JVM ended: " + p.endedHow() : "")
                + (p.nativeLibraries().isEmpty() ? "" : "; native libraries: " + String.join(", ", p.nativeLibraries()))
                + "; JVM start " + Units.nanos(p.jvmStartNanos()) + ".";
    }

    private static Table answersTable(Interview.Answers a) {
        return new Table(
                "",
                List.of("question", "answer"),
                List.of(
                        List.of("share of a task's time on the CPU", Units.percent(a.cpuShare())),
                        List.of("one task takes", Units.nanos(a.taskNanos())),
                        List.of("tasks in flight at once", Integer.toString(a.inFlight())),
                        List.of("data all tasks read", Units.bytes(a.sharedBytes())),
                        List.of("tasks update shared state", a.mutableShared() ? "yes" : "no"),
                        List.of("a task may crash or end the JVM", a.crashRisk() ? "yes" : "no"),
                        List.of("a task may leak or needs its own heap", a.leakRisk() ? "yes" : "no"),
                        List.of("untrusted or not thread-safe", a.untrustedOrUnsafe() ? "yes" : "no"),
                        List.of("latency limit", a.maxLatencyNanos() > 0 ? Units.nanos(a.maxLatencyNanos()) : "none")));
    }

    private static Table costsTable(CostProbe.Costs c) {
        if (!c.figures().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (CostProbe.Figure f : c.figures()) {
                rows.add(List.of(
                        f.what(),
                        Units.nanos(Math.round(f.median())),
                        f.samples().size() < 2
                                ? (f.samples().isEmpty() ? "-" : "one sample")
                                : Units.nanos(Math.round(f.q1())) + " to " + Units.nanos(Math.round(f.q3()))
                                        + (f.noise() ? " (noise)" : ""),
                        f.load() == null ? "-" : f.load().description()));
            }
            rows.add(List.of("an idle worker JVM, resident", Units.bytes(c.workerRssBytes()), "-", "-"));
            return new Table("", List.of("what", "median", "spread (IQR)", "load while measuring"), rows);
        }
        return new Table(
                "",
                List.of("what", "measured"),
                List.of(
                        List.of("start and join a platform thread", Units.nanos(c.threadStartNanos())),
                        List.of("start and join a virtual thread", Units.nanos(c.virtualStartNanos())),
                        List.of("start a worker JVM", Units.nanos(c.processStartNanos())),
                        List.of("an idle worker JVM, resident", Units.bytes(c.workerRssBytes())),
                        List.of("round trip of an empty task, threads(1)", Units.nanos(c.threadRoundTripNanos())),
                        List.of("round trip, virtual threads", Units.nanos(c.virtualRoundTripNanos())),
                        List.of("round trip, processes(1)", Units.nanos(c.processRoundTripNanos())),
                        List.of("serialize and read back 1 MiB", Units.nanos(c.copyNanosPerMiB())),
                        List.of("attach 1 MiB of a SharedByteArray", Units.nanos(c.sharedNanosPerMiB()))));
    }
}
