package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code results.json}: every raw sample with its statistics, the load while each section
 * measured, the machine, JDK, Python, Tandem version, options and seed. Its schema is
 * {@code results.schema.json} beside this class (format {@value Baseline#FORMAT}). Stateless.
 */
final class ResultsFile {
    private ResultsFile() {}

    static ObjectNode build(
            LabOptions options,
            Instant started,
            double seconds,
            Load load,
            List<Section> sections,
            JsonNode comparison) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("schema", Baseline.FORMAT);
        r.put("tandemVersion", MachineInfo.tandemVersion());
        r.set("tandem", MachineInfo.tandem());
        r.put("startedAt", started.toString());
        r.put("durationSeconds", Charts.round(seconds));
        r.put("command", command(options));
        r.set("machine", MachineInfo.machine());
        r.set("jdk", MachineInfo.jdk());
        String python = MachineInfo.python();
        if (python == null) {
            r.putNull("python");
        } else {
            ObjectNode py = r.putObject("python").put("version", python);
            Boolean gil = MachineInfo.pythonGil();
            if (gil == null) {
                py.putNull("gil");
            } else {
                py.put("gil", gil);
            }
        }
        r.set("load", load.toJson());
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
            o.put("compare", options.compare().path().toString());
        }
        ArrayNode ss = r.putArray("sections");
        for (Section s : sections) {
            ss.add(section(s));
        }
        if (comparison == null) {
            r.putNull("comparison");
        } else {
            r.set("comparison", comparison);
        }
        return r;
    }

    private static ObjectNode section(Section s) {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("id", s.id);
        j.put("title", s.title);
        j.put("claim", s.claim);
        j.put("claimOriginal", s.claimOriginal);
        j.put("method", s.method);
        j.put("outcome", s.outcome.label());
        j.put("verdict", s.verdict);
        j.put("headline", s.headline);
        j.put("seconds", Charts.round(s.seconds));
        if (s.load == null) {
            j.putNull("load");
        } else {
            ObjectNode load = s.load.toJson();
            if (!s.busyInputs.isEmpty()) {
                // a section that quotes numbers measured on a busy machine is as busy as they were
                load.put("busy", true);
                load.set("busyInputs", Json.MAPPER.valueToTree(List.copyOf(s.busyInputs)));
            }
            j.set("load", load);
        }
        ArrayNode attempts = j.putArray("attempts");
        s.attempts.forEach(a -> attempts.add(a.toJson()));
        j.put("repeatedBecause", s.repeatedBecause);
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
                    .forEach(e -> params.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue())));
            if (s.artefact(m.key())) {
                mj.put("artefact", true);
            }
            if (s.inputs.containsKey(m.key())) {
                mj.set("derivedFrom", Json.MAPPER.valueToTree(s.inputs.get(m.key())));
            }
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
            sj.put("noise", m.noisy());
        }
        ArrayNode tables = j.putArray("tables");
        for (Table t : s.tables) {
            ObjectNode tj = tables.addObject();
            tj.put("title", t.title());
            ArrayNode cols = tj.putArray("columns");
            t.columns().forEach(cols::add);
            ArrayNode rows = tj.putArray("rows");
            t.rows().forEach(row -> {
                ArrayNode rj = rows.addArray();
                row.forEach(rj::add);
            });
        }
        if (s.chart == null) {
            j.putNull("chart");
        } else {
            j.set("chart", s.chart);
        }
        j.put("chartCaption", s.chartCaption);
        return j;
    }

    /** {@return the command that reproduces the run} */
    static String command(LabOptions options) {
        StringBuilder b = new StringBuilder("tandem lab");
        if (options.experiments().size() < Lab.ORDER.size()) {
            b.append(' ').append(String.join(" ", options.experiments()));
        }
        if (options.quick()) {
            b.append(" --quick");
        }
        return b.append(" --seed ").append(options.seed()).toString();
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
}
