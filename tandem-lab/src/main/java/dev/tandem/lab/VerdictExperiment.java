package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * <b>verdict</b>: "Which should I choose?" along the note's six angles, each row computed from what the
 * other experiments measured in this run. An angle whose experiment did not run says so.
 */
final class VerdictExperiment implements Experiment {
    /** What an angle favors when the two sides are told apart but differ by less than {@link #MATTERS}. */
    static final String CLOSE = "neither (within 25 %, too close to matter)";
    /** The ratio below which a measurable difference in overhead is too small to choose by. */
    static final double MATTERS = Contrast.MATTERS;
    /** What an angle favors when a number it needs is noise, or its experiment was inconclusive. */
    static final String NOISE = "inconclusive (noise)";
    /**
     * The side the claim gives each angle it names: "processes for isolation and safety, threads for sharing data and
     * cheap switching". The claim holds as stated only if no angle goes the other way.
     */
    static final Map<String, String> CLAIMED = Map.of(
            "failure isolation", "processes",
            "structure", "processes",
            "data sharing", "threads",
            "overhead", "threads");

    @Override
    public String id() {
        return "verdict";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Verdict: which should I choose?",
                "The choice depends on the task: processes for isolation and safety, threads for sharing data and cheap "
                        + "switching. Weigh resources, concurrency, data sharing, failure isolation, structure and overhead.",
                "多进程和多线程的选择取决于任务的需求和特点。如果任务需要更多的数据隔离和安全性，多进程可能是更好的选择……" + "如果任务需要大量的数据共享和高效的任务切换，那么多线程可能更加适合。");
    }

    @Override
    public int steps(Bench bench) {
        return 1;
    }

    @Override
    public boolean measures() {
        return false;
    }

    /** One angle: what threads and processes cost on it, and who wins. */
    private record Angle(String name, String threads, String processes, double ratio, String favors, String why) {}

    @Override
    public void run(Bench bench, Section s) {
        bench.step("tabulating");
        s.method = "No new measurement: each row quotes medians measured by the other experiments of this run, and the "
                + "ratio is processes' cost over threads' (above 1: threads are cheaper).";
        Map<String, Section> d = bench.done;
        List<Angle> angles = new ArrayList<>();
        Section res = d.get("resources");
        String proc = res != null && res.metric("pss.worker").isPresent() ? "worker" : "jvm";
        angles.add(guard(resources(res), res, "pss.platform", "pss." + proc));
        angles.add(guard(
                concurrency(res, d.get("scaling")),
                res,
                "create.virtual",
                proc.equals("worker") ? "firstResult.worker" : "create.jvm"));
        Section sh = d.get("sharing");
        long shared = sharedSize(sh);
        angles.add(guard(sharing(sh, shared), sh, "heap." + shared, "copy." + shared));
        angles.add(guard(isolation(d.get("isolation")), d.get("isolation")));
        angles.add(structure(d.get("races")));
        angles.add(guard(
                overhead(d.get("switching"), d.get("scaling")),
                d.get("switching"),
                "rt.pipe.thread.same",
                "rt.pipe.process.same"));
        List<List<Map.Entry<Section, String>>> from = List.of(
                inputs(res, "pss.platform", "pss." + proc),
                inputs(res, "create.virtual", proc.equals("worker") ? "firstResult.worker" : "create.jvm"),
                inputs(sh, "heap." + shared, "copy." + shared, "shm." + shared),
                inputs(d.get("isolation"), isolationKeys()),
                inputs(d.get("races"), "lost.volatile", "lost.shmPlain", "lost.processCopy"),
                inputs(d.get("switching"), "rt.pipe.thread.same", "rt.pipe.process.same"));
        List<List<String>> rows = new ArrayList<>();
        int measured = 0;
        for (int i = 0; i < angles.size(); i++) {
            Angle a = angles.get(i);
            rows.add(List.of(a.name(), a.threads(), a.processes(), Units.ratio(a.ratio()), a.favors(), a.why()));
            if (!a.favors().equals("not measured") && !a.favors().equals(NOISE)) {
                measured++;
            }
            s.derive(
                    "ratio." + a.name().toLowerCase(Locale.ROOT).replace(' ', '-'),
                    "processes / threads, " + a.name(),
                    "x",
                    Double.isNaN(a.ratio()) ? List.of() : List.of(a.ratio()),
                    Map.of("favors", a.favors()),
                    from.get(i));
        }
        s.tables.add(new Table(
                "Which should I choose? (from this run's numbers)",
                List.of("angle", "threads", "processes", "processes / threads", "favors", "because"),
                rows));
        chart(s, angles);
        long forThreads =
                angles.stream().filter(a -> a.favors().equals("threads")).count();
        long forProcesses =
                angles.stream().filter(a -> a.favors().equals("processes")).count();
        if (measured == 0) {
            s.verdict(
                    Outcome.NOT_MEASURED,
                    "Run the other experiments with the verdict: tandem lab (or tandem lab "
                            + "resources switching sharing isolation scaling races verdict).");
            s.headline = "nothing to weigh: run the other experiments too";
            return;
        }
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT,
                "Of %d angles weighed, threads win %d and processes %d. ",
                measured,
                forThreads,
                forProcesses));
        for (String side : List.of("threads", "processes", CLOSE, NOISE)) {
            List<String> won = angles.stream()
                    .filter(a -> a.favors().equals(side))
                    .map(a -> a.name() + (Double.isNaN(a.ratio()) ? "" : " (" + Units.ratio(a.ratio()) + ")"))
                    .toList();
            if (!won.isEmpty()) {
                text.append(
                                side.equals(CLOSE)
                                        ? "Told apart but within 25 %, too close to matter: "
                                        : side.equals(NOISE)
                                                ? "Not weighed, inconclusive (noise, or repeats that overlap): "
                                                : cap(side) + " win on ")
                        .append(String.join(", ", won))
                        .append(". ");
            }
        }
        if (forThreads > 0) {
            text.append("So in Java, default to threads (virtual threads for blocking work)");
            text.append(
                    forProcesses > 0
                            ? ", and choose processes for what only they gave here: "
                                    + String.join(
                                            " and ",
                                            angles.stream()
                                                    .filter(a -> a.favors().equals("processes"))
                                                    .map(Angle::name)
                                                    .toList())
                                    + ", paid for in memory, start-up time and copies."
                            : ".");
        } else if (forProcesses > 0) {
            text.append("Processes won every angle measured here.");
        }
        // "It depends" holds if each side wins some angle; if one side won every angle measured, it does not.
        Outcome outcome = forThreads > 0 && forProcesses > 0 ? Outcome.SUPPORTED : Outcome.REFUTED;
        if (measured < angles.size() && outcome == Outcome.SUPPORTED) {
            outcome = Outcome.MIXED;
        }
        List<String> against = againstTheClaim(
                angles.stream().collect(Collectors.toMap(Angle::name, Angle::favors, (a, b) -> a, LinkedHashMap::new)));
        if (!against.isEmpty() && outcome == Outcome.SUPPORTED) {
            // each side won something, but not what the claim gives it: "it depends" holds, the claim's split does not
            outcome = Outcome.MIXED;
            text.append(" Against the claim's split: ")
                    .append(String.join(", ", against))
                    .append('.');
        }
        long noise = angles.stream().filter(a -> a.favors().equals(NOISE)).count();
        if (2 * measured < angles.size()) {
            // Fewer than half the angles could be weighed: no overall verdict rests on the few that remain.
            outcome = noise > 0 ? Outcome.INCONCLUSIVE : outcome;
            if (noise > 0) {
                text.append(" Inconclusive (machine busy): only ")
                        .append(measured)
                        .append(" of ")
                        .append(angles.size())
                        .append(" angles could be weighed; ")
                        .append(noise)
                        .append(" rest on numbers that are noise in this run.");
            }
        }
        s.verdict(outcome, text.toString());
        s.headline = "threads win " + forThreads + (forThreads == 1 ? " angle" : " angles") + ", processes "
                + forProcesses + " (of " + measured + " weighed)";
    }

    /**
     * {@return the angle, or the same angle marked {@link #NOISE} if its experiment was inconclusive or
     * the two numbers it compares ({@code keys}: a pair) overlap while one is noise: no angle favors a
     * side on a noisy number (a noisy number wholly apart from the other still decides, as in the lab)}
     */
    private static Angle guard(Angle a, Section source, String... keys) {
        if (source == null || a.favors().equals("not measured")) {
            return a;
        }
        List<String> noisy = new ArrayList<>();
        if (keys.length == 2) {
            Metric x = source.metric(keys[0]).orElse(null);
            Metric y = source.metric(keys[1]).orElse(null);
            if (x != null && y != null && (x.noisy() || y.noisy()) && !Section.separated(x, y)) {
                noisy.add((x.noisy() ? x : y).label());
            }
        }
        if (source.outcome != Outcome.INCONCLUSIVE && noisy.isEmpty()) {
            return a;
        }
        String why = source.outcome == Outcome.INCONCLUSIVE
                ? "the " + source.id + " experiment was inconclusive"
                : "noise in " + String.join(", ", noisy);
        return new Angle(a.name(), a.threads(), a.processes(), a.ratio(), NOISE, why);
    }

    /** {@return the metrics of a section an angle is computed from; empty if the section did not run} */
    private static List<Map.Entry<Section, String>> inputs(Section source, String... keys) {
        if (source == null) {
            return List.of();
        }
        return Arrays.stream(keys).map(k -> Map.entry(source, k)).toList();
    }

    private static String[] isolationKeys() {
        return Arrays.stream(Fault.values())
                .flatMap(f -> Stream.of("survived.threads." + f.name(), "survived.processes." + f.name()))
                .toArray(String[]::new);
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static Angle missing(String name, String experiment) {
        return new Angle(name, "-", "-", Double.NaN, "not measured", "run: tandem lab " + experiment + " verdict");
    }

    private static Angle resources(Section r) {
        if (r == null || r.metrics.isEmpty()) {
            return missing("resources", "resources");
        }
        String proc = r.metric("pss.worker").isPresent() ? "worker" : "jvm";
        double threadKiB = r.median("pss.platform"); // PSS on both sides, as the resources section compares them
        double procKiB = r.median("pss." + proc) * 1024;
        double ratio = procKiB / Math.max(1, threadKiB);
        return new Angle(
                "resources",
                Units.num(threadKiB, "KiB") + " PSS per platform thread",
                Units.num(procKiB / 1024, "MiB") + " PSS per " + (proc.equals("worker") ? "worker JVM" : "JVM"),
                ratio,
                ratio > 1 ? "threads" : "processes",
                "each process carries a JVM (heap, JIT, GC threads)");
    }

    private static Angle concurrency(Section r, Section sc) {
        if (r == null || r.metrics.isEmpty()) {
            return missing("concurrency", "resources");
        }
        double virtualMicros = r.median("create.virtual");
        double procMicros = r.metric("firstResult.worker").isPresent()
                ? r.median("firstResult.worker") * 1000
                : r.median("create.jvm") * 1000;
        double ratio = procMicros / virtualMicros;
        String io = "";
        if (sc != null && sc.outcome != Outcome.INCONCLUSIVE) { // never quote a section that could not decide
            String key = "speedup.VIRTUAL_THREADS.io."
                    + ScalingExperiment.workers(false).getLast();
            if (Double.isNaN(sc.median(key))) {
                key = "speedup.VIRTUAL_THREADS.io."
                        + ScalingExperiment.workers(true).getLast();
            }
            double virt = sc.median(key);
            // a speed-up beyond the workers is an artefact, never a number to quote
            io = Double.isNaN(virt) || sc.artefact(key)
                    ? ""
                    : "; IO-bound work scaled " + Units.ratio(virt) + " on virtual threads";
        }
        return new Angle(
                "concurrency",
                Units.num(virtualMicros, "µs") + " per virtual thread",
                Units.num(procMicros / 1000, "ms") + " per worker JVM",
                ratio,
                ratio > 1 ? "threads" : "processes",
                "many small or blocking tasks want cheap units" + io);
    }

    /**
     * {@return the size the data-sharing angle compares: the smallest measured size of at least 1 MiB at
     * which both variants ran, else the largest below; -1 if none}
     */
    private static long sharedSize(Section sh) {
        long size = -1;
        if (sh == null) {
            return size;
        }
        for (Metric m : sh.metrics.values()) {
            if (m.key().startsWith("copy.") && !Double.isNaN(m.median())) {
                long bytes = Long.parseLong(m.key().substring("copy.".length()));
                if (Double.isNaN(sh.median("heap." + bytes))) {
                    continue;
                }
                boolean big = bytes >= 1 << 20;
                boolean better = size < 0 || (big ? size < 1 << 20 || bytes < size : size < 1 << 20 && bytes > size);
                if (better) {
                    size = bytes;
                }
            }
        }
        return size;
    }

    private static Angle sharing(Section sh, long size) {
        if (sh == null) {
            return missing("data sharing", "sharing");
        }
        if (size < 0) {
            return new Angle(
                    "data sharing",
                    "measured alone",
                    "not measured",
                    Double.NaN,
                    "not measured",
                    "process mode unavailable");
        }
        String label = SharingExperiment.sizeLabel(size);
        double heap = sh.median("heap." + size);
        double copy = sh.median("copy." + size);
        double shm = sh.median("shm." + size);
        double ratio = copy / heap;
        return new Angle(
                "data sharing",
                Units.num(heap, "ms") + " to hand over " + label + " (a reference)",
                Units.num(copy, "ms") + " copied, " + Units.num(shm, "ms") + " via shared memory",
                ratio,
                ratio > 1 ? "threads" : "processes",
                "threads share the heap; processes copy or map bytes explicitly");
    }

    private static Angle isolation(Section is) {
        if (is == null) {
            return missing("failure isolation", "isolation");
        }
        int faults = Fault.values().length;
        int threadOk = 0;
        int processOk = 0;
        boolean processMeasured = false;
        for (Fault f : Fault.values()) {
            String kt = "threads." + f.name();
            if (is.median("died." + kt) < 50
                    && is.median("stuck." + kt) <= 0
                    && !Double.isNaN(is.median("full." + kt))
                    && is.median("survived." + kt) >= 100) {
                threadOk++;
            }
            String kp = "processes." + f.name();
            if (is.metric("survived." + kp).isPresent()) {
                processMeasured = true;
                if (is.median("survived." + kp) >= 100 && !Double.isNaN(is.median("available." + kp))) {
                    processOk++;
                }
            }
        }
        if (!processMeasured) {
            return new Angle(
                    "failure isolation",
                    threadOk + " of " + faults + " faults contained",
                    "not measured",
                    Double.NaN,
                    "not measured",
                    "process mode unavailable");
        }
        double ratio = (faults - processOk + 0.5) / (faults - threadOk + 0.5);
        return new Angle(
                "failure isolation",
                threadOk + " of " + faults + " faults contained cleanly",
                processOk + " of " + faults + " faults contained",
                ratio,
                processOk > threadOk ? "processes" : "threads",
                "a fault that ends or wedges a JVM only takes its own worker down");
    }

    private static Angle structure(Section ra) {
        if (ra == null) {
            return missing("structure", "races");
        }
        double lost = ra.median("lost.volatile");
        double shm = ra.median("lost.shmPlain");
        String procs = Double.isNaN(ra.median("lost.processCopy"))
                ? "not measured"
                : "no race without sharing; " + Units.num(shm, "%") + " lost once memory is shared";
        return new Angle(
                "structure",
                Units.num(lost, "%") + " updates lost without synchronization",
                procs,
                Double.NaN,
                Double.isNaN(ra.median("lost.processCopy")) ? "not measured" : "processes",
                "separate heaps rule out accidental races; shared state needs atomics either way");
    }

    private static Angle overhead(Section sw, Section sc) {
        if (sw == null) {
            return missing("overhead", "switching");
        }
        Stats t = sw.stats("rt.pipe.thread.same");
        Stats p = sw.stats("rt.pipe.process.same");
        double poolT = sw.median("pool.threads");
        double poolP = sw.median("pool.processes");
        String cpu = "";
        if (sc != null && sc.outcome != Outcome.INCONCLUSIVE) { // never quote a section that could not decide
            int n = Math.min(Runtime.getRuntime().availableProcessors(), 4);
            String thr = "speedup.THREADS.cpu." + n;
            String pr = "speedup.PROCESSES.cpu." + n;
            // a speed-up beyond the cores is an artefact, never a number to quote
            cpu = sc.artefact(thr) || sc.artefact(pr)
                    ? ""
                    : "; CPU-bound speed-up x" + n + ": threads " + sc.ratio(thr) + ", processes " + sc.ratio(pr);
        }
        double ratio = p.median() / t.median();
        Contrast c = Contrast.of(t, p); // the rule the switching section's words and outcome follow too
        String favors = overheadFavors(c);
        return new Angle(
                "overhead",
                Units.num(t.median(), "µs") + " same-CPU switch round trip, " + Units.num(poolT, "µs")
                        + " per pooled empty task",
                Units.num(p.median(), "µs") + " same-CPU switch round trip, " + Units.num(poolP, "µs")
                        + " per pooled empty task",
                ratio,
                favors,
                (c.decides() ? "" : "the repeats overlap: ")
                        + SwitchingExperiment.switchCost(c, ratio)
                        + "; a pooled task pays for wake-ups and a channel" + cpu);
    }

    /**
     * {@return the angles won by the side the claim does not give them, such as "processes won overhead"} Was: a run
     * whose threads won resources, concurrency and data sharing and whose processes won failure isolation, structure and
     * overhead was "supported", the claim giving overhead (cheap switching) to threads.
     *
     * @param favors whom each angle favors, by angle name
     */
    static List<String> againstTheClaim(Map<String, String> favors) {
        List<String> out = new ArrayList<>();
        favors.forEach((angle, side) -> {
            String claimed = CLAIMED.get(angle);
            if (claimed != null && (side.equals("threads") || side.equals("processes")) && !side.equals(claimed)) {
                out.add(side + " won " + angle);
            }
        });
        return out;
    }

    /**
     * {@return whom the overhead row favors, by the rule of the switching verdict ({@link
     * SwitchingExperiment#outcome}): repeats that overlap are {@link #NOISE}, inconclusive in both (the row said
     * "neither" while the section said "refuted"); told apart but within {@link #MATTERS}, {@link #CLOSE}; else
     * the cheaper side}
     */
    static String overheadFavors(Contrast c) {
        if (!c.decides()) {
            return NOISE;
        }
        return c == Contrast.CLOSE ? CLOSE : c.dearer() ? "threads" : "processes";
    }

    private void chart(Section s, List<Angle> angles) {
        ObjectNode o = Charts.base("What processes cost relative to threads (×, log scale)");
        Charts.categoryAxis(o, "yAxis", angles.stream().map(Angle::name).toList())
                .put("inverse", true);
        Charts.valueAxis(o, "xAxis", "processes / threads (above 1: threads cheaper)", true);
        List<Double> values = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Angle a : angles) {
            boolean ratio = !Double.isNaN(a.ratio());
            values.add(ratio ? a.ratio() : 1.0);
            labels.add(ratio ? Units.ratio(a.ratio()) : "no ratio: " + a.favors());
        }
        ObjectNode series = Charts.labelledBars(o, "processes / threads", values, labels, "right");
        for (int i = 0; i < angles.size(); i++) {
            Angle a = angles.get(i);
            String color = Double.isNaN(a.ratio())
                    ? "rgba(0,0,0,0)"
                    : a.favors().equals("threads") ? "#5470c6" : a.favors().equals("processes") ? "#fc8452" : "#9aa3ad";
            ((ObjectNode) series.path("data").get(i)).putObject("itemStyle").put("color", color);
        }
        Charts.obj(o, "grid").put("top", 8).put("right", 72);
        o.put("_height", 340);
        s.chart = o;
        s.chartCaption =
                "For each angle, processes' cost over threads' (for failure isolation: faults not contained, so "
                        + "below 1 means processes contain more). Blue: favors threads; orange: favors processes; grey: within "
                        + "noise or inconclusive. An angle without a ratio says whom it favors in words; the table says why.";
    }
}
