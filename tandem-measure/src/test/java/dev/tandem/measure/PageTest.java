package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page writer and its own check, in headless Chromium: a chart laid out with {@link Charts}
 * keeps its labels inside and apart at desktop and phone width, while charts built to clip a label
 * or to pile labels on each other are caught, so that the reports' render tests can fail.
 */
class PageTest {
    private static ObjectNode tidy() {
        ObjectNode o = Charts.base("Round trip by pool (µs)");
        List<String> pools = List.of("Tandem.threads(1)", "Tandem.processes(1), Unix socket", "shared memory");
        Charts.categoryAxis(o, "yAxis", pools).put("inverse", true);
        Charts.valueAxis(o, "xAxis", "µs per round trip", true);
        List<Double> values = List.of(0.9, 17.8, 76_640.0);
        Charts.labelledBars(
                o, "round trip", values, values.stream().map(Units::ratio).toList(), "right");
        Charts.obj(o, "grid").put("right", 72);
        return o;
    }

    private static ObjectNode clipped() {
        ObjectNode o = Charts.base("A label pushed out of its chart");
        Charts.categoryAxis(o, "yAxis", List.of("only"));
        Charts.valueAxis(o, "xAxis", "", false).put("max", 100);
        Charts.labelledBars(
                o, "full", List.of(100.0), List.of("a label far too long to fit on the right of a full bar"), "right");
        Charts.obj(o, "grid").put("left", 0).put("right", 0).put("containLabel", false);
        return o;
    }

    private static ObjectNode crowded() {
        ObjectNode o = Charts.base("Category labels on top of each other");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            many.add("a long category name " + i);
        }
        Charts.categoryAxis(o, "xAxis", many);
        Charts.valueAxis(o, "yAxis", "", false);
        Charts.bars(o, "values", many.stream().map(m -> 1.0).toList());
        return o;
    }

    /** Two grids, as the lab's resources chart has; the top grid's category labels hidden, as they were there. */
    private static ObjectNode unnamed() {
        ObjectNode o = Charts.base("Bars without names");
        var grids = o.putArray("grid");
        grids.add(Charts.grid(12, 16, 30, 0).put("height", "30%"));
        grids.add(Charts.grid(12, 16, 0, 8).put("top", "60%"));
        var xs = o.putArray("xAxis");
        var ys = o.putArray("yAxis");
        for (int g = 0; g < 2; g++) {
            ObjectNode x = xs.addObject().put("type", "category").put("gridIndex", g);
            List.of("thread", "process").forEach(x.putArray("data")::add);
            x.putObject("axisLabel").put("interval", 0).put("show", g == 1);
            Charts.valueAxis(ys.addObject().put("gridIndex", g), true, g == 0 ? "time" : "memory", false);
        }
        Charts.bars(o, "time", List.of(1.0, 2.0)).put("xAxisIndex", 0).put("yAxisIndex", 0);
        Charts.bars(o, "memory", List.of(3.0, 4.0)).put("xAxisIndex", 1).put("yAxisIndex", 1);
        return o;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theCheckPassesATidyChartAndCatchesClippedAndCrowdedLabels(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("page.html");
        Page page = new Page("test", "PageTest").heading(2, "h", "Charts");
        page.banner("The machine was busy.", "load average 9.0 to 9.5 on 2 CPUs");
        page.chart("tidy", tidy(), "A chart laid out as the reports lay theirs out.");
        page.chart("clipped", clipped(), "");
        page.chart("crowded", crowded(), "");
        page.chart("unnamed", unnamed(), "");
        Files.writeString(html, page.html(), StandardCharsets.UTF_8);

        for (int[] size : List.of(Chromium.DESKTOP, Chromium.PHONE)) {
            String dom = Chromium.dumpDom(html, size);
            List<String> problems = Chromium.problems(dom);
            String at = size[0] + " px: " + problems;
            assertThat(problems).as(at).noneMatch(p -> p.startsWith("tidy:"));
            assertThat(problems).as(at).anyMatch(p -> p.startsWith("clipped:") && p.contains("outside the chart"));
            assertThat(problems)
                    .as(at)
                    .anyMatch(p -> p.equals(
                            "unnamed: 2 of 4 category label(s) not drawn on their axis: thread |" + " process"));
            assertThat(Chromium.charts(dom).get("tidy").get("data-missing-categories"))
                    .as("the tidy chart's categories, all drawn")
                    .isEqualTo("0");
            assertThat(Chromium.charts(dom).get("tidy").get("data-labels"))
                    .as("labels found in the tidy chart")
                    .isNotEqualTo("0");
            assertThat(dom).contains("class=\"banner\"").contains("The machine was busy.");
        }
        // On a phone the page wraps category labels, so even the crowded axis stays readable there;
        // at desktop width the same labels, unwrapped, collide.
        assertThat(Chromium.problems(Chromium.dumpDom(html, Chromium.DESKTOP)))
                .anyMatch(p -> p.startsWith("crowded:") && p.contains("cover each other"));
    }

    @Test
    void chartTitlesAndLegendsBecomeHtmlAndSeriesKeepOneColourPerName() {
        ObjectNode o = Charts.base("Speed-up");
        Charts.valueAxis(o, "xAxis", "workers", false);
        Charts.valueAxis(o, "yAxis", "×", false);
        Charts.line(o, "threads", List.of(new double[] {1, 1}, new double[] {2, 1.9}));
        Charts.line(o, "processes", List.of(new double[] {1, 1}, new double[] {2, 1.7}));
        Charts.line(o, "threads", List.of(new double[] {1, 1}, new double[] {2, 1.95}));
        String html = new Page("t", "test").chart("s", o, "caption").html();
        assertThat(html)
                .contains("<p class=\"chart-title\">Speed-up</p>")
                .contains("<ul class=\"legend\">")
                .contains("threads</li>")
                .contains("processes</li>");
        assertThat(html.split("threads</li>", -1))
                .as("one legend entry per name")
                .hasSize(2);
        assertThat(o.path("title").path("text").asText())
                .as("the caller's option is not changed")
                .isEqualTo("Speed-up");
    }

    @Test
    void preparingAReportDirectoryLeavesNothingBehindSoARefusedRunLeavesNoEmptyDirectory(@TempDir Path tmp)
            throws Exception {
        Path nested = tmp.resolve("a").resolve("b c").resolve("report");
        assertThat(Page.prepareDirectory(nested)).isEqualTo(nested);
        assertThat(tmp.resolve("a")).doesNotExist();
        Path existing = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(existing.resolve("old.txt"), "x");
        Page.prepareDirectory(existing);
        try (var files = Files.list(existing)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("old.txt");
        }
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThatThrownBy(() -> Page.prepareDirectory(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a file, not a directory");
        assertThatThrownBy(() -> Page.prepareDirectory(Path.of("/proc/nope/report")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot create or write this directory");
    }

    /**
     * Was: {@code tandem advise --report DIR} run while {@code tandem lab --out DIR} measured wrote its report into the
     * empty DIR, and the lab overwrote it when it finished: the directory was checked only before the run.
     */
    @Test
    void aReportWrittenIntoTheDirectoryDuringARunWasOverwrittenAtItsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("out");
        List<String> files = List.of("index.html", "results.json");
        assertThat(Page.prepareDirectory(dir, "tandem-lab-results/", "tandem lab", files))
                .isEqualTo(dir);
        assertThat(Page.stillOurs(dir, "tandem-lab-results/", "tandem lab", files))
                .as("still empty: the same directory")
                .isEqualTo(dir);
        Files.createDirectories(dir); // the other command's run made it
        Files.writeString(dir.resolve("results.json"), "{\"format\": \"tandem-advise/3\"}");
        Files.writeString(dir.resolve("index.html"), "the advisor's");
        Path other = Page.stillOurs(dir, "tandem-lab-results/", "tandem lab", files);
        assertThat(other).as("proved writable, made when written").isEqualTo(tmp.resolve("out-1"));
        assertThat(dir.resolve("index.html")).hasContent("the advisor's");
        Files.createDirectories(tmp.resolve("out-2"));
        Files.createDirectories(tmp.resolve("out-1"));
        assertThat(Page.stillOurs(dir, "tandem-lab-results/", "tandem lab", files))
                .as("the first that does not exist yet")
                .isEqualTo(tmp.resolve("out-3"));
        Files.writeString(dir.resolve("results.json"), "{\"schema\": \"tandem-lab-results/2\"}");
        assertThat(Page.stillOurs(dir, "tandem-lab-results/", "tandem lab", files))
                .as("this command's own report is rewritten")
                .isEqualTo(dir);
    }
}
