package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code --compare OLD.json}: like with like only. A metric of this run is matched with the metric of
 * the same section, key <em>and parameters</em> in the earlier run (parameters name every setting that
 * changes what is measured, such as task counts and sizes), so a quick run is never compared with a
 * full run's number of another kind. Run-level differences (quick or full, machine, JDK, Tandem) are
 * listed first. A change counts as significant only if the interquartile ranges of the two runs do not
 * overlap, neither number is noise, and neither run's section measured on a busy machine. Stateless.
 */
final class Comparison {
    private Comparison() {}

    static ObjectNode compare(Baseline baseline, LabOptions options, Collection<Section> sections) {
        JsonNode before = baseline.results();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("against", baseline.path().toString());
        out.put("againstStartedAt", before.path("startedAt").asText(""));
        out.put(
                "againstMachine",
                before.path("machine").path("cpuModel").asText("") + ", "
                        + before.path("machine").path("cores").asInt() + " cores");
        ArrayNode experiments = out.putArray("experiments");
        for (Section s : sections) {
            if (baseline.section(s.id) != null) {
                experiments.add(s.id);
            }
        }
        ArrayNode differences = out.putArray("differences");
        settingDifferences(before, options).forEach(differences::add);
        ArrayNode rows = out.putArray("rows");
        int skipped = 0;
        Map<String, String> skippedExamples = new TreeMap<>();
        for (Section s : sections) {
            JsonNode oldSection = baseline.section(s.id);
            if (oldSection == null) {
                continue;
            }
            boolean oldBusy = oldSection.path("load").path("busy").asBoolean(false);
            for (Metric m : s.metrics.values()) {
                JsonNode om = find(oldSection, m.key());
                if (om == null
                        || !om.path("stats").path("median").isNumber()
                        || m.stats().n() == 0) {
                    continue;
                }
                String paramsDiffer = paramsDiffer(om.path("params"), Json.MAPPER.valueToTree(m.params()));
                if (!paramsDiffer.isEmpty()) {
                    skipped++;
                    skippedExamples.putIfAbsent(s.id, m.label() + " (" + paramsDiffer + ")");
                    continue;
                }
                List<String> refs = refs(s, m, om);
                rows.add(row(
                        s,
                        m,
                        om,
                        oldBusy || s.busy() || inputsBusy(refs, baseline, sections),
                        inputsNoisy(refs, baseline, sections)));
            }
        }
        out.put("compared", rows.size());
        ObjectNode skip = out.putObject("skipped");
        skip.put("count", skipped);
        ArrayNode examples = skip.putArray("examples");
        skippedExamples.values().forEach(examples::add);
        return out;
    }

    /** {@return the inputs of a derived metric in either run, as "section/key"; empty for a measured one} */
    private static List<String> refs(Section s, Metric m, JsonNode om) {
        List<String> refs = new ArrayList<>(s.inputs.getOrDefault(m.key(), List.of()));
        for (JsonNode r : om.path("derivedFrom")) {
            if (!refs.contains(r.asText())) {
                refs.add(r.asText());
            }
        }
        return refs;
    }

    /** {@return true if the section of any input measured on a busy machine, in either run} */
    private static boolean inputsBusy(List<String> refs, Baseline baseline, Collection<Section> sections) {
        for (String ref : refs) {
            String id = ref.substring(0, ref.indexOf('/'));
            JsonNode old = baseline.section(id);
            if (old != null && old.path("load").path("busy").asBoolean(false)) {
                return true;
            }
            if (sections.stream().anyMatch(x -> x.id.equals(id) && x.busy())) {
                return true;
            }
        }
        return false;
    }

    /** {@return true if any input is noise, in either run: a number derived from noise is noise} */
    private static boolean inputsNoisy(List<String> refs, Baseline baseline, Collection<Section> sections) {
        for (String ref : refs) {
            String id = ref.substring(0, ref.indexOf('/'));
            String key = ref.substring(ref.indexOf('/') + 1);
            JsonNode old = baseline.section(id);
            if (old != null) {
                JsonNode om = find(old, key);
                if (om != null
                        && (noise(om.path("stats")) || om.path("artefact").asBoolean(false))) {
                    return true;
                }
            }
            for (Section x : sections) {
                if (x.id.equals(id) && (x.metric(key).map(Metric::noisy).orElse(false) || x.artefact(key))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean noise(JsonNode st) {
        return st.path("n").asInt() >= Stats.MIN_SAMPLES
                && st.path("relativeSpread").isNumber()
                && st.path("relativeSpread").asDouble() > Stats.WIDE;
    }

    private static ObjectNode row(Section s, Metric m, JsonNode om, boolean busy, boolean inputsNoisy) {
        JsonNode st = om.path("stats");
        Stats now = m.stats();
        double oldMedian = st.path("median").asDouble();
        boolean separated = now.q3() < st.path("q1").asDouble() || st.path("q3").asDouble() < now.q1();
        // a physically impossible number (such as a speed-up beyond the cores) is no more a result than noise
        boolean artefact = s.artefact(m.key()) || om.path("artefact").asBoolean(false);
        boolean noise = m.noisy() || noise(st) || inputsNoisy || artefact;
        ObjectNode row = Json.MAPPER.createObjectNode();
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
        row.put("noise", noise);
        row.put("busy", busy);
        row.put("significant", separated && !noise && !busy);
        return row;
    }

    private static JsonNode find(JsonNode section, String key) {
        for (JsonNode om : section.path("metrics")) {
            if (om.path("key").asText().equals(key)) {
                return om;
            }
        }
        return null;
    }

    /** {@return "" if the parameters are equal, else the first that differs, such as "tasks 8 vs 32"} */
    private static String paramsDiffer(JsonNode old, JsonNode now) {
        List<String> names = new ArrayList<>();
        old.fieldNames().forEachRemaining(names::add);
        for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        for (String n : names) {
            // compared as JSON text: a number read back from a file may be another node type than the one written
            if (!Objects.equals(text(old.get(n)), text(now.get(n)))) {
                return n + " " + text(old.get(n)) + " then, " + text(now.get(n)) + " now";
            }
        }
        return "";
    }

    private static String text(JsonNode v) {
        return v == null ? "unset" : v.isTextual() ? v.asText() : v.toString();
    }

    /** {@return the settings in which the two runs differ, for people} */
    static List<String> settingDifferences(JsonNode before, LabOptions options) {
        List<String> d = new ArrayList<>();
        boolean oldQuick = before.path("options").path("quick").asBoolean();
        if (oldQuick != options.quick()) {
            d.add("the earlier run was a " + (oldQuick ? "quick" : "full") + " run, this one a "
                    + (options.quick() ? "quick" : "full") + " run (other task counts, sizes and repeats)");
        } else if (before.path("options").path("repeats").asInt() != options.repeats()) {
            d.add("repeats " + before.path("options").path("repeats").asInt() + " then, " + options.repeats() + " now");
        }
        if (before.path("options").path("seed").asLong() != options.seed()) {
            d.add("seed " + before.path("options").path("seed").asLong() + " then, " + options.seed() + " now");
        }
        JsonNode m = MachineInfo.machine();
        for (String field : List.of("cpuModel", "cores", "memoryBytes", "kernel")) {
            if (!before.path("machine").path(field).equals(m.path(field))) {
                d.add("machine " + field + " " + text(before.path("machine").path(field)) + " then, "
                        + text(m.path(field)) + " now");
            }
        }
        String oldJdk = before.path("jdk").path("version").asText("");
        if (!oldJdk.equals(Runtime.version().toString())) {
            d.add("JDK " + oldJdk + " then, " + Runtime.version() + " now");
        }
        String oldTandem = before.path("tandemVersion").asText("");
        if (!oldTandem.equals(MachineInfo.tandemVersion())) {
            d.add("Tandem " + oldTandem + " then, " + MachineInfo.tandemVersion() + " now");
        }
        return d;
    }

    /** {@return one line: how many metrics were compared, how many changed, what differed} */
    static String summary(JsonNode c) {
        long significant = 0;
        long busy = 0;
        long noise = 0;
        for (JsonNode r : c.path("rows")) {
            if (r.path("significant").asBoolean()) {
                significant++;
            } else if (r.path("busy").asBoolean()) {
                busy++;
            } else if (r.path("noise").asBoolean()) {
                noise++;
            }
        }
        int compared = c.path("compared").asInt();
        long judged = compared - busy - noise;
        List<String> unjudged = new ArrayList<>();
        if (busy > 0) {
            unjudged.add(busy + " measured on a busy machine in one of the runs");
        }
        if (noise > 0) {
            unjudged.add(noise + " noise in one of the runs");
        }
        StringBuilder b = new StringBuilder();
        if (compared > 0 && judged == 0) {
            // "0 of N changed" would read as "no change": nothing could be judged, so say that and why
            b.append(
                            compared == 1
                                    ? "the one like-for-like metric could not be judged ("
                                    : "none of the " + compared + " like-for-like metrics could be judged (")
                    .append(String.join(", ", unjudged))
                    .append("), so this comparison shows no change and rules none out");
        } else {
            b.append(String.format(
                    Locale.ROOT,
                    "%d of %d like-for-like metrics changed beyond the spread of both runs",
                    significant,
                    judged));
            if (!unjudged.isEmpty()) {
                b.append("; ")
                        .append(compared - judged)
                        .append(" more could not be judged (")
                        .append(String.join(", ", unjudged))
                        .append(')');
            }
        }
        int skipped = c.path("skipped").path("count").asInt();
        if (skipped > 0) {
            b.append("; ").append(skipped).append(" not compared because their settings differed");
        }
        if (!c.path("differences").isEmpty()) {
            List<String> d = new ArrayList<>();
            c.path("differences").forEach(x -> d.add(x.asText()));
            b.append(". Differences: ").append(String.join("; ", d));
        }
        return b.append('.').toString();
    }

    /** Prints the summary and the significant changes, largest first. */
    static void print(PrintStream out, JsonNode comparison) {
        out.println("compared with " + comparison.path("against").asText() + " ("
                + Units.when(comparison.path("againstStartedAt").asText()) + "), " + experiments(comparison) + ":");
        var rows = new ArrayList<JsonNode>();
        comparison.path("rows").forEach(rows::add);
        rows.sort((a, b) -> Double.compare(change(b), change(a)));
        // no significant change: the summary line below says so and why (was: a bare "None." above it)
        for (JsonNode r : rows) {
            if (!r.path("significant").asBoolean()) {
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "  %-10s %-70s %12s -> %-12s %s%n",
                    r.path("section").asText(),
                    Units.abbreviate(r.path("label").asText(), 70),
                    Units.num(r.path("old").asDouble(), r.path("unit").asText()),
                    Units.num(r.path("new").asDouble(), r.path("unit").asText()),
                    r.path("ratio").isNumber() ? Units.ratio(r.path("ratio").asDouble()) : "");
        }
        out.println("  " + summary(comparison));
        out.println();
    }

    /** {@return the experiments compared, for people: "experiments switching, scaling", or "no experiment in common"} */
    static String experiments(JsonNode comparison) {
        List<String> ids = new ArrayList<>();
        comparison.path("experiments").forEach(x -> ids.add(x.asText()));
        return ids.isEmpty()
                ? "no experiment in common"
                : (ids.size() == 1 ? "experiment " : "experiments ") + String.join(", ", ids);
    }

    static double change(JsonNode r) {
        double ratio = r.path("ratio").asDouble(1);
        return ratio <= 0 ? 0 : Math.abs(Math.log(ratio));
    }
}
