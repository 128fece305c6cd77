package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.PoolFailedException;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * <b>isolation</b>: one fault ({@link Fault}) injected into one task among bystanders, under a thread pool
 * and under a process pool, with the same {@link FaultDrill}. Thread mode runs inside a child JVM,
 * because several faults end the whole JVM; the lab reads the drill's events from a file and the
 * child's exit code. Process mode runs here, since surviving such faults is the point of it.
 */
final class IsolationExperiment implements Experiment {
    /** Bystanders queued behind the fault. */
    private static final int QUEUED = 3;
    /** One bystander runs beside the fault, longer than a fault that strikes at once takes to strike. */
    private static final int BYSTANDERS = QUEUED + 1;

    private static final long BESIDE_MILLIS = 400;
    private static final long NAP_MILLIS = 20;

    @Override
    public String id() {
        return "isolation";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Isolation: one faulty task among others",
                "A process that crashes does not affect other processes; a thread that crashes may take down the other "
                        + "threads of its process.",
                "因为进程有独立的内存空间，所以一个进程崩溃并不会直接影响到其他进程。但在多线程的情况下，一个线程的崩溃可能会影响到位于同一进程中的其他线程。");
    }

    @Override
    public int steps(Bench bench) {
        return threadGroups().size() + Fault.values().length;
    }

    /** Faults that leave a JVM clean share one child JVM; each of the others gets its own. */
    static List<List<Fault>> threadGroups() {
        List<List<Fault>> groups = new ArrayList<>();
        groups.add(Arrays.stream(Fault.values()).filter(f -> f.leavesJvmClean).toList());
        Arrays.stream(Fault.values()).filter(f -> !f.leavesJvmClean).forEach(f -> groups.add(List.of(f)));
        return groups;
    }

    private static int repeats(Bench bench) {
        return bench.quick() ? 1 : 3;
    }

    /** The task timeout of the drills of faults that hang; the other drills have none. */
    private static long timeoutMillis(Bench bench) {
        return 500;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        long timeout = timeoutMillis(bench);
        s.method = String.format(
                        "Each drill submits to a pool of 2 workers a bystander task of %d ms (it runs beside the "
                                + "fault on the other worker; half the timeout when there is one), the faulty task, and %d bystanders of %d ms that wait behind them; the pool has "
                                + "a task timeout of %d ms when the fault hangs. It records each outcome, the time until a new task succeeds "
                                + "once the bystanders are done (available), the time until both workers take tasks again (full strength), "
                                + "threads left inside the fault, and the CPU still burnt over 0.15 s. Thread mode: Tandem.threads(2) inside "
                                + "a child JVM (-Xmx96m), a new pool per drill and a new JVM per fault that can end or wedge it (the "
                                + "exception, OutOfMemoryError and stack-overflow drills share one); when the JVM dies, recovery means "
                                + "starting the application again, timed as a fresh JVM's start to its pool's first task. Process mode: "
                                + "Tandem.processes(2) (worker -Xmx64m) in the lab's JVM, one pool for all drills (another, with the "
                                + "timeout, for the faults that hang). %d drill(s) per fault and mode.",
                        BESIDE_MILLIS, QUEUED, NAP_MILLIS, timeout, repeats(bench))
                + " The faults: "
                + String.join(
                        "; ",
                        Arrays.stream(Fault.values())
                                .map(f -> f.label + " (the task " + f.description + ")")
                                .toList())
                + ".";
        Random random = bench.random();
        Map<String, List<Drill>> results = new LinkedHashMap<>();
        for (Fault f : Fault.values()) {
            results.put("threads." + f.name(), new ArrayList<>());
        }
        for (List<Fault> group : threadGroups()) {
            bench.step("thread mode, "
                    + String.join(" + ", group.stream().map(f -> f.label).toList()));
            for (int r = 0; r < repeats(bench); r++) {
                Map<Fault, Drill> drills = threadDrills(bench, group, random.nextLong(), timeout);
                drills.forEach((f, d) -> results.get("threads." + f.name()).add(d));
            }
        }
        TaskPool plain = null;
        TaskPool timed = null;
        try {
            for (Fault f : Fault.values()) {
                bench.step("process mode, " + f.label);
                List<Drill> drills = new ArrayList<>();
                for (int r = 0; r < repeats(bench); r++) {
                    if (f.hangs() && (timed == null || timed.isShutdown())) {
                        timed = Bench.start(processPool(bench).taskTimeout(Duration.ofMillis(timeout)));
                    } else if (!f.hangs() && (plain == null || plain.isShutdown())) {
                        plain = Bench.start(processPool(bench));
                    }
                    drills.add(processDrill(f.hangs() ? timed : plain, f, random.nextLong(), timeout));
                }
                results.put("processes." + f.name(), drills);
            }
        } catch (Bench.Unavailable e) {
            s.note("Process mode was not measured: " + e.getMessage());
        } finally {
            for (TaskPool pool : Arrays.asList(plain, timed)) {
                if (pool != null) {
                    pool.shutdownNow();
                    pool.close();
                }
            }
        }
        record(s, results);
        chart(s);
        verdict(s, results);
    }

    static Tandem.Builder processPool(Bench bench) {
        return Tandem.processes(2)
                .forwardOutput(false)
                .poisonThreshold(1000)
                .restartLimit(1000, Duration.ofSeconds(60))
                .jvmOptions(bench.workerJvmOptions("-Xmx64m").toArray(String[]::new));
    }

    /** What one drill showed. */
    record Drill(
            Fault fault,
            String mode,
            boolean besideOk,
            int behindOk,
            String faultOutcome,
            String faultMessage,
            boolean jvmDied,
            String exit,
            double availableMs,
            double fullStrengthMs,
            double restartMs,
            int stuckThreads,
            double busyCores) {}

    private Map<Fault, Drill> threadDrills(Bench bench, List<Fault> faults, long nonce, long timeout) throws Exception {
        Path out = bench.tmp.resolve("fault-" + faults.get(0).name() + "-" + Long.toHexString(nonce) + ".jsonl");
        long spawnEpoch = System.currentTimeMillis();
        Integer code;
        String stderr;
        String signal;
        try (ChildJvm jvm = bench.child(
                List.of("-Xmx96m", "-Xss512k"),
                "fault",
                List.of(
                        String.join(",", faults.stream().map(Fault::name).toList()),
                        Long.toString(nonce),
                        Integer.toString(QUEUED),
                        Long.toString(BESIDE_MILLIS),
                        Long.toString(NAP_MILLIS),
                        Long.toString(timeout),
                        out.toString()),
                false)) {
            code = jvm.await(Duration.ofSeconds(90));
            stderr = jvm.stderrTail();
            signal = Files.exists(jvm.crashLog(bench.tmp)) ? ChildJvm.crashSignal(jvm.crashLog(bench.tmp)) : null;
        }
        List<JsonNode> all = new ArrayList<>();
        if (Files.exists(out)) {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    all.add(Charts.JSON.readTree(line));
                }
            }
        }
        JsonNode ready = find(all, "ready");
        double restart = ready == null ? Double.NaN : ready.get("epochMs").asDouble() - spawnEpoch;
        String exit = (code == null ? "hung (killed)" : ChildJvm.describeExit(code))
                + (signal == null ? "" : " after " + signal + ", JVM crash log written");
        Map<Fault, Drill> drills = new LinkedHashMap<>();
        for (Fault fault : faults) {
            List<JsonNode> events = all.stream()
                    .filter(e -> e.path("drill").asText().equals(fault.name()))
                    .toList();
            JsonNode after = find(events, "aftermath");
            boolean died = after == null;
            boolean beside = events.stream()
                    .anyMatch(e -> e.get("event").asText().equals("bystander")
                            && e.get("id").asInt() == 0
                            && e.get("ok").asBoolean());
            int behind = (int) events.stream()
                    .filter(e -> e.get("event").asText().equals("bystander")
                            && e.get("id").asInt() > 0
                            && e.get("ok").asBoolean())
                    .count();
            JsonNode fe = find(events, "fault");
            String outcome = fe != null ? fe.get("outcome").asText() : "the whole JVM died (" + exit + ")";
            String message = fe != null ? fe.get("message").asText() : FaultDrill.firstLine(lastLine(stderr));
            JsonNode avail = find(events, "available");
            JsonNode full = find(events, "fullStrength");
            drills.put(
                    fault,
                    new Drill(
                            fault,
                            "threads",
                            beside,
                            behind,
                            outcome,
                            message,
                            died,
                            died ? exit : "",
                            avail != null && avail.get("ok").asBoolean()
                                    ? avail.get("ms").asDouble()
                                    : Double.NaN,
                            full != null && full.get("ok").asBoolean()
                                    ? full.get("ms").asDouble()
                                    : Double.NaN,
                            restart,
                            after == null ? -1 : after.get("stuckThreads").asInt(),
                            after == null ? Double.NaN : after.get("busyCores").asDouble()));
        }
        return drills;
    }

    private static String lastLine(String s) {
        List<String> lines =
                s.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static JsonNode find(List<JsonNode> events, String name) {
        return events.stream()
                .filter(e -> e.get("event").asText().equals(name))
                .findFirst()
                .orElse(null);
    }

    private Drill processDrill(TaskPool pool, Fault fault, long nonce, long timeout) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        try {
            new FaultDrill(pool, events::add).run(fault, nonce, BESIDE_MILLIS, QUEUED, NAP_MILLIS, timeout + 15_000);
        } catch (PoolFailedException e) {
            events.add(FaultDrill.event("poolFailed", "message", FaultDrill.firstLine(e.getMessage())));
            pool.shutdownNow();
        }
        boolean beside = events.stream()
                .anyMatch(e -> e.get("event").equals("bystander")
                        && Integer.valueOf(0).equals(e.get("id"))
                        && Boolean.TRUE.equals(e.get("ok")));
        int behind = (int) events.stream()
                .filter(e -> e.get("event").equals("bystander")
                        && !Integer.valueOf(0).equals(e.get("id"))
                        && Boolean.TRUE.equals(e.get("ok")))
                .count();
        Map<String, Object> fe = findMap(events, "fault");
        Map<String, Object> avail = findMap(events, "available");
        Map<String, Object> full = findMap(events, "fullStrength");
        Map<String, Object> after = findMap(events, "aftermath");
        String outcome = fe == null ? "no outcome" : String.valueOf(fe.get("outcome"));
        StringBuilder message = new StringBuilder(fe == null ? "" : String.valueOf(fe.get("message")));
        if (fe != null && fe.containsKey("workerExit")) {
            String signal = null;
            if (fe.containsKey("crashLog")) {
                // The crash was the lab's own doing: read what it says, then remove it rather than leave it in /tmp.
                Path log = Path.of((String) fe.get("crashLog"));
                signal = ChildJvm.crashSignal(log);
                Files.deleteIfExists(log);
            }
            String hint = String.valueOf(fe.getOrDefault("hint", ""));
            message.setLength(0);
            message.append("its worker died, ")
                    .append(ChildJvm.describeExit((Integer) fe.get("workerExit")))
                    .append(signal == null ? "" : " after " + signal + " (crash log written)")
                    .append(hint.isBlank() ? "" : "; Tandem's hint: " + hint);
        }
        return new Drill(
                fault,
                "processes",
                beside,
                behind,
                outcome,
                message.toString(),
                false,
                "",
                avail != null && Boolean.TRUE.equals(avail.get("ok")) ? (Double) avail.get("ms") : Double.NaN,
                full != null && Boolean.TRUE.equals(full.get("ok")) ? (Double) full.get("ms") : Double.NaN,
                Double.NaN,
                after == null ? -1 : (Integer) after.get("stuckThreads"),
                after == null ? Double.NaN : (Double) after.get("busyCores"));
    }

    private static Map<String, Object> findMap(List<Map<String, Object>> events, String name) {
        return events.stream()
                .filter(e -> name.equals(e.get("event")))
                .findFirst()
                .orElse(null);
    }

    private void record(Section s, Map<String, List<Drill>> results) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<Drill>> e : results.entrySet()) {
            List<Drill> drills = e.getValue();
            Drill d = drills.get(0);
            String k = e.getKey();
            Map<String, Object> p = Map.of("mode", d.mode(), "fault", d.fault().name(), "bystanders", BYSTANDERS);
            s.add(
                    "survived." + k,
                    "bystanders completed, " + d.mode() + ", " + d.fault().label,
                    "%",
                    drills.stream()
                            .map(x -> 100.0 * ((x.besideOk() ? 1 : 0) + x.behindOk()) / BYSTANDERS)
                            .toList(),
                    p);
            s.add(
                    "beside." + k,
                    "the task beside the fault completed, " + d.mode() + ", " + d.fault().label,
                    "%",
                    drills.stream().map(x -> x.besideOk() ? 100.0 : 0.0).toList(),
                    p);
            s.add(
                    "died." + k,
                    "the whole JVM died, " + d.mode() + ", " + d.fault().label,
                    "%",
                    drills.stream().map(x -> x.jvmDied() ? 100.0 : 0.0).toList(),
                    p);
            s.add(
                    "available." + k,
                    "fault to next successful task, " + d.mode() + ", " + d.fault().label,
                    "ms",
                    drills.stream().map(Drill::availableMs).toList(),
                    p);
            s.add(
                    "full." + k,
                    "fault to full strength, " + d.mode() + ", " + d.fault().label,
                    "ms",
                    drills.stream().map(Drill::fullStrengthMs).toList(),
                    p);
            if (d.jvmDied()) {
                s.add(
                        "restart." + k,
                        "restart the application: JVM spawn to pool ready, " + d.fault().label,
                        "ms",
                        drills.stream().map(Drill::restartMs).toList(),
                        p);
            }
            s.add(
                    "stuck." + k,
                    "threads left inside the fault, " + d.mode() + ", " + d.fault().label,
                    "threads",
                    drills.stream().map(x -> (double) x.stuckThreads()).toList(),
                    p);
            s.add(
                    "busy." + k,
                    "CPU still busy after the fault, " + d.mode() + ", " + d.fault().label,
                    "cores",
                    drills.stream().map(Drill::busyCores).toList(),
                    p);
            String recovery;
            if (d.jvmDied()) {
                recovery = "restart the whole application: " + Fmt.num(s.median("restart." + k), "ms");
            } else if (Double.isNaN(s.median("full." + k))) {
                recovery =
                        "available in " + Fmt.num(s.median("available." + k), "ms") + "; never back to full strength";
            } else {
                recovery = "available in " + Fmt.num(s.median("available." + k), "ms") + ", full strength in "
                        + Fmt.num(s.median("full." + k), "ms");
            }
            String leftovers = d.jvmDied()
                    ? "-"
                    : Fmt.num(s.median("stuck." + k)) + " stuck threads, " + Fmt.num(s.median("busy." + k))
                            + " cores busy";
            rows.add(List.of(
                    d.fault().label,
                    d.mode(),
                    d.faultOutcome() + (d.faultMessage().isBlank() ? "" : ": " + abbreviate(d.faultMessage(), 90)),
                    s.median("beside." + k) >= 50 ? "completed" : "lost",
                    Math.round(drills.stream()
                                    .mapToInt(Drill::behindOk)
                                    .average()
                                    .orElse(0)) + " of " + QUEUED,
                    d.jvmDied() ? "died (" + d.exit() + ")" : "alive",
                    recovery,
                    leftovers));
        }
        s.tables.add(new Table(
                "What happened (first drill's outcome; numbers are medians over drills)",
                List.of(
                        "fault",
                        "mode",
                        "the faulty task",
                        "the task beside it",
                        "tasks queued behind it",
                        "the JVM of the pool",
                        "recovery",
                        "left behind"),
                rows));
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n) + "...";
    }

    private void chart(Section s) {
        ObjectNode o = Charts.base("Other tasks that completed despite the fault (%)");
        List<String> cats = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> processes = new ArrayList<>();
        for (Fault f : Fault.values()) {
            cats.add(f.label);
            threads.add(s.median("survived.threads." + f.name()));
            processes.add(s.median("survived.processes." + f.name()));
        }
        Charts.categoryAxis(o, "xAxis", "", cats);
        Charts.valueAxis(o, "yAxis", "bystanders completed (%)", false).put("max", 100);
        Charts.bars(o, "thread pool", threads)
                .putObject("label")
                .put("show", true)
                .put("position", "top")
                .put("formatter", "{c}%")
                .put("fontSize", 10);
        Charts.bars(o, "process pool", processes)
                .putObject("label")
                .put("show", true)
                .put("position", "top")
                .put("formatter", "{c}%")
                .put("fontSize", 10);
        s.chart = o;
        s.chartCaption = "Bystander tasks submitted with the faulty one that still returned their result (median over "
                + "drills). The table gives recovery times and what each fault left behind.";
    }

    private void verdict(Section s, Map<String, List<Drill>> results) {
        List<String> killedJvm = new ArrayList<>();
        List<String> leftStuck = new ArrayList<>();
        List<String> threadSurvived = new ArrayList<>();
        List<String> processHurtOthers = new ArrayList<>();
        boolean processMeasured = false;
        for (Fault f : Fault.values()) {
            String kt = "threads." + f.name();
            String kp = "processes." + f.name();
            if (s.median("died." + kt) > 50) {
                killedJvm.add(f.label);
            } else if (s.median("stuck." + kt) > 0 || Double.isNaN(s.median("full." + kt))) {
                leftStuck.add(f.label);
            } else {
                threadSurvived.add(f.label);
            }
            if (results.containsKey(kp)) {
                processMeasured = true;
                if (s.median("survived." + kp) < 100 || Double.isNaN(s.median("available." + kp))) {
                    processHurtOthers.add(f.label);
                }
            }
        }
        StringBuilder v = new StringBuilder();
        v.append(String.format(
                "In a thread pool, %d of %d faults ended the whole JVM, with every task in it (%s); ",
                killedJvm.size(), Fault.values().length, killedJvm.isEmpty() ? "none" : String.join(", ", killedJvm)));
        v.append(String.format(
                "%d left threads stuck for good or the pool short of workers (%s); ",
                leftStuck.size(), leftStuck.isEmpty() ? "none" : String.join(", ", leftStuck)));
        v.append(String.format(
                "Java turned %d into an ordinary failed task and the JVM went on (%s). ",
                threadSurvived.size(), threadSurvived.isEmpty() ? "none" : String.join(", ", threadSurvived)));
        double restart = median(s, "restart.threads.");
        if (!Double.isNaN(restart)) {
            v.append("Recovering from a dead JVM means restarting the application: " + Fmt.num(restart, "ms")
                    + " here, with all in-flight work lost. ");
        }
        if (!processMeasured) {
            v.append("Process mode was not measured, so the other half of the claim is untested.");
            s.verdict(Outcome.INCONCLUSIVE, v.toString());
            s.headline = "thread pool: " + killedJvm.size() + " of " + Fault.values().length
                    + " faults ended the JVM; process mode not measured";
            return;
        }
        double fullMs = median(s, "full.processes.");
        v.append(String.format(
                "In a process pool, %d of %d faults hurt another task%s; each dead or stuck worker was replaced, "
                        + "back to full strength in %s (median), and nothing was left running.",
                processHurtOthers.size(),
                Fault.values().length,
                processHurtOthers.isEmpty() ? "" : " (" + String.join(", ", processHurtOthers) + ")",
                Fmt.num(fullMs, "ms")));
        boolean supported = !killedJvm.isEmpty() && processHurtOthers.isEmpty();
        s.verdict(
                supported ? Outcome.SUPPORTED : processHurtOthers.isEmpty() ? Outcome.MIXED : Outcome.MIXED,
                v.toString());
        s.headline = String.format(
                "threads: %d/%d faults killed the JVM, %d left it crippled; processes: %d/%d hurt others",
                killedJvm.size(),
                Fault.values().length,
                leftStuck.size(),
                processHurtOthers.size(),
                Fault.values().length);
    }

    /** {@return the median over faults of the medians of metrics starting with {@code prefix}} */
    private static double median(Section s, String prefix) {
        List<Double> v = s.metrics.values().stream()
                .filter(m -> m.key().startsWith(prefix))
                .map(Metric::median)
                .filter(d -> !Double.isNaN(d))
                .toList();
        return v.isEmpty() ? Double.NaN : Stats.of(v).median();
    }
}
