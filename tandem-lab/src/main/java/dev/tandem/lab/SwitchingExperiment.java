package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * <b>switching</b>: the round trip between two threads of one JVM against two processes, over the same
 * mechanism (pipe, Unix socket, shared memory) with the same code, on one CPU and across two, with
 * the kernel's own count of the context switches per round trip. Then the round trip of an empty
 * task through a Tandem thread pool and a Tandem process pool.
 *
 * <p>On one CPU a blocking round trip forces two context switches, so the difference between the
 * thread pair and the process pair is what switching address spaces adds (page-table switch; with
 * PCID the TLB is not flushed; caches are physically tagged and stay warm). Across two CPUs each
 * message has to wake the other CPU, which on a virtual machine means an exit to the hypervisor.
 */
final class SwitchingExperiment implements Experiment {
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
        s.method = String.format(
                "A child JVM times one-byte round trips: %d warm-up round trips, then %d repeats of %d. "
                        + "The echoing side is a thread of the same JVM or a second JVM running the same code. Placement: both "
                        + "pinned to CPU %d (sched_setaffinity through FFM), pinned to CPUs %d and %d, or (full runs only) unpinned. The kernel's "
                        + "voluntary and involuntary context switches of both threads (/proc/thread-self/status) are divided by "
                        + "the round trips. Shared memory spins 200 times, then yields, on sequence numbers in a /dev/shm file. "
                        + "Last, an empty task's round trip through Tandem.threads(1) and Tandem.processes(1).",
                warmup, repeats, rounds, cpuA, cpuA, cpuB);
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
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!jvm.process().waitFor(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                seen = followProgress(bench, progress, seen);
            }
            followProgress(bench, progress, seen);
            Integer code = jvm.await(Duration.ofSeconds(1));
            if (code == null || code != 0) {
                s.note("The round-trip probe JVM "
                        + (code == null ? "did not finish in time" : "ended with " + ChildJvm.describeExit(code)) + "; "
                        + jvm.stderrTail());
            }
        }
        if (Files.exists(out)) {
            for (JsonNode r : Charts.JSON.readTree(out.toFile())) {
                record(s, r);
            }
        }
        bench.step("Tandem pool round trips");
        poolRoundTrips(bench, s);
        chart(s, placements);
        verdict(s, placements);
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

    private void poolRoundTrips(Bench bench, Section s) throws Exception {
        int warm = bench.quick() ? 300 : 1000;
        int per = bench.quick() ? 300 : 1000;
        try (TaskPool pool = Tandem.threads(1).start()) {
            s.add(
                    "pool.threads",
                    "empty task through Tandem.threads(1): submit to get",
                    "µs",
                    roundTrips(pool, warm, per, bench.repeats()),
                    Map.of("mode", "THREADS"));
        }
        try (TaskPool pool = Bench.start(Tandem.processes(1)
                .forwardOutput(false)
                .jvmOptions(bench.workerJvmOptions().toArray(String[]::new)))) {
            s.add(
                    "pool.processes",
                    "empty task through Tandem.processes(1): submit to get",
                    "µs",
                    roundTrips(pool, warm, per, bench.repeats()),
                    Map.of("mode", "PROCESSES"));
        } catch (Bench.Unavailable e) {
            s.note("The process pool's round trip was not measured: " + e.getMessage());
        }
    }

    private static List<Double> roundTrips(TaskPool pool, int warm, int per, int repeats) throws Exception {
        for (int i = 0; i < warm; i++) {
            pool.submit(() -> 0).get();
        }
        List<Double> out = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < per; i++) {
                pool.submit(() -> 0).get();
            }
            out.add((System.nanoTime() - t0) / 1e3 / per);
        }
        return out;
    }

    private void chart(Section s, List<String> placements) {
        ObjectNode o = Charts.base("One-byte round trip (µs, log scale)");
        List<String> cats = new ArrayList<>();
        List<Stats> threads = new ArrayList<>();
        List<Stats> processes = new ArrayList<>();
        for (PingPong.Mechanism m : MECHANISMS) {
            for (String p : placements) {
                cats.add(m.label() + ", " + placementLabel(p));
                threads.add(s.metric("rt." + key(m.name(), "thread", p))
                        .map(Metric::stats)
                        .orElse(null));
                processes.add(s.metric("rt." + key(m.name(), "process", p))
                        .map(Metric::stats)
                        .orElse(null));
            }
        }
        Charts.categoryAxis(o, "xAxis", "", cats);
        Charts.obj((ObjectNode) o.get("xAxis"), "axisLabel").put("rotate", 25);
        Charts.valueAxis(o, "yAxis", "µs per round trip", true);
        Charts.boxes(o, "two threads, one JVM", threads);
        Charts.boxes(o, "two processes (JVMs)", processes);
        Charts.obj(o, "grid").put("bottom", 100);
        o.put("_height", 420);
        s.chart = o;
        s.chartCaption =
                "Each box spans the repeats (whiskers: min and max; line: median). Same mechanism and code for "
                        + "both pairs; only the address-space boundary differs.";
    }

    private void verdict(Section s, List<String> placements) {
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
                        Fmt.num(t, "µs"),
                        Fmt.num(pr, "µs"),
                        Fmt.ratio(pr / t),
                        Fmt.num(s.median("vcs." + kt)) + " / " + Fmt.num(s.median("vcs." + kp)),
                        Fmt.num(s.median("ivcs." + kt)) + " / " + Fmt.num(s.median("ivcs." + kp))));
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
        double ratio = samePipeP.median() / samePipeT.median();
        double switches = Math.max(
                1,
                s.median("vcs." + key("PIPE", "process", "same")) + s.median("ivcs." + key("PIPE", "process", "same")));
        double extraPerSwitch = (samePipeP.median() - samePipeT.median()) / switches;
        boolean separated = samePipeT.separatedFrom(samePipeP);
        StringBuilder v = new StringBuilder();
        v.append(String.format(
                "On one CPU, where every pipe round trip forces the kernel to switch (it counted %s context "
                        + "switches per round trip), two processes take %s against %s for two threads of one JVM: %s, "
                        + "about %s %s per switch. ",
                Fmt.num(switches),
                Fmt.num(samePipeP.median(), "µs"),
                Fmt.num(samePipeT.median(), "µs"),
                Fmt.ratio(ratio),
                Fmt.num(Math.abs(extraPerSwitch) * 1000, "ns"),
                extraPerSwitch >= 0 ? "more" : "less"));
        Outcome outcome;
        if (!separated || samePipeT.tooWide() || samePipeP.tooWide()) {
            v.append(
                    "The repeats overlap, so on this machine a process switch is not measurably dearer than a thread switch. ");
            outcome = separated ? Outcome.INCONCLUSIVE : Outcome.REFUTED;
        } else if (ratio > 1.5) {
            v.append("A process switch is clearly dearer here. ");
            outcome = Outcome.SUPPORTED;
        } else if (ratio > 1) {
            v.append("A process switch is dearer, but by much less than the note implies");
            v.append(
                    ProcFs.cpuFlag("pcid")
                            ? " (this CPU has PCID, so switching page tables does not flush the TLB). "
                            : ". ");
            outcome = Outcome.MIXED;
        } else {
            v.append("The process pair was not slower: on this machine the cost of switching address spaces is lost in "
                    + "the noise of the rest of the round trip. ");
            outcome = Outcome.REFUTED;
        }
        double crossT = s.median("rt." + key("PIPE", "thread", "cross"));
        if (!Double.isNaN(crossT)) {
            double crossRatio = crossT / samePipeT.median();
            v.append(String.format(
                    "Placement matters more than the boundary: across two CPUs the same thread pair takes %s "
                            + "(%s the same-CPU time), because each message must wake the other CPU%s. ",
                    Fmt.num(crossT, "µs"),
                    Fmt.ratio(crossRatio),
                    ProcFs.cpuFlag("hypervisor")
                            ? ", and on this virtual machine waking an idle virtual CPU goes "
                                    + "through the hypervisor"
                            : ""));
        }
        double shmCross = s.median("rt." + key("SHM", "process", "cross"));
        if (!Double.isNaN(shmCross)) {
            v.append(String.format(
                    "Shared memory between two processes on two CPUs needs no system call and no switch "
                            + "(%s voluntary per round trip): %s per round trip. ",
                    Fmt.num(s.median("vcs." + key("SHM", "process", "cross"))), Fmt.num(shmCross, "µs")));
        }
        double poolT = s.median("pool.threads");
        double poolP = s.median("pool.processes");
        if (!Double.isNaN(poolP)) {
            v.append(String.format(
                    "Through Tandem, an empty task's round trip is %s on a thread pool and %s on a process "
                            + "pool (%s): %s",
                    Fmt.num(poolT, "µs"),
                    Fmt.num(poolP, "µs"),
                    Fmt.ratio(poolP / poolT),
                    poolP / poolT > 1.5
                            ? "serialization and the channel, not the switch, dominate a process pool's hand-off."
                            : "both are dominated by waking a parked worker (compare the two-CPU round trips), not by the "
                                    + "boundary."));
        }
        s.verdict(outcome, v.toString());
        s.headline = String.format(
                        "pipe, same CPU: processes %s vs threads %s (%s)",
                        Fmt.num(samePipeP.median(), "µs"), Fmt.num(samePipeT.median(), "µs"), Fmt.ratio(ratio))
                + (Double.isNaN(crossT) ? "" : "; two CPUs: threads " + Fmt.num(crossT, "µs"));
        String same = key("PIPE", "thread", "same");
        String sameP = key("PIPE", "process", "same");
        s.note(String.format(
                "Cross-check: on one CPU a round trip cannot complete without 2 context switches (one to the "
                        + "echoing side and one back). The kernel counted %s voluntary + %s involuntary per round trip for "
                        + "threads and %s + %s for processes (involuntary: the woken side preempted the writer before it "
                        + "blocked).",
                Fmt.num(s.median("vcs." + same)),
                Fmt.num(s.median("ivcs." + same)),
                Fmt.num(s.median("vcs." + sameP)),
                Fmt.num(s.median("ivcs." + sameP))));
    }

    private static Stats stats(Section s, String key) {
        return s.metric(key).map(Metric::stats).orElse(Stats.of(List.of()));
    }
}
