package dev.tandem.lab;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.Transport;
import dev.tandem.cluster.Node;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code pools} role of {@link LabChild}: the round trip of an empty task through Tandem's own
 * pools, measured as the JMH benchmark {@code core.RoundTripBenchmark} measures it ({@link RoundTrips}):
 * in a fresh JVM of its own, like a JMH fork, with the JVM's default collector and heap, steady state
 * after timed warm-up iterations, and the cold start of each pool recorded apart.
 *
 * <p>Executors carry the benchmark's names: {@code threads} ({@code Tandem.threads(1)}),
 * {@code processes} ({@code Tandem.processes(1)} over {@link Transport#SOCKET}) and
 * {@code processes-shm} (over {@link Transport#SHARED_MEMORY}); and one level up, {@code cluster}
 * ({@code Tandem.localCluster(1)}, one worker JVM on one node JVM of this machine): the hop to a
 * thread, to a process and to a node, by the same method. The probe JVM then gets Hazelcast's flags
 * ({@link Node#JVM_FLAGS}).
 */
final class PoolProbe {
    /** The executors JMH's {@code core.RoundTripBenchmark} also measures (the self-check's). */
    static final List<String> LOCAL = List.of("threads", "processes", "processes-shm");

    /** The executors the lab measures, in the order it reports them. */
    static final List<String> EXECUTORS = List.of("threads", "processes", "processes-shm", "cluster");

    private PoolProbe() {}

    /** {@return the label of an executor, for people} */
    static String label(String executor) {
        return switch (executor) {
            case "threads" -> "Tandem.threads(1)";
            case "processes" -> "Tandem.processes(1), Unix socket";
            case "processes-shm" -> "Tandem.processes(1), shared memory";
            case "cluster" -> "Tandem.localCluster(1), one node";
            default -> throw new IllegalArgumentException("unknown executor " + executor);
        };
    }

    /**
     * Starts the probe in a fresh JVM; its results go to {@code out} as JSON, one object per executor.
     *
     * @param tmp the lab's temporary directory (crash logs, stderr)
     */
    static ChildJvm start(Path tmp, List<String> executors, RoundTrips.Settings settings, Path out) throws IOException {
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        if (executors.contains("cluster")) {
            options.addAll(Node.JVM_FLAGS);
        }
        return ChildJvm.in(tmp)
                .options(options)
                .start(
                        LabChild.class.getName(),
                        List.of(
                                "pools",
                                String.join(",", executors),
                                Integer.toString(settings.warmupIterations()),
                                Long.toString(settings.warmup().toMillis()),
                                Integer.toString(settings.iterations()),
                                Long.toString(settings.iteration().toMillis()),
                                tmp.toString(),
                                out.toString()));
    }

    /** {@return how long the probe needs for {@code executors} on a quiet machine, with room for JVM starts} */
    static Duration expected(List<String> executors, RoundTrips.Settings s) {
        Duration perPool =
                s.warmup().multipliedBy(s.warmupIterations()).plus(s.iteration().multipliedBy(s.iterations()));
        Duration all = perPool.plusSeconds(5).multipliedBy(executors.size()).plusSeconds(5);
        return executors.contains("cluster") ? all.plus(Pace.Limit.NODE_START.quiet()) : all;
    }

    /** The role itself: runs in the child JVM. */
    static void run(List<String> executors, RoundTrips.Settings settings, Path tmp, Path out) throws IOException {
        Pace pace = Pace.measure();
        List<Map<String, Object>> results = new ArrayList<>();
        for (String executor : executors) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("executor", executor);
            List<RoundTrips.Cold> cold = new ArrayList<>();
            try (TaskPool pool =
                    RoundTrips.startCold(() -> builder(executor, tmp, pace).start(), cold)) {
                r.put("cold", cold.getFirst());
                r.put("steady", RoundTrips.steady(pool, settings));
            } catch (Exception e) {
                r.put("error", e.getClass().getSimpleName() + ": " + Units.firstLine(e.getMessage()));
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            results.add(r);
            Json.MAPPER.writeValue(out.toFile(), results); // what was measured survives a later failure
        }
    }

    /**
     * {@return the builder of an executor's pool; a worker JVM's start is bounded by
     * {@link Pace.Limit#WORKER_START} stretched by {@code pace}, not by the fixed default}
     */
    static Tandem.Builder builder(String executor, Path tmp, Pace pace) {
        return Bench.paced(unpaced(executor, tmp), pace);
    }

    private static Tandem.Builder unpaced(String executor, Path tmp) {
        return switch (executor) {
            case "threads" -> Tandem.threads(1);
            case "processes", "processes-shm" ->
                Tandem.processes(1)
                        .transport(executor.equals("processes") ? Transport.SOCKET : Transport.SHARED_MEMORY)
                        .forwardOutput(false)
                        .jvmOptions(Bench.workerJvmOptions(tmp).toArray(String[]::new));
            case "cluster" ->
                Tandem.localCluster(1)
                        .perNode(1, 1)
                        .forwardOutput(false)
                        .jvmOptions(Bench.workerJvmOptions(tmp).toArray(String[]::new));
            default -> throw new IllegalArgumentException("unknown executor " + executor);
        };
    }
}
