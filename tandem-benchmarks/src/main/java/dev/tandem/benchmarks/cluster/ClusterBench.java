package dev.tandem.benchmarks.cluster;

import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The cost of a hop to a thread, to a process and to a node on one machine: the cluster mode's
 * costs, each beside {@code threads(2)} and {@code processes(2)} in the same run:
 * empty-task round trip (median and p99), throughput of empty tasks with 128 in flight, {@code map}
 * over 1M small inputs, with the CPU time per task of the caller, the nodes and the worker JVMs;
 * then a local node's start (its launch to ready, from the node's own ready line; then to a started
 * pool) and its resident memory with one idle session.
 * A plain program, not JMH: nodes are child JVMs whose start and memory are the measure.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am
 * java $(Node.JVM_FLAGS) -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.cluster.ClusterBench
 * </pre>
 * {@code -Drounds=N} sets the round trips measured (default 20,000), {@code -Dinputs=N} the map's,
 * {@code -Dparts=rt,tp,map,start} which measures run, {@code -Dwarmup=N} the empty tasks (128 in
 * flight) each pool runs before any measure (default 400,000; 0 for none): fresh node and worker
 * JVMs compile their hot paths during the first few hundred thousand tasks (their AOT cache holds
 * no compiled code), and a measure taken during that time is the JIT's, not the path's.
 */
public final class ClusterBench {
    private static final Task<Integer> EMPTY = () -> 1;
    /** The kernel's clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    private ClusterBench() {}

    /**
     * Runs every measure and prints one line each.
     *
     * @param args none
     * @throws Exception if a pool fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 20_000);
        int inputs = Integer.getInteger("inputs", 1_000_000);
        String parts = System.getProperty("parts", "rt,tp,map,start");
        int warmup = Integer.getInteger("warmup", 400_000);
        System.setOut(new ReadyLines(System.out));
        System.out.println("load at start: " + ClusterChaos.loadAverage());
        for (String mode : List.of("threads(2)", "processes(2)", "localCluster(2)")) {
            try (TaskPool pool = start(mode)) {
                if (warmup > 0) {
                    System.out.print("warm-up: ");
                    throughput(mode, pool, warmup);
                }
                if (parts.contains("rt")) {
                    roundTrip(mode, pool, rounds / 4); // warm-up
                    roundTrip(mode, pool, rounds);
                }
                if (parts.contains("tp")) {
                    throughput(mode, pool, rounds); // warm-up
                    throughput(mode, pool, 5 * rounds);
                }
                if (parts.contains("map")) {
                    map(mode, pool, inputs / 10); // warm-up
                    map(mode, pool, inputs);
                }
                if (mode.startsWith("local")) {
                    memory();
                }
            }
        }
        for (int i = 0; i < (parts.contains("start") ? 3 : 0); i++) {
            ReadyLines.NODE_READY_MILLIS.clear();
            long t0 = System.nanoTime();
            try (TaskPool pool = start("localCluster(1)")) {
                long ready = System.nanoTime();
                String fresh = nodeRss();
                pool.submit(EMPTY).get();
                System.out.printf(
                        Locale.ROOT,
                        "start localCluster(1): node ready in %s ms (its launch to accepting sessions), %.0f ms to a"
                                + " started pool (session open), %.0f ms to the first result; node RSS with one idle"
                                + " session %s; load %s%n",
                        ReadyLines.NODE_READY_MILLIS,
                        (ready - t0) / 1e6,
                        (System.nanoTime() - t0) / 1e6,
                        fresh,
                        ClusterChaos.loadAverage());
            }
        }
    }

    /** Passes lines on, keeping the start time local nodes report in their ready line ("... in N ms"). */
    static final class ReadyLines extends PrintStream {
        static final List<Long> NODE_READY_MILLIS = new CopyOnWriteArrayList<>();
        private static final Pattern READY = Pattern.compile("tandem node ready: .* in (\\d+) ms");

        ReadyLines(PrintStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }

        @Override
        public void println(String line) {
            Matcher m = READY.matcher(String.valueOf(line));
            if (m.find()) {
                NODE_READY_MILLIS.add(Long.parseLong(m.group(1)));
            }
            super.println(line);
        }
    }

    static TaskPool start(String mode) {
        return switch (mode) {
            case "threads(2)" -> Tandem.threads(2).start();
            case "processes(2)" -> Tandem.processes(2).forwardOutput(false).start();
            case "localCluster(2)" ->
                Tandem.localCluster(2).perNode(1, 1).forwardOutput(false).start();
            case "localCluster(1)" ->
                Tandem.localCluster(1).perNode(1, 1).forwardOutput(false).start();
            default -> throw new IllegalArgumentException(mode);
        };
    }

    static void roundTrip(String mode, TaskPool pool, int n) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            pool.submit(EMPTY).get();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        System.out.printf(
                Locale.ROOT,
                "round trip %-16s median %7.1f us  p99 %8.1f us  (%d)  load %s%n",
                mode,
                nanos[n / 2] / 1e3,
                nanos[(int) (n * 0.99)] / 1e3,
                n,
                ClusterChaos.loadAverage());
    }

    static void throughput(String mode, TaskPool pool, int n) throws Exception {
        ArrayDeque<Future<Integer>> window = new ArrayDeque<>();
        long[] cpu0 = cpuTicks();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (window.size() == 128) {
                window.poll().get();
            }
            window.add(pool.submit(EMPTY));
        }
        while (!window.isEmpty()) {
            window.poll().get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        long[] cpu1 = cpuTicks();
        System.out.printf(
                Locale.ROOT,
                "throughput %-16s %9.0f tasks/s with 128 in flight  (%d)  load %s%n",
                mode,
                n / s,
                n,
                ClusterChaos.loadAverage());
        double tick = 1e6 / TICKS_PER_SECOND / n;
        System.out.printf(
                Locale.ROOT,
                "  cpu per task: caller %.1f us, nodes %.1f us, worker JVMs %.1f us%n",
                (cpu1[0] - cpu0[0]) * tick,
                (cpu1[1] - cpu0[1]) * tick,
                (cpu1[2] - cpu0[2]) * tick);
    }

    /**
     * {@return CPU time (user and system, clock ticks) of this JVM, of its node JVMs and of every
     * worker JVM under it} A worker that ended and was reaped counts through its parent's reaped
     * children's time ({@code cutime}, {@code cstime}), so a difference of two readings stays right
     * when workers are replaced in between.
     */
    static long[] cpuTicks() {
        long[] t = new long[3];
        long[] self = ticks(ProcessHandle.current().pid());
        t[0] = self[0];
        t[2] = self[1];
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            boolean node = p.info().commandLine().orElse("").contains("dev.tandem.cluster.Node");
            long[] own = ticks(p.pid());
            t[node ? 1 : 2] += own[0];
            t[2] += own[1];
        }
        return t;
    }

    /** {@return a process's own CPU ticks and those of its reaped children, or zeros if it is gone} */
    private static long[] ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, cutime, cstime: fields 14 to 17 of proc(5)
            return new long[] {
                Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])
            };
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }

    static void map(String mode, TaskPool pool, int n) {
        List<Integer> in = IntStream.range(0, n).boxed().toList();
        long t0 = System.nanoTime();
        List<Long> out = pool.map(x -> (long) x * x, in);
        double s = (System.nanoTime() - t0) / 1e9;
        if (out.size() != n || out.get(n - 1) != (long) (n - 1) * (n - 1)) {
            throw new IllegalStateException("map returned a wrong result");
        }
        System.out.printf(
                Locale.ROOT,
                "map        %-16s %9.0f inputs/s, %.2f s for %d  load %s%n",
                mode,
                n / s,
                s,
                n,
                ClusterChaos.loadAverage());
    }

    /** Resident memory of the local nodes (the node JVMs, not their workers). */
    static void memory() throws IOException {
        System.out.println("node RSS (after the runs above, one session each): " + nodeRss() + "  load "
                + ClusterChaos.loadAverage());
    }

    static String nodeRss() throws IOException {
        List<String> out = new ArrayList<>();
        for (ProcessHandle p : ProcessHandle.current().children().toList()) {
            if (p.info().commandLine().orElse("").contains("dev.tandem.cluster.Node")) {
                out.add(rssMiB(p.pid()) + " MiB");
            }
        }
        return out.toString();
    }

    static long rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
