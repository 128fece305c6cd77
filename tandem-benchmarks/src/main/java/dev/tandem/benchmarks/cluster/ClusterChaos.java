package dev.tandem.benchmarks.cluster;

import dev.tandem.NodeLostException;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.cluster.Node;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 14's chaos test: three nodes on 127.0.0.1, 20,000 small tasks (0 to 20 ms), and every 4 to
 * 7 s a node is SIGKILLed and restarted on its port, or frozen (SIGSTOP) for twice the node failure
 * timeout and resumed. Oracles, checked at the end (exit code 1 if one fails): every future ends
 * within its bound; only {@link NodeLostException}s fail tasks, at most the tasks sent to the node
 * per loss (P x T, plus one held ahead for tasks of 1 to 20 ms: any of them may have started there);
 * with retries, none.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am
 * java $(flags) -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.cluster.ClusterChaos 0
 * java $(flags) -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.cluster.ClusterChaos 3
 * </pre>
 * where the argument is {@code retriesOnWorkerLoss} and flags are {@code Node.JVM_FLAGS}.
 * {@code -Dtasks=N} changes the count, {@code -DfailureSeconds=S} the node failure timeout (default 10),
 * {@code -DchaosMinMillis=A -DchaosMaxMillis=B} the pause between losses (default 4,000 to 7,000 ms;
 * 1,000 to 2,000 leaves every node away at once now and then: the pool then waits for one).
 */
public final class ClusterChaos {
    private static final int PER_NODE = 2;

    private ClusterChaos() {}

    /**
     * Runs the chaos.
     *
     * @param args {@code retriesOnWorkerLoss}
     * @throws Exception if the nodes or the pool cannot start
     */
    public static void main(String[] args) throws Exception {
        int retries = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int tasks = Integer.getInteger("tasks", 20_000);
        String name = "tandem-chaos-"
                + HexFormat.of()
                        .formatHex(
                                new byte[] {(byte) ThreadLocalRandom.current().nextInt(), (byte) System.nanoTime()});
        List<Integer> ports = freePorts(3);
        Process[] nodes = new Process[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = startNode(name, ports, i);
        }
        Duration failure = Duration.ofSeconds(Long.getLong("failureSeconds", 10));
        long chaosMin = Long.getLong("chaosMinMillis", 4000);
        long chaosMax = Math.max(chaosMin, Long.getLong("chaosMaxMillis", 7000));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        AtomicInteger freezes = new AtomicInteger();
        long t0 = System.nanoTime();
        int failed = 0;
        int nodeLost = 0;
        int other = 0;
        int unfinished = 0;
        String[] seeds = ports.stream().map(p -> "127.0.0.1:" + p).toArray(String[]::new);
        try (TaskPool pool = Tandem.cluster(seeds)
                .clusterName(name)
                .minNodes(3)
                .perNode(PER_NODE, 1)
                .nodeFailureTimeout(failure)
                .retriesOnWorkerLoss(retries)
                .forwardOutput(false)
                .start()) {
            Thread chaos = Thread.ofPlatform().name("chaos").start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!done.get()) {
                    if (await(done, r.nextLong(chaosMin, chaosMax + 1))) {
                        return;
                    }
                    int i = r.nextInt(3);
                    try {
                        if (r.nextInt(3) < 2) {
                            nodes[i].destroyForcibly();
                            nodes[i].waitFor(10, TimeUnit.SECONDS);
                            kills.incrementAndGet();
                            nodes[i] = startNode(name, ports, i);
                        } else {
                            signal("STOP", nodes[i].pid());
                            freezes.incrementAndGet();
                            await(done, 2 * failure.toMillis());
                            signal("CONT", nodes[i].pid());
                        }
                    } catch (IOException | InterruptedException e) {
                        System.err.println("chaos: " + e);
                    }
                }
            });
            List<Future<Integer>> futures = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                int n = i;
                long sleep = ThreadLocalRandom.current().nextLong(0, 21);
                futures.add(pool.submit(() -> {
                    if (sleep > 0) {
                        new CountDownLatch(1).await(sleep, TimeUnit.MILLISECONDS);
                    }
                    return n;
                }));
            }
            for (Future<Integer> f : futures) {
                try {
                    f.get(5, TimeUnit.MINUTES);
                } catch (ExecutionException e) {
                    failed++;
                    if (e.getCause() instanceof NodeLostException) {
                        nodeLost++;
                    } else {
                        other++;
                        System.err.println("unexpected failure: " + e.getCause());
                    }
                } catch (TimeoutException e) {
                    unfinished++;
                }
            }
            done.set(true);
            chaos.interrupt();
            chaos.join(TimeUnit.MINUTES.toMillis(1));
        } finally {
            for (Process p : nodes) {
                signal("CONT", p.pid());
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int losses = kills.get() + freezes.get();
        int bound = retries > 0 ? 0 : losses * (PER_NODE + 1);
        System.out.printf(
                Locale.ROOT,
                "chaos: %d tasks in %.1f s, %d kills, %d freezes (every %d-%d ms); failed %d (NodeLostException %d, other %d), bound %d;"
                        + " unfinished %d; retries %d; load %s%n",
                tasks,
                seconds,
                kills.get(),
                freezes.get(),
                chaosMin,
                chaosMax,
                failed,
                nodeLost,
                other,
                bound,
                unfinished,
                retries,
                loadAverage());
        boolean ok = unfinished == 0 && other == 0 && failed <= bound;
        System.out.println(ok ? "chaos: PASSED" : "chaos: FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static boolean await(AtomicBoolean done, long millis) {
        try {
            new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
        return done.get();
    }

    static Process startNode(String name, List<Integer> ports, int i) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Node.JVM_FLAGS);
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        cmd.add(Node.class.getName());
        cmd.addAll(List.of("--bind", "127.0.0.1", "--port", ports.get(i).toString(), "--cluster-name", name));
        List<String> others = new ArrayList<>();
        for (int j = 0; j < ports.size(); j++) {
            if (j != i) {
                others.add("127.0.0.1:" + ports.get(j));
            }
        }
        cmd.addAll(List.of("--join", String.join(",", others), "--watch-parent"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(new File("/dev/null"))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("HZ_PHONE_HOME_ENABLED", "false");
        return pb.start();
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
    }

    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
