package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Charts;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * <b>switching</b>: the round trip between two threads of one JVM against two processes, over the same
 * mechanism (pipe, Unix socket, shared memory) with the same code, on one CPU and across two, with
 * the kernel's own count of the context switches per round trip. Then the round trip of an empty
 * task through a Tandem thread pool, a Tandem process pool and a one-node local cluster: the cost of a
 * hop to a thread, to a process and to a node.
 *
 * <p>On one CPU a blocking round trip forces two context switches, so the difference between the
 * thread pair and the process pair is what switching address spaces adds (page-table switch; with
 * PCID the TLB is not flushed; caches are physically tagged and stay warm). Across two CPUs each
 * message has to wake the other CPU, which on a virtual machine means an exit to the hypervisor.
 */
final class SwitchingExperiment implements Experiment {
    /** How the verdict begins when the same-CPU repeats overlap: inconclusive, in the lab's own words. */
    static final String OVERLAP = "Inconclusive (the repeats overlap)";

    static final List<PingPong.Mechanism> MECHANISMS =
            List.of(PingPong.Mechanism.PIPE, PingPong.Mechanism.UNIX, PingPong.Mechanism.SHM);

    @Override
    public String id() {
        return "switching";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Switching: round trips between threads and between processes",
                "Switching between threads costs less than between processes: a process switch also changes the memory "
                        + "mapping and flushes the TLB and caches.",
                "线程切换的开销小于进程切换的开销。线程切换仅涉及寄存器、程序计数器、栈指针等的存储和恢复，而进程切换还需要更换内存映射、刷新TLB等。");
    }

    @Override
    public int steps(Bench bench) {
        return configs(placements(bench.quick())).size() + 1;
    }

    private static List<String> configs(List<String> placements) {
        List<String> configs = new ArrayList<>();
        for (PingPong.Mechanism m : MECHANISMS) {
            for (String placement : placements) {
                configs.add(m.name() + ":thread:" + placement);
                configs.add(m.name() + ":process:" + placement);
            }
        }
        return configs;
    }

    /** Reports the configurations the probe started since the {@code seen} first ones; returns how many it started. */
    private static int followProgress(Bench bench, Path progress, int seen) throws IOException {
        if (!Files.exists(progress)) {
            return seen;
        }
        List<String> lines =
                Files.readAllLines(progress).stream().filter(l -> !l.isBlank()).toList();
        for (int i = seen; i < lines.size(); i++) {
            String[] c = lines.get(i).split(":");
            bench.step(PingPong.Mechanism.valueOf(c[0]).label() + ", "
                    + (c[1].equals("thread") ? "two threads" : "two processes") + ", " + placementLabel(c[2]));
        }
        return Math.max(seen, lines.size());
    }

    /** Same CPU and two CPUs; the unpinned case only in a full run. */
    private static List<String> placements(boolean quick) {
        List<String> p = new ArrayList<>(List.of("same"));
        if (ProcFs.allowedCpus().size() >= 2) {
            p.add("cross");
        }
        if (!quick) {
            p.add("free");
        }
        return p;
    }

    static String placementLabel(String p) {
        return switch (p) {
            case "same" -> "same CPU";
            case "cross" -> "two CPUs";
            default -> "unpinned";
        };
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        int warmup = bench.quick() ? 400 : 2000;
        int rounds = bench.quick() ? 600 : 4000;
        int repeats = bench.repeats();
        List<Integer> cpus = ProcFs.allowedCpus();
        int cpuA = cpus.get(0);
        int cpuB = cpus.size() > 1 ? cpus.get(1) : cpus.get(0);
        RoundTrips.Settings pools = poolSettings(bench.quick());
        s.method = String.format(
                Locale.ROOT,
                "A child JVM times one-byte round trips: %d warm-up round trips, then %d repeats of %d. "
                        + "The echoing side is a thread of the same JVM or a second JVM running the same code. Placement: both "
                        + "pinned to CPU %d (sched_setaffinity through FFM), pinned to CPUs %d and %d, or (full runs only) unpinned. The kernel's "
                        + "voluntary and involuntary context switches of both threads (/proc/thread-self/status) are divided by "
                        + "the round trips. Shared memory spins 200 times, then yields, on sequence numbers in a /dev/shm file. "
                        + "Last, an empty task's round trip through Tandem's pools (a hop to a thread, to a worker JVM, and "
                        + "one level up to a worker JVM of a cluster node on this machine, Tandem.localCluster(1)), measured "
                        + "as the JMH benchmark "
                        + "core.RoundTripBenchmark does: in a fresh JVM (default collector and heap, like a JMH fork), "
                        + "%d warm-up iterations of %d ms, then %d iterations of %d ms in which every round trip is timed; "
                        + "the figure is their median (JMH's p0.50). The cold start of each pool (start, first result, median "
                        + "of its first %d round trips) is measured apart and named as such. tandem lab --self-check compares "
                        + "this figure with JMH's on this machine.",
                warmup,
                repeats,
                rounds,
                cpuA,
                cpuA,
                cpuB,
                pools.warmupIterations(),
                pools.warmup().toMillis(),
                pools.iterations(),
                pools.iteration().toMillis(),
                RoundTrips.COLD_TRIPS);
        List<String> placements = placements(bench.quick());
        List<String> configs = configs(placements);
        Path out = bench.tmp.resolve("switch.json");
        Path progress = Path.of(out + ".progress");
        Path dir = Files.createDirectories(bench.tmp.resolve("switch"));
        try (ChildJvm jvm = bench.child(
                List.of("-Xmx64m"),
                "switch",
                List.of(
                        String.join(",", configs),
                        Integer.toString(warmup),
                        Integer.toString(rounds),
                        Integer.toString(repeats),
                        Integer.toString(cpuA),
                        Integer.toString(cpuB),
                        dir.toString(),
                        out.toString()),
                false)) {
            // Follow the probe's progress file, so the progress display names each configuration as it runs.
            int seen = 0;
            long deadline =
                    System.nanoTime() + bench.limit(Pace.Limit.CHILD_LIFE).toNanos();
            while (!jvm.process().waitFor(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                seen = followProgress(bench, progress, seen);
            }
            followProgress(bench, progress, seen);
            Integer code = jvm.await(Pace.Limit.PROCESS_EXIT);
            if (code == null || code != 0) {
                s.note("The round-trip probe JVM "
                        + (code == null ? "did not finish in time" : "ended with " + ChildJvm.describeExit(code)) + "; "
                        + jvm.stderrTail());
            }
        }
        if (Files.exists(out)) {
            for (JsonNode r : Json.MAPPER.readTree(out.toFile())) {
                record(s, r);
            }
        }
        bench.step("Tandem pool round trips (steady state, like JMH, and cold start)");
        poolRoundTrips(bench, s, pools);
        chart(s, placements);
        verdict(s, placements);
    }

    /** {@return the warm-up and measurement of the pool round trips: the lab's quick or full budget} */
    static RoundTrips.Settings poolSettings(boolean quick) {
        return quick ? RoundTrips.Settings.QUICK : RoundTrips.Settings.FULL;
    }

    private static String key(String mechanism, String peer, String placement) {
        return mechanism.toLowerCase(Locale.ROOT) + "." + peer + "." + placement;
    }

    private static void record(Section s, JsonNode r) {
        String mech = r.get("mechanism").asText();
        String peer = r.get("peer").asText();
        String placement = r.get("placement").asText();
        String k = key(mech, peer, placement);
        if (r.has("peerError")) {
            s.note("Echoing " + peer + " (" + mech + ", " + placementLabel(placement) + "): "
                    + r.get("peerError").asText());
        }
        if (!r.has("nanosPerRoundTrip")) {
            return;
        }
        List<Double> micros = new ArrayList<>();
        r.get("nanosPerRoundTrip").forEach(n -> micros.add(n.asDouble() / 1000));
        Map<String, Object> params = Map.of(
                "mechanism",
                mech,
                "peer",
                peer,
                "placement",
                placement,
                "pinned",
                r.path("pinned").asBoolean(),
                "pingCpu",
                r.path("pingCpu").asInt(-1),
                "echoCpu",
                r.path("echoCpu").asInt(-1));
        String label = PingPong.Mechanism.valueOf(mech).label() + ", "
                + (peer.equals("thread") ? "threads" : "processes") + ", " + placementLabel(placement);
        s.add("rt." + k, "round trip: " + label, "µs", micros, params);
        double trips = r.path("roundTrips").asDouble(Double.NaN);
        if (r.has("echoVoluntary") && trips > 0) {
            double vol =
                    (r.get("pingVoluntary").asDouble() + r.get("echoVoluntary").asDouble()) / trips;
            double invol = (r.get("pingInvoluntary").asDouble()
                            + r.get("echoInvoluntary").asDouble())
                    / trips;
            s.add(
                    "vcs." + k,
                    "voluntary context switches per round trip (OS count): " + label,
                    "switches",
                    List.of(vol),
                    params);
            s.add(
                    "ivcs." + k,
                    "involuntary context switches per round trip (OS count): " + label,
                    "switches",
                    List.of(invol),
                    params);
        }
        if (placement.equals("cross")
                && r.path("pingCpu").asInt(-1) >= 0
                && r.path("pingCpu").asInt() == r.path("echoCpu").asInt(-2)) {
            s.note("Pinning did not hold for " + label + ": both sides ended on CPU "
                    + r.get("pingCpu").asInt() + ".");
        }
    }

    private void poolRoundTrips(Bench bench, Section s, RoundTrips.Settings settings) throws Exception {
        Path out = bench.tmp.resolve("pools.json");
        try (ChildJvm jvm = PoolProbe.start(bench.tmp, PoolProbe.EXECUTORS, settings, out)) {
            Integer code = jvm.await(bench.bound(PoolProbe.expected(PoolProbe.EXECUTORS, settings)));
            if (code == null || code != 0) {
                s.note("The pool round-trip probe JVM "
                        + (code == null ? "did not finish in time" : "ended with " + ChildJvm.describeExit(code)) + "; "
                        + Units.firstLine(jvm.stderrTail()));
            }
        }
        if (!Files.exists(out)) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : Json.MAPPER.readTree(out.toFile())) {
            String executor = r.path("executor").asText();
            String label = PoolProbe.label(executor);
            if (r.has("error")) {
                s.note("The round trip through " + label + " was not measured: "
                        + r.path("error").asText());
                continue;
            }
            Map<String, Object> p = Map.of(
                    "executor", executor,
                    "warmup",
                            settings.warmupIterations() + " x "
                                    + settings.warmup().toMillis() + " ms",
                    "measurement",
                            settings.iterations() + " x " + settings.iteration().toMillis() + " ms");
            List<Double> medians = new ArrayList<>();
            r.path("steady").path("iterationMedians").forEach(v -> medians.add(v.asDouble()));
            s.add(
                    "pool." + executor,
                    "empty task through " + label + ": submit to get, steady state (median)",
                    "µs",
                    medians,
                    p);
            JsonNode cold = r.path("cold");
            s.add(
                    "cold.start." + executor,
                    "cold start: " + label + ".start()",
                    "ms",
                    List.of(cold.path("startMillis").asDouble()),
                    Map.of("executor", executor));
            s.add(
                    "cold.first." + executor,
                    "cold start: first result of a new " + label,
                    "µs",
                    List.of(cold.path("firstResultMicros").asDouble()),
                    Map.of("executor", executor));
            s.add(
                    "cold.trips." + executor,
                    "cold start: median of the first " + RoundTrips.COLD_TRIPS + " round trips of a new " + label,
                    "µs",
                    List.of(cold.path("firstTripsMedianMicros").asDouble()),
                    Map.of("executor", executor));
            rows.add(List.of(
                    label,
                    s.quote("pool." + executor),
                    Units.num(r.path("steady").path("p90").asDouble(), "µs"),
                    String.format(
                            Locale.ROOT, "%,d", r.path("steady").path("trips").asLong()),
                    Units.num(cold.path("startMillis").asDouble(), "ms"),
                    Units.nanos(Math.round(cold.path("firstResultMicros").asDouble() * 1e3)),
                    Units.nanos(Math.round(cold.path("firstTripsMedianMicros").asDouble() * 1e3))));
        }
        s.tables.add(new Table(
                "An empty task through Tandem's pools: steady state as JMH measures it, and cold start",
                List.of(
                        "pool",
                        "steady median",
                        "steady p90",
                        "round trips timed",
                        "cold: start()",
                        "cold: first result",
                        "cold: first " + RoundTrips.COLD_TRIPS + " (median)"),
                rows));
    }

    private void chart(Section s, List<String> placements) {
        ObjectNode o = Charts.base("One-byte round trip (µs, log scale)");
        List<String> cats = new ArrayList<>();
        List<Stats> threads = new ArrayList<>();
        List<Stats> processes = new ArrayList<>();
        for (PingPong.Mechanism m : MECHANISMS) {
            for (String p : placements) {
                cats.add(m.label() + ", " + placementLabel(p));
                threads.add(s.stats("rt." + key(m.name(), "thread", p)));
                processes.add(s.stats("rt." + key(m.name(), "process", p)));
            }
        }
        // Categories down the side: long labels stay readable on a phone, and boxes run left to right.
        Charts.categoryAxis(o, "yAxis", cats).put("inverse", true);
        Charts.valueAxis(o, "xAxis", "µs per round trip", true);
        Charts.boxes(o, "two threads, one JVM", threads);
        Charts.boxes(o, "two processes (JVMs)", processes);
        Charts.obj(o, "grid").put("top", 8);
        o.put("_height", 90 + 44 * cats.size());
        s.chart = o;
        s.chartCaption =
                "Each box spans the repeats (whiskers: min and max; line: median). Same mechanism and code for "
                        + "both pairs; only the address-space boundary differs.";
    }

    void verdict(Section s, List<String> placements) {
        List<List<String>> rows = new ArrayList<>();
        for (PingPong.Mechanism m : MECHANISMS) {
            for (String p : placements) {
                String kt = key(m.name(), "thread", p);
                String kp = key(m.name(), "process", p);
                double t = s.median("rt." + kt);
                double pr = s.median("rt." + kp);
                rows.add(List.of(
                        m.label(),
                        placementLabel(p),
                        Units.num(t, "µs"),
                        Units.num(pr, "µs"),
                        Units.ratio(pr / t),
                        Units.num(s.median("vcs." + kt)) + " / " + Units.num(s.median("vcs." + kp)),
                        Units.num(s.median("ivcs." + kt)) + " / " + Units.num(s.median("ivcs." + kp))));
            }
        }
        s.tables.add(new Table(
                "Round trips (medians) and the kernel's context-switch counts per round trip",
                List.of(
                        "mechanism",
                        "placement",
                        "threads",
                        "processes",
                        "processes / threads",
                        "voluntary switches (threads / processes)",
                        "involuntary (threads / processes)"),
                rows));

        Stats samePipeT = stats(s, "rt." + key("PIPE", "thread", "same"));
        Stats samePipeP = stats(s, "rt." + key("PIPE", "process", "same"));
        if (samePipeT.n() == 0 || samePipeP.n() == 0) {
            s.verdict(
                    Outcome.INCONCLUSIVE,
                    "The same-CPU pipe round trips, the purest measure of a switch, are missing.");
            s.headline = "not measured";
            return;
        }
        s.compares("rt." + key("PIPE", "thread", "same"), "rt." + key("PIPE", "process", "same"));
        double ratio = samePipeP.median() / samePipeT.median();
        double switches = Math.max(
                1,
                s.median("vcs." + key("PIPE", "process", "same")) + s.median("ivcs." + key("PIPE", "process", "same")));
        double extraPerSwitch = (samePipeP.median() - samePipeT.median()) / switches;
        StringBuilder v = new StringBuilder();
        v.append(String.format(
                Locale.ROOT,
                "On one CPU, where every pipe round trip forces the kernel to switch (it counted %s context "
                        + "switches per round trip), two processes take %s against %s for two threads of one JVM: %s, "
                        + "about %s %s per switch. ",
                Units.num(switches),
                Units.num(samePipeP.median(), "µs"),
                Units.num(samePipeT.median(), "µs"),
                Units.ratio(ratio),
                Units.num(Math.abs(extraPerSwitch) * 1000, "ns"),
                extraPerSwitch >= 0 ? "more" : "less"));
        Contrast contrast = Contrast.of(samePipeT, samePipeP);
        Outcome outcome = outcome(contrast, ratio);
        if (!contrast.decides()) {
            v.append("The repeats overlap, so on this machine ")
                    .append(switchCost(contrast, ratio))
                    .append(". ");
        } else if (outcome == Outcome.SUPPORTED) {
            v.append(cap(switchCost(contrast, ratio))).append(" here. ");
        } else if (outcome == Outcome.MIXED) {
            v.append(cap(switchCost(contrast, ratio))).append(" here, by much less than the note implies");
            v.append(
                    ProcFs.cpuFlag("pcid")
                            ? " (this CPU has PCID, so switching page tables does not flush the TLB). "
                            : ". ");
        } else if (contrast.cheaper()) {
            // switching address spaces cannot make a round trip cheaper: say what was measured, not "noise"
            v.append("The process pair was not slower: it took ")
                    .append(Units.ratio(ratio))
                    .append(
                            " the thread pair's time, which switching address spaces cannot cause, so something else in ")
                    .append("the round trip differs between the two pairs and outweighs the switch here. ");
        } else {
            v.append("The process pair was not measurably slower: on this machine the cost of switching address spaces "
                    + "is lost in the rest of the round trip. ");
        }
        double crossT = s.median("rt." + key("PIPE", "thread", "cross"));
        if (!Double.isNaN(crossT)) {
            double crossRatio = crossT / samePipeT.median();
            v.append(String.format(
                    Locale.ROOT,
                    "Placement matters more than the boundary: across two CPUs the same thread pair takes %s "
                            + "(%s the same-CPU time), because each message must wake the other CPU%s. ",
                    s.quote("rt." + key("PIPE", "thread", "cross")),
                    Units.ratio(crossRatio),
                    ProcFs.cpuFlag("hypervisor")
                            ? ", and on this virtual machine waking an idle virtual CPU goes "
                                    + "through the hypervisor"
                            : ""));
        }
        double shmCross = s.median("rt." + key("SHM", "process", "cross"));
        if (!Double.isNaN(shmCross)) {
            v.append(String.format(
                    Locale.ROOT,
                    "Shared memory between two processes on two CPUs needs no system call and no switch "
                            + "(%s voluntary per round trip): %s per round trip. ",
                    Units.num(s.median("vcs." + key("SHM", "process", "cross"))),
                    s.quote("rt." + key("SHM", "process", "cross"))));
        }
        double poolT = s.median("pool.threads");
        double poolP = s.median("pool.processes");
        if (!Double.isNaN(poolP) && !Double.isNaN(poolT)) {
            v.append(String.format(
                    Locale.ROOT,
                    "Through Tandem, in steady state, an empty task's round trip takes %s on a thread pool, %s on a "
                            + "process pool over a Unix socket (%s) and %s over shared memory: %s A new process pool's first "
                            + "result takes %s (cold start).",
                    s.quote("pool.threads"),
                    s.quote("pool.processes"),
                    Units.ratio(poolP / poolT),
                    s.quote("pool.processes-shm"),
                    poolP / poolT > 1.5
                            ? "serialization and the channel, not the switch, dominate a process pool's hand-off."
                            : "both are dominated by waking a parked worker (compare the two-CPU round trips), not by the "
                                    + "boundary.",
                    Units.nanos(Math.round(s.median("cold.first.processes") * 1e3))));
        }
        // repeats that overlap decide nothing: the verdict says so first, as the verdict table's overhead row does
        s.verdict(
                outcome,
                contrast.decides()
                        ? v.toString()
                        : OVERLAP + ": " + Character.toLowerCase(v.charAt(0)) + v.substring(1));
        s.headline = (contrast.decides() ? "" : "inconclusive (repeats overlap); ")
                + String.format(
                        Locale.ROOT,
                        "pipe, same CPU: processes %s vs threads %s (%s)",
                        Units.num(samePipeP.median(), "µs"),
                        Units.num(samePipeT.median(), "µs"),
                        Units.ratio(ratio))
                + (Double.isNaN(crossT) ? "" : "; two CPUs: threads " + Units.num(crossT, "µs"));
        String same = key("PIPE", "thread", "same");
        String sameP = key("PIPE", "process", "same");
        s.note(String.format(
                Locale.ROOT,
                "Cross-check: on one CPU a round trip cannot complete without 2 context switches (one to the "
                        + "echoing side and one back). The kernel counted %s voluntary + %s involuntary per round trip for "
                        + "threads and %s + %s for processes (involuntary: the woken side preempted the writer before it "
                        + "blocked).",
                Units.num(s.median("vcs." + same)),
                Units.num(s.median("ivcs." + same)),
                Units.num(s.median("vcs." + sameP)),
                Units.num(s.median("ivcs." + sameP))));
    }

    /**
     * {@return what the same-CPU pipe round trips say of the claim that a process switch costs more than a thread
     * switch, from how they compare ({@code ratio}: processes over threads)} Repeats that overlap ({@link
     * Contrast#SAME}) are inconclusive, never a refutation: the verdict table's overhead row follows the same rule
     * ({@link VerdictExperiment#overheadFavors}). Was: "refuted" of medians 1.5x apart whose repeats overlapped,
     * beside a table row saying "neither".
     */
    static Outcome outcome(Contrast c, double ratio) {
        if (!c.decides()) {
            return Outcome.INCONCLUSIVE;
        }
        if (c == Contrast.CLEARLY_DEARER) {
            return Outcome.SUPPORTED;
        }
        return ratio > 1 ? Outcome.MIXED : Outcome.REFUTED;
    }

    private static Stats stats(Section s, String key) {
        return s.stats(key);
    }

    /**
     * {@return the same-CPU switch costs in words, such as "a process switch is clearly dearer than a
     * thread switch (1.67×)": the one sentence this section and the verdict's overhead row both use}
     */
    static String switchCost(Contrast c, double ratio) {
        return "a process switch is " + c.words + " a thread switch (" + Units.ratio(ratio) + ")";
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
