package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;

/**
 * {@code --compare OLD.json}: matches every metric of this run with the metric of the same section and
 * key in an earlier results.json and reports the change of the median. A change counts as real only
 * if the interquartile ranges of the two runs do not overlap. Stateless.
 */
final class Comparison {
    private Comparison() {}

    static ObjectNode compare(Path old, Collection<Section> sections) throws IOException {
        JsonNode before = Charts.JSON.readTree(old.toFile());
        ObjectNode out = Charts.JSON.createObjectNode();
        out.put("against", old.toString());
        out.put("againstStartedAt", before.path("startedAt").asText(""));
        out.put(
                "againstMachine",
                before.path("machine").path("cpuModel").asText("") + ", "
                        + before.path("machine").path("cores").asInt() + " cores");
        ArrayNode rows = out.putArray("rows");
        for (Section s : sections) {
            JsonNode oldSection = null;
            for (JsonNode os : before.path("sections")) {
                if (os.path("id").asText().equals(s.id)) {
                    oldSection = os;
                }
            }
            if (oldSection == null) {
                continue;
            }
            for (Metric m : s.metrics.values()) {
                for (JsonNode om : oldSection.path("metrics")) {
                    if (!om.path("key").asText().equals(m.key())) {
                        continue;
                    }
                    JsonNode st = om.path("stats");
                    Stats now = m.stats();
                    if (now.n() == 0 || !st.path("median").isNumber()) {
                        continue;
                    }
                    double oldMedian = st.path("median").asDouble();
                    boolean separated =
                            now.q3() < st.path("q1").asDouble() || st.path("q3").asDouble() < now.q1();
                    ObjectNode row = rows.addObject();
                    row.put("section", s.id);
                    row.put("key", m.key());
                    row.put("label", m.label());
                    row.put("unit", m.unit());
                    row.put("old", oldMedian);
                    row.put("new", now.median());
                    if (oldMedian != 0) {
                        row.put("ratio", now.median() / oldMedian);
                    } else {
                        row.putNull("ratio");
                    }
                    row.put("significant", separated);
                }
            }
        }
        return out;
    }

    /** Prints the metrics whose change is significant, largest first. */
    static void print(PrintStream out, JsonNode comparison) {
        out.println("compared with " + comparison.path("against").asText() + " ("
                + comparison.path("againstStartedAt").asText() + "):");
        int shown = 0;
        int total = comparison.path("rows").size();
        var rows = new ArrayList<JsonNode>();
        comparison.path("rows").forEach(rows::add);
        rows.sort((a, b) -> Double.compare(change(b), change(a)));
        for (JsonNode r : rows) {
            if (!r.path("significant").asBoolean()) {
                continue;
            }
            out.printf(
                    "  %-10s %-70s %12s -> %-12s %s%n",
                    r.path("section").asText(),
                    trim(r.path("label").asText(), 70),
                    Fmt.num(r.path("old").asDouble(), r.path("unit").asText()),
                    Fmt.num(r.path("new").asDouble(), r.path("unit").asText()),
                    r.path("ratio").isNumber() ? Fmt.ratio(r.path("ratio").asDouble()) : "");
            shown++;
        }
        out.printf("  %d of %d metrics changed beyond the spread of both runs%n%n", shown, total);
    }

    static double change(JsonNode r) {
        double ratio = r.path("ratio").asDouble(1);
        return ratio <= 0 ? 0 : Math.abs(Math.log(ratio));
    }

    private static String trim(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
