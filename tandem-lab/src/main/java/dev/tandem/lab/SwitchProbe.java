package dev.tandem.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code switch} role of {@link LabChild}: times one-byte round trips for each configuration
 * ({@link PingPong.Mechanism} x echoing side x placement) and writes the results as JSON.
 *
 * <p>The pinging side is a fresh thread of this JVM for each configuration. The echoing side is either a thread of this JVM or a
 * JVM started for it ({@code echo} role), running the same {@link PingPong#echo} code. Placement
 * {@code same} pins both sides to one CPU, {@code cross} to two, {@code free} leaves them to the
 * scheduler. Each configuration is warmed up (the JIT compiles the loop), then timed in repeats; the
 * OS's context-switch counters of both sides' threads are read before and after.
 */
final class SwitchProbe {
    private SwitchProbe() {}

    /**
     * Runs {@code configs} ("MECHANISM:thread|process:same|cross|free") and writes the results to
     * {@code out}, and the configuration it starts to {@code out.progress}, one line each.
     */
    static void run(List<String> configs, int warmup, int rounds, int repeats, int cpuA, int cpuB, Path tmp, Path out)
            throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        Path progress = Path.of(out + ".progress");
        int n = 0;
        for (String config : configs) {
            Files.writeString(progress, config + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            String[] c = config.split(":");
            Path dir = Files.createDirectory(tmp.resolve("pp" + (n++)));
            // Each configuration pings from a fresh thread, so that the pinning of one does not leak into the next.
            AtomicReference<Map<String, Object>> result = new AtomicReference<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread pinger = Thread.ofPlatform().name("ping-" + config).start(() -> {
                try {
                    result.set(one(
                            PingPong.Mechanism.valueOf(c[0]),
                            c[1].equals("process"),
                            c[2],
                            warmup,
                            rounds,
                            repeats,
                            cpuA,
                            cpuB,
                            dir));
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            if (!Pace.await(Pace.Limit.BATCH, ns -> pinger.join(Duration.ofNanos(ns)))) {
                throw new IllegalStateException("configuration " + config + " did not finish within "
                        + Pace.Limit.BATCH.quiet().toMinutes() + " minutes stretched by the machine's pace");
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            results.add(result.get());
            new ObjectMapper().writeValue(out.toFile(), results); // partial results survive a later failure
        }
    }

    private static Map<String, Object> one(
            PingPong.Mechanism mechanism,
            boolean process,
            String placement,
            int warmup,
            int rounds,
            int repeats,
            int cpuA,
            int cpuB,
            Path dir)
            throws Exception {
        int myCpu = placement.equals("free") ? -1 : cpuA;
        int peerCpu = switch (placement) {
            case "same" -> cpuA;
            case "cross" -> cpuB;
            default -> -1;
        };
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mechanism", mechanism.name());
        r.put("peer", process ? "process" : "thread");
        r.put("placement", placement);
        boolean pinned = myCpu < 0 || Affinity.pin(myCpu);
        r.put("pinned", pinned);
        AtomicReference<long[]> peerResult = new AtomicReference<>();
        AtomicReference<Throwable> peerFailure = new AtomicReference<>();
        Thread peerThread = null;
        ChildJvm peerJvm = null;
        Path peerOut = dir.resolve("echo.json");
        try (PingPong p = PingPong.prepare(mechanism, dir)) {
            if (process) {
                peerJvm = LabChild.start(
                        dir,
                        List.of("-Xmx32m", "-Xss512k"),
                        "echo",
                        List.of(mechanism.name(), dir.toString(), Integer.toString(peerCpu), peerOut.toString()),
                        false);
            } else {
                peerThread = Thread.ofPlatform().name("echo").start(() -> {
                    try {
                        peerResult.set(PingPong.echo(mechanism, dir, peerCpu));
                    } catch (Throwable t) {
                        peerFailure.set(t);
                    }
                });
            }
            p.connect(dir);
            long[] before = ProcFs.threadSwitches();
            for (int i = 0; i < warmup; i++) {
                p.roundTrip();
            }
            List<Double> nanosPerRoundTrip = new ArrayList<>();
            for (int rep = 0; rep < repeats; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    p.roundTrip();
                }
                nanosPerRoundTrip.add((System.nanoTime() - t0) / (double) rounds);
            }
            long[] after = ProcFs.threadSwitches();
            r.put("nanosPerRoundTrip", nanosPerRoundTrip);
            r.put("roundTrips", (long) warmup + (long) rounds * repeats);
            r.put("pingVoluntary", after[0] - before[0]);
            r.put("pingInvoluntary", after[1] - before[1]);
            r.put("pingCpu", Affinity.currentCpu());
        } finally {
            if (peerThread != null) {
                Thread peer = peerThread;
                Pace.await(Pace.Limit.PROCESS_EXIT, ns -> peer.join(Duration.ofNanos(ns)));
            }
            if (peerJvm != null) {
                try (ChildJvm jvm = peerJvm) {
                    Integer code = jvm.await(Pace.Limit.PROCESS_EXIT);
                    if (code == null || code != 0) {
                        r.put(
                                "peerError",
                                "echo JVM " + (code == null ? "hung" : ChildJvm.describeExit(code)) + ": "
                                        + jvm.stderrTail());
                    }
                }
            }
        }
        long[] peer = peerResult.get();
        if (process && Files.exists(peerOut)) {
            peer = new ObjectMapper().readValue(peerOut.toFile(), long[].class);
        }
        if (peerFailure.get() != null) {
            r.put("peerError", peerFailure.get().toString());
        }
        if (peer != null) {
            r.put("echoServed", peer[0]);
            r.put("echoVoluntary", peer[1]);
            r.put("echoInvoluntary", peer[2]);
            r.put("echoCpu", peer[3]);
        }
        return r;
    }

    /** The {@code echo} role: serves round trips, then writes its counters to {@code out}. */
    static void echoMain(PingPong.Mechanism mechanism, Path dir, int cpu, Path out) throws IOException {
        long[] result = PingPong.echo(mechanism, dir, cpu);
        new ObjectMapper().writeValue(out.toFile(), result);
    }
}
