package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.RoundTrips;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code tandem lab --self-check}: does the lab tell the same truth about Tandem's own costs as the
 * project's JMH benchmarks? For each pool of {@link PoolProbe#LOCAL}, it runs the benchmark
 * {@code core.RoundTripBenchmark} (JMH 1.37, one fork, {@code Mode.SampleTime}) and the lab's own
 * measurement ({@link PoolProbe}, the one the switching experiment reports) one right after the
 * other, with the same warm-up and measurement iterations, and compares their medians.
 *
 * <p>They agree when the lab's median is within {@value #TOLERANCE_PERCENT}% of JMH's. A pair that
 * disagrees while the machine was busy (other processes took CPU, see {@link Load}) is measured once
 * more; if it still disagrees on a busy machine, the answer is <em>inconclusive (machine busy)</em>,
 * not a failure. Exit codes: 0 every pool agrees, 1 some pool disagrees on a quiet machine, 3
 * inconclusive. The figures go to {@code self-check.json} in the report directory.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl tandem-cli,tandem-benchmarks -am
 * ./tandem lab --self-check            # or: bench/lab-vs-jmh.sh, which builds first
 * </pre>
 */
final class SelfCheck {
    static final int TOLERANCE_PERCENT = 30;
    static final int EXIT_DISAGREES = 1;
    static final int EXIT_INCONCLUSIVE = 3;
    /** The main class of the benchmarks jar: JMH's runner, which runs the benchmark named first. */
    static final String JMH_MAIN = "org.openjdk.jmh.Main";

    private static final RoundTrips.Settings SETTINGS = RoundTrips.Settings.FULL;

    private final PrintStream out;
    private final PrintStream err;

    SelfCheck(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@return the benchmarks jar of the checkout the lab runs from ({@code -Dtandem.home}, else the working directory)} */
    static Path defaultJar() {
        String home = System.getProperty("tandem.home", ".");
        return Path.of(home, "tandem-benchmarks", "target", "benchmarks.jar");
    }

    /** One pool's comparison. */
    record Pair(String executor, double jmh, double lab, Load jmhLoad, Load labLoad, int attempts, String error) {
        double ratio() {
            return lab / jmh;
        }

        boolean agrees() {
            return error == null && Math.abs(ratio() - 1) <= TOLERANCE_PERCENT / 100.0;
        }

        boolean busy() {
            return (jmhLoad != null && jmhLoad.busy()) || (labLoad != null && labLoad.busy());
        }

        String result() {
            if (error != null) {
                return "not measured: " + error;
            }
            return agrees() ? "agrees" : busy() ? "inconclusive (machine busy)" : "DIFFERS";
        }
    }

    int run(Path jar, Path dir) throws IOException {
        Path tmp = Files.createTempDirectory("tandem-lab-");
        List<Pair> pairs = new ArrayList<>();
        try {
            err.printf(
                    Locale.ROOT,
                    "tandem lab --self-check: %s against %s, %d x %d ms warm-up and %d x %d ms measured per pool%n",
                    "the lab's round trip",
                    jar,
                    SETTINGS.warmupIterations(),
                    SETTINGS.warmup().toMillis(),
                    SETTINGS.iterations(),
                    SETTINGS.iteration().toMillis());
            for (String executor : PoolProbe.LOCAL) {
                pairs.add(pair(jar, executor, tmp));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("tandem lab --self-check: interrupted");
            return 130;
        } finally {
            Lab.deleteTree(tmp);
        }
        List<List<String>> rows = new ArrayList<>();
        for (Pair p : pairs) {
            rows.add(List.of(
                    PoolProbe.label(p.executor()),
                    Units.num(p.jmh(), "µs"),
                    Units.num(p.lab(), "µs"),
                    Units.ratio(p.ratio()),
                    p.labLoad() == null ? "n/a" : p.labLoad().describe(),
                    p.result()));
        }
        out.println();
        out.print(new Table(
                        "Median round trip of an empty task, JMH (core.RoundTripBenchmark) and the lab, same machine, "
                                + "one after the other (agree: within " + TOLERANCE_PERCENT + "%)",
                        List.of("pool", "JMH p50", "lab p50", "lab / JMH", "load during the lab's run", "result"),
                        rows)
                .text());
        write(dir.resolve("self-check.json"), jar, pairs);
        out.println("written: " + dir.resolve("self-check.json"));
        int code = exitCode(pairs);
        out.println(summary(pairs, code));
        return code;
    }

    /**
     * {@return 0 if every pool agrees, {@link #EXIT_DISAGREES} if one was measured on a quiet machine and
     * disagrees, else {@link #EXIT_INCONCLUSIVE}}
     */
    static int exitCode(List<Pair> pairs) {
        if (pairs.stream().anyMatch(p -> !p.agrees() && !p.busy())) {
            return EXIT_DISAGREES;
        }
        return pairs.stream().allMatch(Pair::agrees) ? 0 : EXIT_INCONCLUSIVE;
    }

    /** {@return the closing line: the exit code and the pools that set it, each with its reason} */
    static String summary(List<Pair> pairs, int code) {
        if (code == 0) {
            return "tandem lab --self-check: exit code 0: every pool agrees with JMH within " + TOLERANCE_PERCENT
                    + "%.";
        }
        List<String> why = new ArrayList<>();
        for (Pair p : pairs) {
            if (p.agrees() || (code == EXIT_DISAGREES && p.busy())) {
                continue;
            }
            String pool = PoolProbe.label(p.executor());
            if (p.error() != null) {
                why.add(pool + " was not measured (" + p.error() + ")"
                        + (p.busy() ? " on a busy machine" : " on a quiet machine"));
            } else {
                why.add(String.format(
                        Locale.ROOT,
                        "%s: the lab measured %s against JMH's %s (%s), beyond the %d%% tolerance, on a %s machine",
                        pool,
                        Units.num(p.lab(), "µs"),
                        Units.num(p.jmh(), "µs"),
                        Units.ratio(p.ratio()),
                        TOLERANCE_PERCENT,
                        p.busy() ? "busy" : "quiet"));
            }
        }
        return "tandem lab --self-check: exit code " + code + " ("
                + (code == EXIT_DISAGREES ? "the lab disagrees with JMH" : "inconclusive: the machine was busy")
                + "): " + String.join("; ", why) + ".";
    }

    /** {@return why a child failed, never ending in an empty detail: "what: detail", or "what (no output)"} */
    static String failure(String what, String detail) {
        return detail == null || detail.isBlank() ? what + " (it printed nothing on stderr)" : what + ": " + detail;
    }

    private Pair pair(Path jar, String executor, Path tmp) throws IOException, InterruptedException {
        Pair p = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            err.println("  " + PoolProbe.label(executor) + ": JMH, then the lab" + (attempt > 1 ? " (again)" : ""));
            Load.Meter m1 = Load.start();
            double jmh;
            try {
                jmh = jmh(jar, executor, tmp);
            } catch (IllegalStateException e) {
                return new Pair(executor, Double.NaN, Double.NaN, m1.stop(), null, attempt, e.getMessage());
            }
            Load jmhLoad = m1.stop();
            Load.Meter m2 = Load.start();
            double lab;
            try {
                lab = lab(executor, tmp);
            } catch (IllegalStateException e) {
                return new Pair(executor, jmh, Double.NaN, jmhLoad, m2.stop(), attempt, e.getMessage());
            }
            p = new Pair(executor, jmh, lab, jmhLoad, m2.stop(), attempt, null);
            if (p.agrees() || !p.busy()) {
                break;
            }
        }
        return p;
    }

    /** {@return JMH's median round trip, µs} */
    private static double jmh(Path jar, String executor, Path tmp) throws IOException, InterruptedException {
        Path result = tmp.resolve("jmh-" + executor + ".json");
        List<String> args =
                new ArrayList<>(List.of("core.RoundTripBenchmark", "-p", "executor=" + executor, "-f", "1"));
        args.addAll(SETTINGS.jmhOptions());
        args.addAll(List.of("-rf", "json", "-rff", result.toString()));
        Path log = tmp.resolve("jmh-" + executor + ".log");
        try (ChildJvm jvm = ChildJvm.in(tmp)
                .classPath(jar.toString())
                .stdoutTo(log)
                .noStdin()
                .start(JMH_MAIN, args)) {
            Duration bound = Pace.measure()
                    .scale(PoolProbe.expected(List.of(executor), SETTINGS).plusSeconds(60));
            Integer code = jvm.await(bound);
            if (code == null || code != 0) {
                String detail = lastLine(log);
                throw new IllegalStateException(failure(
                        "the JMH run failed",
                        detail.isBlank() ? Units.firstLine(jvm.stderrTail().strip()) : detail));
            }
        }
        JsonNode all = Json.MAPPER.readTree(result.toFile());
        for (JsonNode r : all) {
            JsonNode p50 = r.path("primaryMetric").path("scorePercentiles").path("50.0");
            if (p50.isNumber()
                    && r.path("primaryMetric").path("scoreUnit").asText().equals("us/op")) {
                return p50.asDouble();
            }
        }
        throw new IllegalStateException("no median in JMH's results " + result);
    }

    /** {@return the lab's median round trip, µs, measured as the switching experiment does} */
    private static double lab(String executor, Path tmp) throws IOException, InterruptedException {
        Path result = tmp.resolve("lab-" + executor + ".json");
        try (ChildJvm jvm = PoolProbe.start(tmp, List.of(executor), SETTINGS, result)) {
            Duration bound = Pace.measure().scale(PoolProbe.expected(List.of(executor), SETTINGS));
            Integer code = jvm.await(bound);
            if (code == null || code != 0) {
                throw new IllegalStateException(failure(
                        "the lab's probe "
                                + (code == null
                                        ? "did not finish within " + Units.num(bound.toMillis() / 1000.0, "s")
                                        : "ended with " + ChildJvm.describeExit(code)),
                        Units.firstLine(jvm.stderrTail().strip())));
            }
        }
        JsonNode r = Json.MAPPER.readTree(result.toFile()).path(0);
        if (r.has("error")) {
            throw new IllegalStateException(r.path("error").asText());
        }
        return r.path("steady").path("p50").asDouble(Double.NaN);
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines =
                    Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "(no output)" : Units.abbreviate(lines.getLast(), 200);
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void write(Path file, Path jar, List<Pair> pairs) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("jmhJar", jar.toString());
        root.put("tolerancePercent", TOLERANCE_PERCENT);
        root.set("settings", Json.MAPPER.valueToTree(SETTINGS.jmhOptions()));
        ArrayNode rows = root.putArray("pools");
        for (Pair p : pairs) {
            ObjectNode r = rows.addObject();
            r.put("executor", p.executor());
            number(r, "jmhMedianMicros", p.jmh());
            number(r, "labMedianMicros", p.lab());
            r.put("result", p.result());
            r.put("attempts", p.attempts());
            r.set("jmhLoad", p.jmhLoad() == null ? null : p.jmhLoad().toJson());
            r.set("labLoad", p.labLoad() == null ? null : p.labLoad().toJson());
        }
        Files.createDirectories(file.getParent()); // proven writable before measuring, created only now
        Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }
}
