package dev.tandem.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import dev.tandem.measure.RoundTrips;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The entry point of the JVMs the lab starts ({@link ChildJvm}). Each role measures something that
 * must not run inside the lab's own JVM: pinned threads, a fresh JVM's footprint, or a fault that
 * ends the whole JVM. Results go to a file named by the last argument, never to stdout.
 *
 * <ul>
 *   <li>{@code switch CONFIGS WARMUP ROUNDS REPEATS CPU_A CPU_B TMP OUT}: round-trip times
 *       ({@link SwitchProbe}).</li>
 *   <li>{@code echo MECHANISM DIR CPU OUT}: the echoing process of a round trip.</li>
 *   <li>{@code threads VIRTUAL_COUNT PLATFORM_COUNT REPEATS OUT}: creation time and footprint of virtual,
 *       then platform threads.</li>
 *   <li>{@code idle}: writes one line to stdout when ready, then waits for stdin to close; the lab
 *       reads its footprint meanwhile.</li>
 *   <li>{@code pools EXECUTORS WARMUPS WARMUP_MS ITERATIONS ITERATION_MS TMP OUT}: the round trip of
 *       an empty task through Tandem's pools, steady and cold ({@link PoolProbe}).</li>
 *   <li>{@code fault FAULT[,FAULT...] NONCE QUEUED BESIDE_MS NAP_MS TIMEOUT_MS OUT}: one
 *       {@link FaultDrill} per fault, each on a new two-thread pool (with a task timeout for faults that hang); events are appended to OUT line by line, tagged with
 *       the fault, so they survive this JVM's death.</li>
 * </ul>
 * A watchdog halts every child after {@link Pace.Limit#CHILD_LIFE} stretched by the machine's pace, so
 * that none outlives a lab that lost track of it.
 */
final class LabChild {
    private LabChild() {}

    /**
     * Starts {@code LabChild role args...} in a JVM with the lab's class path, the serial collector and
     * native access (for CPU pinning and the native-crash fault); stdout is a pipe when {@code pipeStdout},
     * otherwise discarded.
     */
    static ChildJvm start(Path tmp, List<String> jvmOptions, String role, List<String> args, boolean pipeStdout)
            throws IOException {
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"));
        options.addAll(jvmOptions);
        ChildJvm.Launcher launcher = ChildJvm.in(tmp).options(options);
        if (pipeStdout) {
            launcher.pipeStdout();
        }
        List<String> all = new ArrayList<>();
        all.add(role);
        all.addAll(args);
        return launcher.start(LabChild.class.getName(), all);
    }

    /**
     * Runs one role.
     *
     * @param args the role and its arguments
     */
    public static void main(String[] args) throws Exception {
        Thread watchdog = Thread.ofPlatform()
                .daemon()
                .name("lab-child-watchdog")
                .start(() -> {
                    try {
                        Thread.sleep(Pace.measure().limit(Pace.Limit.CHILD_LIFE));
                        Runtime.getRuntime().halt(124);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        String role = args[0];
        String[] a = Arrays.copyOfRange(args, 1, args.length);
        switch (role) {
            case "switch" ->
                SwitchProbe.run(
                        List.of(a[0].split(",")),
                        Integer.parseInt(a[1]),
                        Integer.parseInt(a[2]),
                        Integer.parseInt(a[3]),
                        Integer.parseInt(a[4]),
                        Integer.parseInt(a[5]),
                        Path.of(a[6]),
                        Path.of(a[7]));
            case "echo" ->
                SwitchProbe.echoMain(
                        PingPong.Mechanism.valueOf(a[0]), Path.of(a[1]), Integer.parseInt(a[2]), Path.of(a[3]));
            case "threads" -> {
                Map<String, Object> r = new LinkedHashMap<>();
                // Virtual threads first: their carriers and heap stay, but do not touch the platform threads' numbers.
                r.put("virtual", threads(true, Integer.parseInt(a[0]), Integer.parseInt(a[2])));
                r.put("platform", threads(false, Integer.parseInt(a[1]), Integer.parseInt(a[2])));
                new ObjectMapper().writeValue(Path.of(a[3]).toFile(), r);
            }
            case "idle" -> idle();
            case "pools" ->
                PoolProbe.run(
                        List.of(a[0].split(",")),
                        new RoundTrips.Settings(
                                Integer.parseInt(a[1]),
                                Duration.ofMillis(Long.parseLong(a[2])),
                                Integer.parseInt(a[3]),
                                Duration.ofMillis(Long.parseLong(a[4]))),
                        Path.of(a[5]),
                        Path.of(a[6]));
            case "fault" ->
                fault(
                        Arrays.stream(a[0].split(",")).map(Fault::valueOf).toList(),
                        Long.parseLong(a[1]),
                        Integer.parseInt(a[2]),
                        Long.parseLong(a[3]),
                        Long.parseLong(a[4]),
                        Long.parseLong(a[5]),
                        Path.of(a[6]));
            default -> throw new IllegalArgumentException("unknown role " + role);
        }
        watchdog.interrupt();
        System.exit(0);
    }

    private static void idle() throws IOException {
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait until the lab closes our stdin
        }
    }

    /**
     * Creation time per thread (create, start, join) over {@code repeats} rounds of {@code count}
     * threads after one warm-up round; then the footprint of {@code count} threads parked at once.
     */
    private static Map<String, Object> threads(boolean virtual, int count, int repeats) throws Exception {
        Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform();
        Map<String, Object> r = new LinkedHashMap<>();
        List<Double> createMicros = new ArrayList<>();
        for (int rep = -1; rep < repeats; rep++) {
            Thread[] ts = new Thread[count];
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                ts[i] = builder.start(() -> {});
            }
            for (Thread t : ts) {
                t.join();
            }
            double micros = (System.nanoTime() - t0) / 1e3 / count;
            if (rep >= 0) {
                createMicros.add(micros);
            }
        }
        r.put("createMicros", createMicros);

        long pid = ProcessHandle.current().pid();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        long[] before = ProcFs.footprint(pid);
        long heapBefore = mem.getHeapMemoryUsage().getUsed();
        CountDownLatch started = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] ts = new Thread[count];
        for (int i = 0; i < count; i++) {
            ts[i] = builder.start(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        started.await();
        System.gc();
        long[] after = ProcFs.footprint(pid);
        long heapAfter = mem.getHeapMemoryUsage().getUsed();
        release.countDown();
        for (Thread t : ts) {
            t.join();
        }
        r.put("count", count);
        r.put("rssKiBBefore", before[0]);
        r.put("rssKiBAfter", after[0]);
        r.put("pssKiBBefore", before[1]);
        r.put("pssKiBAfter", after[1]);
        r.put("osThreadsBefore", before[2]);
        r.put("osThreadsAfter", after[2]);
        r.put("fdsBefore", before[3]);
        r.put("fdsAfter", after[3]);
        r.put("heapBytesBefore", heapBefore);
        r.put("heapBytesAfter", heapAfter);
        return r;
    }

    private static void fault(
            List<Fault> faults, long nonce, int queued, long besideMillis, long napMillis, long timeoutMillis, Path out)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            Consumer<Map<String, Object>> sink = e -> {
                try {
                    w.write(json.writeValueAsString(e));
                    w.newLine();
                    w.flush();
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            };
            sink.accept(FaultDrill.event(
                    "jvmStarted",
                    "uptimeMs",
                    ManagementFactory.getRuntimeMXBean().getUptime()));
            for (int i = 0; i < faults.size(); i++) {
                Fault fault = faults.get(i);
                Tandem.Builder builder = Tandem.threads(2);
                if (fault.hangs()) {
                    builder.taskTimeout(Duration.ofMillis(timeoutMillis));
                }
                TaskPool pool = builder.start();
                pool.submit(() -> 0).get();
                if (i == 0) {
                    sink.accept(FaultDrill.event("ready"));
                }
                new FaultDrill(pool, e -> {
                            e.put("drill", fault.name());
                            sink.accept(e);
                        })
                        .run(
                                fault,
                                nonce + i,
                                besideMillis,
                                queued,
                                napMillis,
                                timeoutMillis,
                                2 * timeoutMillis
                                        + Pace.measure()
                                                .limit(Pace.Limit.RECOVERY)
                                                .toMillis());
                if (fault.leavesJvmClean) {
                    pool.close();
                }
                // Otherwise a thread is stuck in the fault and close() would wait for it forever; halt below.
            }
            sink.accept(FaultDrill.event("done"));
            Runtime.getRuntime().halt(0);
        }
    }
}
