package dev.tandem.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * Builds Apache ECharts options as JSON trees. The report page hands each option to
 * {@code echarts.init(...).setOption(...)} unchanged; no option holds a function, so they survive JSON.
 *
 * <p>Every chart is drawn with the SVG renderer and no animation, so a headless browser can check that
 * it rendered.
 */
final class Charts {
    static final ObjectMapper JSON = new ObjectMapper();

    private Charts() {}

    /** A chart with a title, a legend, a tooltip and a grid that leaves room for axis names. */
    static ObjectNode base(String title) {
        ObjectNode o = JSON.createObjectNode();
        o.put("animation", false);
        o.putObject("title")
                .put("text", title)
                .put("left", "center")
                .putObject("textStyle")
                .put("fontSize", 14);
        o.putObject("tooltip").put("trigger", "item").put("confine", true);
        o.putObject("legend").put("top", 26).put("type", "scroll");
        o.putObject("grid")
                .put("left", 64)
                .put("right", 20)
                .put("top", 70)
                .put("bottom", 70)
                .put("containLabel", false);
        return o;
    }

    static ObjectNode categoryAxis(ObjectNode option, String field, String name, List<String> categories) {
        ObjectNode axis = option.putObject(field);
        axis.put("type", "category")
                .put("name", name)
                .put("nameLocation", "middle")
                .put("nameGap", 46);
        ArrayNode data = axis.putArray("data");
        categories.forEach(data::add);
        axis.putObject("axisLabel")
                .put("interval", 0)
                .put("rotate", categories.size() > 5 ? 30 : 0)
                .put("fontSize", 10);
        return axis;
    }

    static ObjectNode valueAxis(ObjectNode option, String field, String name, boolean log) {
        ObjectNode axis = option.putObject(field);
        axis.put("type", log ? "log" : "value")
                .put("name", name)
                .put("nameLocation", "middle")
                .put("nameGap", 48);
        if (log) {
            axis.put("logBase", 10);
        }
        axis.putObject("axisLabel").put("fontSize", 10);
        return axis;
    }

    /** {@return the object at {@code field} of {@code node}, created if absent} */
    static ObjectNode obj(ObjectNode node, String field) {
        return node.get(field) instanceof ObjectNode o ? o : node.putObject(field);
    }

    /** A series of bars; NaN values become gaps. */
    static ObjectNode bars(ObjectNode option, String name, List<Double> values) {
        ObjectNode s = series(option, name, "bar");
        ArrayNode data = s.putArray("data");
        values.forEach(v -> addNumber(data, v));
        return s;
    }

    /** A line of (x, y) points on value axes; NaN values are skipped. */
    static ObjectNode line(ObjectNode option, String name, List<double[]> points) {
        ObjectNode s = series(option, name, "line");
        s.put("symbolSize", 7);
        ArrayNode data = s.putArray("data");
        for (double[] p : points) {
            if (!Double.isNaN(p[1]) && !Double.isInfinite(p[1])) {
                ArrayNode point = data.addArray();
                point.add(p[0]);
                point.add(round(p[1]));
            }
        }
        return s;
    }

    /** Box plots: for each category, {@code [min, q1, median, q3, max]} of a metric, or a gap. */
    static ObjectNode boxes(ObjectNode option, String name, List<Stats> stats) {
        ObjectNode s = series(option, name, "boxplot");
        s.putArray("boxWidth").add(4).add(28);
        ArrayNode data = s.putArray("data");
        for (Stats st : stats) {
            if (st == null || st.n() == 0) {
                data.add("-");
            } else {
                ArrayNode box = data.addArray();
                box.add(round(st.min()))
                        .add(round(st.q1()))
                        .add(round(st.median()))
                        .add(round(st.q3()))
                        .add(round(st.max()));
            }
        }
        return s;
    }

    private static ObjectNode series(ObjectNode option, String name, String type) {
        ArrayNode all = option.has("series") ? (ArrayNode) option.get("series") : option.putArray("series");
        ObjectNode s = all.addObject();
        s.put("name", name).put("type", type);
        return s;
    }

    private static void addNumber(ArrayNode data, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            data.add("-");
        } else {
            data.add(round(v));
        }
    }

    /** Rounds to 4 significant digits so that the page stays small and tooltips stay readable. */
    static double round(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(4)).doubleValue();
    }
}
