package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.measure.Charts;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * <b>resources</b>: what one unit of concurrency costs to create and to keep: a platform thread, a
 * virtual thread, a Tandem worker JVM, a bare JVM, and a plain OS process ({@code true} timed from spawn
 * to exit, {@code cat} measured while it waits).
 *
 * <p>Threads are measured inside a fresh child JVM: creation is timed over rounds of many threads
 * (create, start, join) after a warm-up round; memory is the growth of the child's RSS and PSS
 * (from {@code /proc/self/smaps_rollup}) and, for virtual threads whose stacks live in the heap, of
 * the used heap, while many threads are parked at once, divided by their number. Processes are
 * measured from the outside: time from spawn to ready (a worker's handshake, a JVM's first line, a
 * {@code cat} echoing a byte), and the process's RSS, PSS, OS threads and open files as the kernel
 * reports them.
 */
final class ResourcesExperiment implements Experiment {
    static final List<String> KINDS = List.of("platform", "virtual", "worker", "jvm", "process");
    static final List<String> LABELS =
            List.of("platform thread", "virtual thread", "Tandem worker JVM", "bare JVM", "OS process");

    @Override
    public String id() {
        return "resources";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Resources: what a thread and a process cost",
                "Processes need more resources (memory, file handles) than threads, and cost more to create, "
                        + "because each process needs its own execution environment.",
                "多进程需要的资源（包括内存、文件句柄等）通常会比多线程更多。这是因为每个进程都需要有自己的独立执行环境。");
    }

    @Override
    public int steps(Bench bench) {
        return 4;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        int memRepeats = bench.quick() ? 3 : 5;
        int platformCount = bench.quick() ? 200 : 500;
        int virtualCount = bench.quick() ? 5_000 : 50_000;
        s.method = "Threads: in a fresh JVM (-XX:+UseSerialGC), " + virtualCount + " virtual, then " + platformCount
                + " platform threads are created, started and joined per round (" + bench.repeats()
                + " rounds after a warm-up round); then as many are parked at once and the JVM's RSS and PSS "
                + "(/proc/self/smaps_rollup), OS threads, open files and used heap are compared with before ("
                + memRepeats + " JVMs). Processes: spawn-to-ready time and the kernel's view of each process "
                + "(RSS, PSS, threads, open files): a Tandem worker JVM (Tandem.processes(1).start(), then the first "
                + "result), a bare JVM running one class, and cat echoing one byte.";

        bench.step("platform and virtual threads");
        threads(bench, s, virtualCount, platformCount, memRepeats);
        bench.step("Tandem worker JVMs");
        workers(bench, s, memRepeats);
        bench.step("bare JVMs");
        bareJvms(bench, s, memRepeats);
        bench.step("OS processes");
        osProcesses(bench, s);

        chart(s);
        table(s);
        verdict(s);
    }

    private void threads(Bench bench, Section s, int virtualCount, int platformCount, int memRepeats) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        for (int i = 0; i < memRepeats; i++) {
            Path out = bench.tmp.resolve("threads-" + i + ".json");
            int creationRounds = i == 0 ? bench.repeats() : 1;
            try (ChildJvm jvm = bench.child(
                    List.of("-Xmx512m", "-Xms64m"),
                    "threads",
                    List.of(
                            Integer.toString(virtualCount),
                            Integer.toString(platformCount),
                            Integer.toString(creationRounds),
                            out.toString()),
                    false)) {
                Integer code = jvm.await(Pace.Limit.CHILD_RUN);
                if (code == null || code != 0) {
                    throw new IllegalStateException("thread probe JVM "
                            + (code == null ? "hung" : ChildJvm.describeExit(code)) + ": " + jvm.stderrTail());
                }
            }
            runs.add(Json.MAPPER.readTree(out.toFile()));
        }
        for (String kind : List.of("platform", "virtual")) {
            List<Double> create = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> pss = new ArrayList<>();
            List<Double> heap = new ArrayList<>();
            List<Double> osThreads = new ArrayList<>();
            List<Double> fds = new ArrayList<>();
            for (JsonNode run : runs) {
                JsonNode r = run.get(kind);
                double count = r.get("count").asDouble();
                r.get("createMicros").forEach(n -> create.add(n.asDouble()));
                rss.add((r.get("rssKiBAfter").asDouble() - r.get("rssKiBBefore").asDouble()) / count);
                pss.add((r.get("pssKiBAfter").asDouble() - r.get("pssKiBBefore").asDouble()) / count);
                heap.add((r.get("heapBytesAfter").asDouble()
                                - r.get("heapBytesBefore").asDouble())
                        / 1024.0
                        / count);
                osThreads.add((r.get("osThreadsAfter").asDouble()
                                - r.get("osThreadsBefore").asDouble())
                        / count);
                fds.add((r.get("fdsAfter").asDouble() - r.get("fdsBefore").asDouble()) / count);
            }
            Map<String, Object> p = Map.of("threads", kind.equals("virtual") ? virtualCount : platformCount);
            String l = kind + " thread";
            s.add("create." + kind, "create + start + join one " + l, "µs", create, p);
            s.add("rss." + kind, "RSS growth per parked " + l, "KiB", rss, p);
            s.add("pss." + kind, "PSS growth per parked " + l, "KiB", pss, p);
            s.add("heap." + kind, "used heap growth per parked " + l, "KiB", heap, p);
            s.add("osThreads." + kind, "OS threads per " + l, "threads", osThreads, p);
            s.add("fds." + kind, "open files per " + l, "files", fds, p);
        }
    }

    private void workers(Bench bench, Section s, int repeats) throws Exception {
        List<Double> start = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        List<Double> vmRss = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> fds = new ArrayList<>();
        try {
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (TaskPool pool = Bench.start(Tandem.processes(1)
                        .forwardOutput(false)
                        .jvmOptions(bench.workerJvmOptions().toArray(String[]::new)))) {
                    long t1 = System.nanoTime();
                    long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
                    long t2 = System.nanoTime();
                    start.add((t1 - t0) / 1e6);
                    first.add((t2 - t0) / 1e6);
                    long[] f = ProcFs.footprint(pid);
                    rss.add(f[0] / 1024.0);
                    pss.add(f[1] / 1024.0);
                    threads.add((double) f[2]);
                    fds.add((double) f[3]);
                    vmRss.add(ProcFs.status(Long.toString(pid)).getOrDefault("VmRSS", -1L) / 1024.0);
                }
            }
        } catch (Bench.Unavailable e) {
            s.note("Tandem worker JVMs were not measured: process mode is not available in this build of Tandem ("
                    + e.getMessage() + "). The bare JVM below stands in for them.");
            return;
        }
        Map<String, Object> p = Map.of("workers", 1);
        s.add("create.worker", "Tandem.processes(1).start() until the worker is ready", "ms", start, p);
        s.add("firstResult.worker", "Tandem.processes(1).start() until the first result", "ms", first, p);
        s.add("rss.worker", "RSS of an idle worker JVM after one task", "MiB", rss, p);
        s.add("pss.worker", "PSS of an idle worker JVM after one task", "MiB", pss, p);
        s.add("vmrss.worker", "VmRSS (/proc/PID/status) of the same worker, cross-check", "MiB", vmRss, p);
        s.add("osThreads.worker", "OS threads of a worker JVM", "threads", threads, p);
        s.add("fds.worker", "open files of a worker JVM", "files", fds, p);
    }

    private void bareJvms(Bench bench, Section s, int repeats) throws Exception {
        List<Double> start = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> fds = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            try (ChildJvm jvm = bench.child(List.of("-Xmx64m"), "idle", List.of(), true)) {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(jvm.process().getInputStream(), StandardCharsets.UTF_8));
                String line = in.readLine();
                if (!"ready".equals(line)) {
                    throw new IllegalStateException("bare JVM did not start: " + jvm.stderrTail());
                }
                start.add(jvm.age().toNanos() / 1e6);
                long[] f = ProcFs.footprint(jvm.process().pid());
                rss.add(f[0] / 1024.0);
                pss.add(f[1] / 1024.0);
                threads.add((double) f[2]);
                fds.add((double) f[3]);
                jvm.process().getOutputStream().close();
                jvm.await(Pace.Limit.PROCESS_EXIT);
            }
        }
        Map<String, Object> p = Map.of("heap", "-Xmx64m");
        s.add("create.jvm", "spawn a bare JVM until its main() prints", "ms", start, p);
        s.add("rss.jvm", "RSS of a bare idle JVM", "MiB", rss, p);
        s.add("pss.jvm", "PSS of a bare idle JVM", "MiB", pss, p);
        s.add("osThreads.jvm", "OS threads of a bare JVM", "threads", threads, p);
        s.add("fds.jvm", "open files of a bare JVM", "files", fds, p);
    }

    private void osProcesses(Bench bench, Section s) throws Exception {
        List<Double> spawn = new ArrayList<>();
        int perSample = bench.quick() ? 10 : 20;
        for (int rep = -1; rep < bench.repeats(); rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perSample; i++) {
                Process p = new ProcessBuilder("true").start();
                if (!Pace.await(Pace.Limit.PROCESS_EXIT, ns -> p.waitFor(ns, TimeUnit.NANOSECONDS))) {
                    p.destroyForcibly();
                    throw new IllegalStateException("'true' did not exit within "
                            + Pace.Limit.PROCESS_EXIT.quiet().toSeconds() + " s stretched by the machine's pace");
                }
            }
            if (rep >= 0) {
                spawn.add((System.nanoTime() - t0) / 1e3 / perSample);
            }
        }
        s.add(
                "create.process",
                "spawn 'true' until it exited (fork/exec from this JVM)",
                "µs",
                spawn,
                Map.of("perSample", perSample));
        List<Double> rss = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> fds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Process cat = new ProcessBuilder("cat")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                OutputStream toCat = cat.getOutputStream();
                toCat.write('x');
                toCat.flush();
                if (cat.getInputStream().read() != 'x') {
                    throw new IllegalStateException("cat did not echo");
                }
                long[] f = ProcFs.footprint(cat.pid());
                rss.add(f[0] / 1024.0);
                pss.add(f[1] / 1024.0);
                threads.add((double) f[2]);
                fds.add((double) f[3]);
                toCat.close();
                Pace.await(Pace.Limit.PROCESS_EXIT, ns -> cat.waitFor(ns, TimeUnit.NANOSECONDS));
            } finally {
                cat.destroyForcibly();
            }
        }
        s.add("rss.process", "RSS of cat waiting for input", "MiB", rss, Map.of());
        s.add("pss.process", "PSS of cat waiting for input", "MiB", pss, Map.of());
        s.add("osThreads.process", "OS threads of cat", "threads", threads, Map.of());
        s.add("fds.process", "open files of cat", "files", fds, Map.of());
    }

    /** {@return a metric's median converted to KiB, or NaN} */
    private static double kib(Section s, String key) {
        return s.metric(key)
                .map(m -> m.unit().equals("MiB") ? m.median() * 1024 : m.median())
                .orElse(Double.NaN);
    }

    /** {@return a metric's median converted to µs, or NaN} */
    private static double micros(Section s, String key) {
        return s.metric(key)
                .map(m -> m.unit().equals("ms") ? m.median() * 1000 : m.median())
                .orElse(Double.NaN);
    }

    void chart(Section s) {
        ObjectNode o = Charts.base("Cost of one unit (log scales)");
        var grids = o.putArray("grid");
        grids.add(Charts.grid(12, 16, 30, 0).put("height", "34%"));
        grids.add(Charts.grid(12, 16, 0, 8).put("top", "56%"));
        var xs = o.putArray("xAxis");
        var ys = o.putArray("yAxis");
        for (int g = 0; g < 2; g++) {
            ObjectNode x = xs.addObject().put("type", "category").put("gridIndex", g);
            LABELS.forEach(x.putArray("data")::add);
            // each grid names its bars: the top one's labels were hidden ("show": g == 1), so the creation
            // chart's bars had no names and read as belonging to the memory chart's labels below it
            x.putObject("axisLabel").put("interval", 0).put("fontSize", 10);
            Charts.valueAxis(ys.addObject().put("gridIndex", g), true, g == 0 ? "creation (µs)" : "memory (KiB)", true);
        }
        List<Double> create = KINDS.stream()
                .map(k -> micros(s, k.equals("worker") ? "firstResult.worker" : "create." + k))
                .toList();
        List<Double> rss = KINDS.stream()
                .map(k -> kib(s, "rss." + k))
                .map(v -> v > 0 ? v : Double.NaN)
                .toList();
        List<Double> pss = KINDS.stream()
                .map(k -> kib(s, k.equals("virtual") ? "heap.virtual" : "pss." + k))
                .map(v -> v > 0 ? v : Double.NaN)
                .toList();
        Charts.bars(o, "creation to first use (µs)", create)
                .put("xAxisIndex", 0)
                .put("yAxisIndex", 0);
        Charts.bars(o, "RSS (KiB)", rss).put("xAxisIndex", 1).put("yAxisIndex", 1);
        Charts.bars(o, "PSS (KiB; heap for virtual threads)", pss)
                .put("xAxisIndex", 1)
                .put("yAxisIndex", 1);
        o.put("_height", 540);
        s.chart = o;
        s.chartCaption = "Top: time to create one unit and run it (medians). Bottom: memory per unit as the kernel "
                + "counts it. Log scales: each grid line is 10×.";
    }

    void table(Section s) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < KINDS.size(); i++) {
            String k = KINDS.get(i);
            boolean thread = i < 2;
            String create = k.equals("worker")
                    ? Units.num(s.median("create.worker"), "ms") + " ready, "
                            + Units.num(s.median("firstResult.worker"), "ms") + " first result"
                    : Units.num(
                                    s.median("create." + k),
                                    s.metric("create." + k).map(Metric::unit).orElse(""))
                            + (k.equals("process") ? " ('true' spawned until it exited)" : "");
            String mem = thread
                    ? Units.num(kib(s, "pss." + k), "KiB") + " PSS (" + Units.num(kib(s, "rss." + k), "KiB") + " RSS), "
                            + Units.num(kib(s, "heap." + k), "KiB") + " heap"
                    : Units.num(s.median("pss." + k), "MiB") + " PSS (" + Units.num(s.median("rss." + k), "MiB")
                            + " RSS)" + (k.equals("process") ? " of cat waiting for input" : "");
            rows.add(List.of(
                    LABELS.get(i),
                    create,
                    mem,
                    Units.whole(s.median("osThreads." + k)),
                    Units.whole(s.median("fds." + k))));
        }
        s.tables.add(new Table(
                "Per unit (medians; threads: growth per thread while many are parked)",
                List.of("unit", "creation", "memory", "OS threads", "open files"),
                rows));
    }

    void verdict(Section s) {
        // one memory measure on both sides, PSS (each shared page counted once, shared by its sharers): the
        // headline compared a process's PSS with a thread's RSS
        double threadKiB = Math.max(kib(s, "pss.platform"), 1);
        String processKey = s.metric("pss.worker").isPresent() ? "worker" : "jvm";
        String processLabel = processKey.equals("worker") ? "a Tandem worker JVM" : "a bare JVM";
        double processKiB = kib(s, "pss." + processKey);
        double threadMicros = micros(s, "create.platform");
        double processMicros = micros(s, processKey.equals("worker") ? "firstResult.worker" : "create.jvm");
        double osKiB = kib(s, "pss.process");
        double osMicros = micros(s, "create.process");
        double memRatio = processKiB / threadKiB;
        double timeRatio = processMicros / threadMicros;
        s.headline = processLabel.substring(2) + " " + Units.num(processKiB / 1024, "MiB") + " PSS vs platform thread "
                + Units.num(threadKiB, "KiB") + " PSS (" + Units.ratio(memRatio) + "); start " + Units.ratio(timeRatio)
                + " slower";
        Stats procStats = s.stats("pss." + processKey);
        Stats threadStats = s.stats("pss.platform");
        if (Double.isNaN(memRatio) || Double.isNaN(timeRatio)) {
            s.verdict(
                    Outcome.INCONCLUSIVE,
                    "A needed number is missing: thread " + Units.num(threadKiB, "KiB") + ", process "
                            + Units.num(processKiB, "KiB") + ".");
            return;
        }
        StringBuilder v = new StringBuilder();
        v.append(String.format(
                Locale.ROOT,
                "%s costs %s of memory of its own (PSS), %s as much as a platform thread (%s PSS per "
                        + "thread), and takes %s to start and answer, %s as long as a platform thread (%s). ",
                cap(processLabel),
                Units.num(processKiB / 1024, "MiB"),
                Units.ratio(memRatio),
                Units.num(threadKiB, "KiB"),
                Units.num(processMicros / 1000, "ms"),
                Units.ratio(timeRatio),
                Units.num(threadMicros, "µs")));
        v.append(String.format(
                Locale.ROOT,
                "A virtual thread is cheaper still: %s to create and about %s of heap while parked. ",
                Units.num(micros(s, "create.virtual"), "µs"),
                Units.num(kib(s, "heap.virtual"), "KiB")));
        if (!Double.isNaN(osKiB)) {
            v.append(String.format(
                    Locale.ROOT,
                    "A plain OS process costs only %s PSS (cat waiting for input) and %s to spawn and exit ('true',"
                            + " fork/exec from this JVM): most of a worker's cost is the JVM it carries (heap, JIT"
                            + " compilers, GC and service threads: %s OS threads, %s open files), not the process"
                            + " itself.",
                    Units.num(osKiB, "KiB"),
                    Units.num(osMicros, "µs"),
                    Units.whole(s.median("osThreads." + processKey)),
                    Units.whole(s.median("fds." + processKey))));
        }
        s.compares("pss." + processKey, "pss.platform");
        s.compares(processKey.equals("worker") ? "firstResult.worker" : "create.jvm", "create.platform");
        boolean clear = memRatio > 10 && timeRatio > 10 && !procStats.tooWide();
        s.verdict(
                clear ? Outcome.SUPPORTED : memRatio > 1 && timeRatio > 1 ? Outcome.MIXED : Outcome.REFUTED,
                v.toString());
        if (threadStats.n() > 0 && threadStats.median() <= 0) {
            s.note(
                    "The platform threads' PSS growth was not positive: the JVM had already committed the pages they used.");
        }
        crossCheck(s, processKey);
    }

    private static void crossCheck(Section s, String processKey) {
        double rss = s.median("rss." + processKey);
        double vmRss = s.median("vmrss." + processKey);
        if (!Double.isNaN(vmRss)) {
            s.note(String.format(
                    Locale.ROOT,
                    "Cross-check: the worker's Rss from smaps_rollup (%s) and VmRSS from /proc/PID/status (%s) "
                            + "differ by %s.",
                    Units.num(rss, "MiB"),
                    Units.num(vmRss, "MiB"),
                    Units.percent(Math.abs(rss - vmRss) / vmRss)));
        }
        double osThreads = s.median("osThreads.platform");
        if (!Double.isNaN(osThreads)) {
            s.note(String.format(
                    Locale.ROOT,
                    "Cross-check: the kernel counted %s OS threads per platform thread and %s per virtual "
                            + "thread (virtual threads share a few carrier threads).",
                    Units.whole(osThreads),
                    Units.whole(s.median("osThreads.virtual"))));
        }
    }

    private static String cap(String x) {
        return Character.toUpperCase(x.charAt(0)) + x.substring(1);
    }
}
