package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Page;
import dev.tandem.measure.Units;
import dev.tandem.measure.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's charts name what they show: every category of a category axis is drawn as a label, in
 * headless Chromium, at desktop and phone width (the whole report is checked the same way by
 * {@link QuickLabRunTest}; this test draws one chart from fixed numbers, in seconds).
 */
class ChartLabelsTest {
    /** A resources section with a median for each bar of its chart. */
    private static Section resources() {
        Section s = new Section("resources", "Resources", "claim", "原文");
        Map<String, Object> none = Map.of();
        for (String k : ResourcesExperiment.KINDS) {
            s.add("create." + k, k + " creation", "µs", List.of(10.0, 11.0, 12.0), none);
            s.add("rss." + k, k + " RSS", "KiB", List.of(100.0, 110.0, 120.0), none);
            s.add("pss." + k, k + " PSS", "KiB", List.of(90.0, 95.0, 99.0), none);
        }
        s.add("firstResult.worker", "worker first result", "ms", List.of(40.0, 41.0, 42.0), none);
        s.add("heap.virtual", "virtual heap", "KiB", List.of(1.0, 1.1, 1.2), none);
        return s;
    }

    /** Was: the creation (start-up) chart's category axis hid its labels ({@code "show": false} on the top grid). */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theCreationChartHadNoCategoryLabels(@TempDir Path dir) throws Exception {
        Section s = resources();
        new ResourcesExperiment().chart(s);
        Path html = dir.resolve("index.html");
        Page page = new Page("test", "ChartLabelsTest").chart("resources", s.chart, s.chartCaption);
        Files.writeString(html, page.html(), StandardCharsets.UTF_8);
        int expected = 2 * ResourcesExperiment.LABELS.size(); // the creation grid's axis and the memory grid's
        for (int[] size : List.of(Chromium.DESKTOP, Chromium.PHONE)) {
            Map<String, String> chart =
                    Chromium.charts(Chromium.dumpDom(html, size)).get("resources");
            assertThat(chart.get("data-rendered")).as("drawn at %d px", size[0]).isEqualTo("true");
            assertThat(chart.get("data-categories")).isEqualTo(Integer.toString(expected));
            assertThat(chart.get("data-missing-categories"))
                    .as("at %d px, categories not drawn: %s", size[0], chart.get("data-missing-category-labels"))
                    .isEqualTo("0");
        }
    }

    /**
     * Fresh user (session 16): at phone width the verdict chart's log axis wrote "1,000" against "10,000" and hid
     * the decades above; the render check did not count texts that touch. Decades on a phone read 1k, 10k, 100k.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aLogAxisOfManyDecadesWroteTouchingLabelsOnAPhone(@TempDir Path dir) throws Exception {
        ObjectNode o = Charts.base("What processes cost relative to threads (×, log scale)");
        List<String> angles = List.of("resources", "concurrency", "data sharing", "failure isolation", "overhead");
        Charts.categoryAxis(o, "yAxis", angles).put("inverse", true);
        Charts.valueAxis(o, "xAxis", "processes / threads", true);
        List<Double> ratios = List.of(1_700.0, 196_365.0, 4.22, 0.11, 0.33);
        Charts.labelledBars(
                o,
                "processes / threads",
                ratios,
                ratios.stream().map(Units::ratio).toList(),
                "right");
        Charts.obj(o, "grid").put("top", 8).put("right", 72);
        assertThat(onAPhoneWithNoLabelTouching(dir, o))
                .contains(">1k<")
                .contains(">100k<")
                .doesNotContain(">1,000<");
    }

    /**
     * adv2-s16's run of the advisor suite: the report's throughput chart wrote "0" against "1,000" at phone width. Every
     * horizontal value axis writes its numbers short on a phone, linear ones too.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aLinearAxisBesideLongCategoriesWroteTouchingLabelsOnAPhone(@TempDir Path dir) throws Exception {
        ObjectNode o = Charts.base("Tasks per second (more is better)");
        List<String> models = List.of("threads(1)", "threads(2)", "virtual(196) one by one", "processes(2) with map()");
        Charts.categoryAxis(o, "yAxis", models).put("inverse", true);
        Charts.valueAxis(o, "xAxis", "tasks/s", false);
        List<Double> rates = List.of(1_354.0, 4_210.0, 6_404.0, 55.9);
        Charts.labelledBars(o, "tasks/s", rates, rates.stream().map(Units::rate).toList(), "right");
        Charts.obj(o, "grid").put("right", 72);
        assertThat(onAPhoneWithNoLabelTouching(dir, o))
                .doesNotContain(">1,000<")
                .doesNotContain(">2,000<");
    }

    /** {@return the page of one chart as Chromium drew it at phone width, once checked drawn with no label touching} */
    private static String onAPhoneWithNoLabelTouching(Path dir, ObjectNode option) throws Exception {
        Path html = dir.resolve("index.html");
        Files.writeString(
                html, new Page("test", "ChartLabelsTest").chart("c", option, "").html(), StandardCharsets.UTF_8);
        String dom = Chromium.dumpDom(html, Chromium.PHONE);
        Map<String, String> chart = Chromium.charts(dom).get("c");
        assertThat(chart.get("data-rendered")).isEqualTo("true");
        assertThat(chart.get("data-overlaps"))
                .as("labels covering or touching each other: %s", chart.get("data-overlapping-labels"))
                .isEqualTo("0");
        return dom;
    }
}
