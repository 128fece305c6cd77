package dev.tandem.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * Builds Apache ECharts options as JSON trees for {@link Page#chart}. No option holds a function, so
 * they survive JSON; labels that show a number carry the text {@link Units} formats, so a chart
 * quotes the same digits as the tables beside it.
 *
 * <p>The layout keeps every label inside the chart: grids contain their axis labels, value-axis names
 * sit above the axis and start at it, and a category axis names nothing. Stateless.
 */
public final class Charts {
    /** Pixels below a grid for the name of its horizontal axis. */
    public static final int NAME_ROOM = 36;

    private Charts() {}

    /** A chart with a title (drawn above it by {@link Page}), a tooltip and a grid that contains its labels. */
    public static ObjectNode base(String title) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("animation", false);
        o.putObject("title").put("text", title);
        o.putObject("tooltip").put("trigger", "item").put("confine", true);
        o.set("grid", grid(16, 28, 36, 12));
        return o;
    }

    /** {@return a grid that contains its axis labels, with these margins in pixels} */
    public static ObjectNode grid(int left, int right, int top, int bottom) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        g.put("left", left)
                .put("right", right)
                .put("top", top)
                .put("bottom", bottom)
                .put("containLabel", true);
        return g;
    }

    /**
     * Splits a chart into two grids, one above the other, each under a subtitle of its own; the
     * chart's title stays first (the page writes it above the chart).
     *
     * @param top the subtitle of the upper grid
     * @param bottom the subtitle of the lower grid
     * @param bottomTop where the lower subtitle starts, such as {@code "52%"}; the lower grid starts 6
     *        points of percent below it
     * @param upperHeight the height of the upper grid, such as {@code "32%"}
     */
    public static void twoGrids(ObjectNode option, String top, String bottom, String bottomTop, String upperHeight) {
        ArrayNode grids = option.putArray("grid");
        grids.add(grid(12, 48, 30, 0).put("height", upperHeight));
        int lowerTop = Integer.parseInt(bottomTop.replace("%", "")) + 6;
        grids.add(grid(12, 48, 0, NAME_ROOM).put("top", lowerTop + "%"));
        ArrayNode titles = Json.MAPPER.createArrayNode();
        titles.add(option.get("title"));
        titles.addObject()
                .put("text", top)
                .put("left", "center")
                .put("top", 4)
                .putObject("textStyle")
                .put("fontSize", 12);
        titles.addObject()
                .put("text", bottom)
                .put("left", "center")
                .put("top", bottomTop)
                .putObject("textStyle")
                .put("fontSize", 12);
        option.set("title", titles);
    }

    /** A category axis without a name (categories name themselves); labels never rotate. */
    public static ObjectNode categoryAxis(ObjectNode option, String field, List<String> categories) {
        ObjectNode axis = option.putObject(field);
        axis.put("type", "category");
        ArrayNode data = axis.putArray("data");
        categories.forEach(data::add);
        axis.putObject("axisLabel").put("interval", 0).put("fontSize", 11);
        return axis;
    }

    /**
     * A value axis. A vertical one ({@code yAxis}) is named above its top end, starting at the axis; a
     * horizontal one ({@code xAxis}) below its middle.
     */
    public static ObjectNode valueAxis(ObjectNode option, String field, String name, boolean log) {
        boolean vertical = field.equals("yAxis");
        if (!vertical && !name.isBlank() && option.path("grid").isObject()) {
            // the name sits below the axis labels, outside what containLabel reserves
            ObjectNode grid = (ObjectNode) option.get("grid");
            grid.put("bottom", Math.max(grid.path("bottom").asInt(0), NAME_ROOM));
        }
        return valueAxis(option.putObject(field), vertical, name, log);
    }

    /** Configures {@code axis} as a value axis; see {@link #valueAxis(ObjectNode, String, String, boolean)}. */
    public static ObjectNode valueAxis(ObjectNode axis, boolean vertical, String name, boolean log) {
        axis.put("type", log ? "log" : "value").put("name", name);
        if (vertical) {
            axis.put("nameLocation", "end").put("nameGap", 10);
            axis.putObject("nameTextStyle").put("align", "left").put("fontSize", 11);
        } else {
            axis.put("nameLocation", "middle").put("nameGap", 26);
            axis.putObject("nameTextStyle").put("fontSize", 11);
        }
        if (log) {
            axis.put("logBase", 10);
        }
        axis.putObject("axisLabel").put("fontSize", 10).put("hideOverlap", true);
        return axis;
    }

    /** {@return the object at {@code field} of {@code node}, created if absent} */
    public static ObjectNode obj(ObjectNode node, String field) {
        return node.get(field) instanceof ObjectNode o ? o : node.putObject(field);
    }

    /** A series of bars; NaN values become gaps. */
    public static ObjectNode bars(ObjectNode option, String name, List<Double> values) {
        ObjectNode s = series(option, name, "bar");
        ArrayNode data = s.putArray("data");
        values.forEach(v -> addNumber(data, v));
        return s;
    }

    /**
     * A series of bars, each labelled with its own text (for example {@link Units#ratio}); NaN values
     * become gaps.
     *
     * @param position where labels go: {@code top}, {@code right}, {@code inside}
     */
    public static ObjectNode labelledBars(
            ObjectNode option, String name, List<Double> values, List<String> labels, String position) {
        ObjectNode s = series(option, name, "bar");
        ArrayNode data = s.putArray("data");
        for (int i = 0; i < values.size(); i++) {
            double v = values.get(i);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                data.add("-");
                continue;
            }
            ObjectNode item = data.addObject().put("value", round(v));
            item.putObject("label")
                    .put("show", true)
                    .put("position", position)
                    .put("fontSize", 10)
                    .put("formatter", labels.get(i).replace("{", "(").replace("}", ")"));
        }
        return s;
    }

    /** A line of (x, y) points on value axes; NaN values are skipped. */
    public static ObjectNode line(ObjectNode option, String name, List<double[]> points) {
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

    /** A line over a category axis: one value per category; NaN values become gaps. */
    public static ObjectNode categoryLine(ObjectNode option, String name, List<Double> values) {
        ObjectNode s = series(option, name, "line");
        s.put("symbolSize", 7).put("connectNulls", true);
        ArrayNode data = s.putArray("data");
        values.forEach(v -> addNumber(data, v));
        return s;
    }

    /** Box plots: for each category, {@code [min, q1, median, q3, max]} of a metric, or a gap. */
    public static ObjectNode boxes(ObjectNode option, String name, List<Stats> stats) {
        ObjectNode s = series(option, name, "boxplot");
        s.putArray("boxWidth").add(4).add(24);
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

    /**
     * The unit of a time axis, such as µs: values in nanoseconds divided by {@code nanos} read in it.
     *
     * @param unit the unit's symbol: ns, µs, ms or s
     * @param nanos nanoseconds per unit
     */
    public record TimeScale(String unit, double nanos) {
        /** {@return the values, in nanoseconds, in this unit; negative ones (not measured) become NaN, a gap} */
        public List<Double> of(List<Double> values) {
            return values.stream()
                    .map(v -> v == null || v < 0 ? Double.NaN : v / nanos)
                    .toList();
        }
    }

    /**
     * {@return the unit that shows every value of a time axis: on a log axis the largest in which the
     * smallest value is still at least 1 (a bar below 1 on a log axis that starts at 1 is invisible: latencies
     * below 1 ms vanished from an axis in ms), on a linear axis the largest in which the largest value is}
     *
     * @param nanos the values in nanoseconds; NaN and negative ones are not measured
     */
    public static TimeScale timeScale(List<Double> nanos, boolean log) {
        List<Double> known = nanos.stream()
                .filter(v -> v != null && v > 0 && !v.isNaN() && !v.isInfinite())
                .toList();
        double deciding = known.isEmpty()
                ? 1e6
                : log
                        ? known.stream().mapToDouble(Double::doubleValue).min().orElse(1e6)
                        : known.stream().mapToDouble(Double::doubleValue).max().orElse(1e6);
        if (deciding >= 1e9) {
            return new TimeScale("s", 1e9);
        }
        if (deciding >= 1e6) {
            return new TimeScale("ms", 1e6);
        }
        if (deciding >= 1e3) {
            return new TimeScale("µs", 1e3);
        }
        return new TimeScale("ns", 1);
    }

    /** Rounds to 4 significant digits so that the page stays small and tooltips stay readable. */
    public static double round(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(4)).doubleValue();
    }
}
