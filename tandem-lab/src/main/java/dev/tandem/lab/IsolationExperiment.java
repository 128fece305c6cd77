package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * <b>isolation</b>: one fault ({@link Fault}) injected into one task among bystanders, under a thread pool
 * and under a process pool, with the same {@link FaultDrill}. Thread mode runs inside a child JVM,
 * because several faults end the whole JVM; the lab reads the drill's events from a file and the
 * child's exit code. Process mode runs here, since surviving such faults is the point of it.
 */
final class IsolationExperiment implements Experiment {
    /** Bystanders queued behind the fault. */
    static final int QUEUED = 3;
    /** One bystander runs beside the fault, longer than a fault that strikes at once takes to strike. */
    static final int BYSTANDERS = QUEUED + 1;

    static final long BESIDE_MILLIS = 400;
    static final long NAP_MILLIS = 20;

    /**
     * The task timeout of the drills of faults that hang on a quiet machine (the other drills have
     * none); stretched by the machine's pace, measured right before each drill, and doubled once more
     * for a repeat when a bystander timed out.
     */
    static final long BASE_TIMEOUT_MILLIS = 500;

    /** Java's Duration text ("PT0.655S", "PT1M2S") as people write it ("0.655 s", "1 min 2 s"). */
    private static final Pattern DURATION = Pattern.compile("\\bPT(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?\\b");

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

    /** {@return the bystander that runs beside the fault: half the base timeout when the fault hangs} */
    static long besideMillis(Fault f) {
        return f.hangs() ? Math.min(BESIDE_MILLIS, BASE_TIMEOUT_MILLIS / 2) : BESIDE_MILLIS;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        s.method = String.format(
                        Locale.ROOT,
                        "Each drill submits to a pool of 2 workers a bystander task of %d ms (it runs beside the "
                                + "fault on the other worker; %d ms when the fault hangs), the faulty task, and %d bystanders of %d ms "
                                + "that wait behind them; the pool has a task timeout of %d ms when the fault hangs, stretched by "
                                + "the machine's measured pace (a busy machine runs the same task slower). It records each outcome, "
                                + "the time until a new task succeeds once the bystanders are done (available), the time until both "
                                + "workers take tasks again (full strength), the pool's capacity afterwards (workers that take a task "
                                + "at once), threads left inside the fault, and the CPU still burnt over 0.15 s. A bystander that hits "
                                + "the task timeout itself was slowed by the machine, not hurt by the fault: that drill is repeated "
                                + "with twice the timeout, and a fault whose bystanders time out again is reported as inconclusive "
                                + "(machine busy). Thread mode: Tandem.threads(2) inside a child JVM (-Xmx96m), a new pool per drill "
                                + "and a new JVM per fault that can end or wedge it (the exception, OutOfMemoryError and "
                                + "stack-overflow drills share one); when the JVM dies, recovery means starting the application "
                                + "again, timed as a fresh JVM's start to its pool's first task. Process mode: Tandem.processes(2) "
                                + "(worker -Xmx64m) in the lab's JVM, one pool for the drills (another, with the timeout, for the "
                                + "faults that hang). %s per fault and mode.",
                        BESIDE_MILLIS,
                        BASE_TIMEOUT_MILLIS / 2,
                        QUEUED,
                        NAP_MILLIS,
                        BASE_TIMEOUT_MILLIS,
                        Units.count(repeats(bench), "drill", "drills"))
                + " The faults: "
                + String.join(
                        "; ",
                        Arrays.stream(Fault.values())
                                .map(f -> f.label + " (the task " + f.description + ")")
                                .toList())
                + ".";
        Random random = bench.random();
        Map<String, List<Drills.Drill>> results = new LinkedHashMap<>();
        for (Fault f : Fault.values()) {
            results.put("threads." + f.name(), new ArrayList<>());
        }
        for (List<Fault> group : threadGroups()) {
            bench.step("thread mode, "
                    + String.join(" + ", group.stream().map(f -> f.label).toList()));
            for (int r = 0; r < repeats(bench); r++) {
                long nonce = random.nextLong();
                long timeout = bench.pace().scaleMillis(BASE_TIMEOUT_MILLIS);
                Map<Fault, Drills.Drill> drills = Drills.threads(bench, group, nonce, timeout);
                if (drills.values().stream().anyMatch(d -> d.timedOut() > 0)) {
                    drills = Drills.threads(
                            bench, group, nonce + 1, 2 * bench.pace().scaleMillis(BASE_TIMEOUT_MILLIS));
                }
                drills.forEach((f, d) -> results.get("threads." + f.name()).add(d));
            }
        }
        TaskPool plain = null;
        TaskPool timed = null;
        long timedFor = -1;
        try {
            for (Fault f : Fault.values()) {
                bench.step("process mode, " + f.label);
                List<Drills.Drill> drills = new ArrayList<>();
                for (int r = 0; r < repeats(bench); r++) {
                    long nonce = random.nextLong();
                    Drills.Drill d = null;
                    for (int attempt = 1; attempt <= 2 && (d == null || d.timedOut() > 0); attempt++) {
                        long timeout = attempt * bench.pace().scaleMillis(BASE_TIMEOUT_MILLIS);
                        if (f.hangs() && (timed == null || timed.isShutdown() || timedFor != timeout)) {
                            close(timed);
                            timed = Bench.start(processPool(bench).taskTimeout(Duration.ofMillis(timeout)));
                            timedFor = timeout;
                        } else if (!f.hangs() && (plain == null || plain.isShutdown())) {
                            plain = Bench.start(processPool(bench));
                        }
                        d = Drills.process(f.hangs() ? timed : plain, f, nonce + attempt, timeout);
                    }
                    drills.add(d);
                }
                results.put("processes." + f.name(), drills);
            }
        } catch (Bench.Unavailable e) {
            s.note("Process mode was not measured: " + e.getMessage());
        } finally {
            close(plain);
            close(timed);
        }
        record(s, results);
        chart(s);
        verdict(s, results);
    }

    private static void close(TaskPool pool) {
        if (pool != null) {
            pool.shutdownNow();
            pool.close();
        }
    }

    static Tandem.Builder processPool(Bench bench) {
        return Tandem.processes(2)
                .forwardOutput(false)
                .poisonThreshold(1000)
                .restartLimit(1000, Duration.ofSeconds(60))
                .jvmOptions(bench.workerJvmOptions("-Xmx64m").toArray(String[]::new));
    }

    private void record(Section s, Map<String, List<Drills.Drill>> results) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<Drills.Drill>> e : results.entrySet()) {
            List<Drills.Drill> drills = e.getValue();
            if (drills.isEmpty()) {
                continue;
            }
            Drills.Drill d = drills.get(0);
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
                    "hurt." + k,
                    "bystanders lost to the fault (not to their own timeout), " + d.mode() + ", " + d.fault().label,
                    "%",
                    drills.stream()
                            .map(x -> 100.0
                                    * Math.max(0, BYSTANDERS - (x.besideOk() ? 1 : 0) - x.behindOk() - x.timedOut())
                                    / BYSTANDERS)
                            .toList(),
                    p);
            s.add(
                    "timedOut." + k,
                    "bystanders that hit the task timeout themselves (a slow machine), " + d.mode() + ", "
                            + d.fault().label,
                    "bystanders",
                    drills.stream().map(x -> (double) x.timedOut()).toList(),
                    p);
            s.add(
                    "capacity." + k,
                    "pool capacity after the fault (workers taking tasks), " + d.mode() + ", " + d.fault().label,
                    "%",
                    drills.stream().map(Drills.Drill::capacity).toList(),
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
                    drills.stream().map(Drills.Drill::availableMs).toList(),
                    p);
            s.add(
                    "full." + k,
                    "fault to full strength, " + d.mode() + ", " + d.fault().label,
                    "ms",
                    drills.stream().map(Drills.Drill::fullStrengthMs).toList(),
                    p);
            if (d.jvmDied()) {
                s.add(
                        "restart." + k,
                        "restart the application: JVM spawn to pool ready, " + d.fault().label,
                        "ms",
                        drills.stream().map(Drills.Drill::restartMs).toList(),
                        p);
            }
            // a JVM that died left no thread to count: its drills say -1, which is no count (the report showed "-1
            // threads")
            List<Double> stuck = drills.stream()
                    .filter(x -> x.stuckThreads() >= 0)
                    .map(x -> (double) x.stuckThreads())
                    .toList();
            if (!stuck.isEmpty()) {
                s.add(
                        "stuck." + k,
                        "threads left inside the fault, " + d.mode() + ", " + d.fault().label,
                        "threads",
                        stuck,
                        p);
            }
            s.add(
                    "busy." + k,
                    "CPU still busy after the fault, " + d.mode() + ", " + d.fault().label,
                    "cores",
                    drills.stream().map(Drills.Drill::busyCores).toList(),
                    p);
            String recovery;
            if (d.jvmDied()) {
                recovery = "restart the whole application: " + Units.num(s.median("restart." + k), "ms");
            } else if (Double.isNaN(s.median("full." + k))) {
                recovery = "available in " + Units.num(s.median("available." + k), "ms")
                        + "; never back to full strength (capacity " + Units.num(s.median("capacity." + k), "%") + ")";
            } else {
                recovery = "available in " + Units.num(s.median("available." + k), "ms") + ", full strength in "
                        + Units.num(s.median("full." + k), "ms");
            }
            String leftovers = d.jvmDied()
                    ? "-"
                    : Units.num(s.median("stuck." + k)) + " stuck threads, " + Units.num(s.median("busy." + k))
                            + " cores busy";
            int slow = drills.stream().mapToInt(Drills.Drill::timedOut).max().orElse(0);
            rows.add(List.of(
                    d.fault().label,
                    d.mode(),
                    d.faultOutcome() + (d.faultMessage().isBlank() ? "" : ": " + abbreviate(d.faultMessage(), 90)),
                    s.median("beside." + k) >= 50 ? "completed" : "lost",
                    Math.round(drills.stream()
                                    .mapToInt(Drills.Drill::behindOk)
                                    .average()
                                    .orElse(0)) + " of " + QUEUED
                            + (slow > 0 ? " (" + slow + " timed out: slow machine)" : ""),
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
        String t = readableDurations(s);
        return t.length() <= n ? t : t.substring(0, n) + "...";
    }

    /** {@return the text with each of Java's Duration strings (such as "PT0.655S") written as "0.655 s"} */
    static String readableDurations(String s) {
        return DURATION.matcher(s).replaceAll(m -> {
            if (m.group(1) == null && m.group(2) == null) {
                return m.group();
            }
            String min = m.group(1) == null ? "" : m.group(1) + " min";
            String sec = m.group(2) == null ? "" : m.group(2) + " s";
            return Matcher.quoteReplacement(min.isEmpty() || sec.isEmpty() ? min + sec : min + " " + sec);
        });
    }

    private void chart(Section s) {
        ObjectNode o = Charts.base("What one faulty task did to the others, and to the pool");
        List<String> cats = Arrays.stream(Fault.values()).map(f -> f.label).toList();
        Charts.twoGrids(
                o, "bystanders that completed (%)", "capacity of the pool afterwards (% of its workers)", "52%", "36%");
        ArrayNode xs = o.putArray("xAxis");
        ArrayNode ys = o.putArray("yAxis");
        for (int g = 0; g < 2; g++) {
            Charts.valueAxis(xs.addObject().put("gridIndex", g), false, "", false)
                    .put("min", 0)
                    .put("max", 100);
            ObjectNode y =
                    ys.addObject().put("type", "category").put("gridIndex", g).put("inverse", true);
            cats.forEach(y.putArray("data")::add);
            y.putObject("axisLabel").put("interval", 0).put("fontSize", 11);
        }
        for (String mode : List.of("threads", "processes")) {
            String name = mode.equals("threads") ? "thread pool" : "process pool";
            for (int g = 0; g < 2; g++) {
                String metric = g == 0 ? "survived." : "capacity.";
                List<Double> values = Arrays.stream(Fault.values())
                        .map(f -> s.median(metric + mode + "." + f.name()))
                        .toList();
                Charts.labelledBars(
                                o,
                                name,
                                values,
                                values.stream().map(v -> Units.num(v, "%")).toList(),
                                "right")
                        .put("xAxisIndex", g)
                        .put("yAxisIndex", g);
            }
        }
        o.put("_height", 640);
        s.chart = o;
        s.chartCaption = "Top: bystander tasks submitted with the faulty one that still returned their result. Bottom: "
                + "how many of the pool's workers take tasks once the fault is over (a stuck thread, or a JVM that "
                + "died, leaves a crippled or no pool; a process pool replaces its worker). Medians over drills; the "
                + "table gives recovery times and what each fault left behind.";
    }

    private void verdict(Section s, Map<String, List<Drills.Drill>> results) {
        List<String> killedJvm = new ArrayList<>();
        List<String> leftStuck = new ArrayList<>();
        List<String> threadSurvived = new ArrayList<>();
        List<String> processHurtOthers = new ArrayList<>();
        List<String> tooBusy = new ArrayList<>();
        boolean processMeasured = false;
        for (Fault f : Fault.values()) {
            String kt = "threads." + f.name();
            String kp = "processes." + f.name();
            if (s.median("died." + kt) > 50) {
                killedJvm.add(f.label);
            } else if (s.median("capacity." + kt) < 100 || Double.isNaN(s.median("full." + kt))) {
                leftStuck.add(f.label);
            } else {
                threadSurvived.add(f.label);
            }
            if (results.containsKey(kp) && !results.get(kp).isEmpty()) {
                processMeasured = true;
                boolean slow = results.get(kp).stream().allMatch(d -> d.timedOut() > 0);
                if (slow) {
                    tooBusy.add(f.label);
                } else if (s.median("hurt." + kp) > 0 || Double.isNaN(s.median("available." + kp))) {
                    processHurtOthers.add(f.label);
                }
            }
        }
        StringBuilder v = new StringBuilder();
        v.append(String.format(
                Locale.ROOT,
                "In a thread pool, %d of %d faults ended the whole JVM, with every task in it (%s); ",
                killedJvm.size(),
                Fault.values().length,
                killedJvm.isEmpty() ? "none" : String.join(", ", killedJvm)));
        v.append(String.format(
                Locale.ROOT,
                "%d left the pool crippled, threads stuck for good (%s); ",
                leftStuck.size(),
                leftStuck.isEmpty() ? "none" : String.join(", ", leftStuck)));
        v.append(String.format(
                Locale.ROOT,
                "Java turned %d into an ordinary failed task and the JVM went on (%s). ",
                threadSurvived.size(),
                threadSurvived.isEmpty() ? "none" : String.join(", ", threadSurvived)));
        double restart = median(s, "restart.threads.");
        if (!Double.isNaN(restart)) {
            v.append("Recovering from a dead JVM means restarting the application: " + Units.num(restart, "ms")
                    + " here, with all in-flight work lost. ");
        }
        if (!processMeasured) {
            v.append("Process mode was not measured, so the other half of the claim is untested.");
            s.verdict(Outcome.INCONCLUSIVE, v.toString());
            s.headline = "thread pool: " + killedJvm.size() + " of " + Fault.values().length
                    + " faults ended the JVM; process mode not measured";
            return;
        }
        int judged = Fault.values().length - tooBusy.size();
        double fullMs = median(s, "full.processes.");
        v.append(String.format(
                Locale.ROOT,
                "In a process pool, %d of %d faults hurt another task%s; each dead or stuck worker was replaced, "
                        + "back to full strength in %s (median), and nothing was left running.",
                processHurtOthers.size(),
                judged,
                processHurtOthers.isEmpty() ? "" : " (" + String.join(", ", processHurtOthers) + ")",
                Units.num(fullMs, "ms")));
        if (!tooBusy.isEmpty()) {
            v.append(" Inconclusive (machine busy) for ")
                    .append(String.join(", ", tooBusy))
                    .append(": bystanders hit the task timeout themselves, even when it was doubled, so the machine, "
                            + "not the fault, held them up; these faults count for neither side.");
        }
        Outcome outcome;
        if (judged == 0) {
            outcome = Outcome.INCONCLUSIVE;
        } else if (!killedJvm.isEmpty() && processHurtOthers.isEmpty()) {
            outcome = Outcome.SUPPORTED;
        } else {
            outcome = Outcome.MIXED;
        }
        s.verdict(outcome, v.toString());
        s.headline = String.format(
                Locale.ROOT,
                "threads: %d/%d faults killed the JVM, %d left it crippled; processes: %d/%d hurt others%s",
                killedJvm.size(),
                Fault.values().length,
                leftStuck.size(),
                processHurtOthers.size(),
                judged,
                tooBusy.isEmpty() ? "" : ", " + tooBusy.size() + " inconclusive (machine busy)");
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
