package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Units;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scaling experiment's Python side ({@link ScalingExperiment}): runs {@code scaling.py} with {@code python3}
 * and adds its batch times, and each CPU-bound batch's CPU seconds per wall second, to the section, with which
 * Python ran and whether its GIL was on, as the interpreter says ({@code sys._is_gil_enabled()} from 3.13; every
 * earlier CPython has the GIL; a free-threaded build may run without it). Stateless.
 */
final class PythonComparison {
    /**
     * Python's CPU-bound tasks are longer than Java's: a pool hands a task to a worker in about a
     * millisecond, which would drown the effect of the GIL in tasks of a few milliseconds.
     */
    static final double PYTHON_CPU_MILLIS = 25;
    /**
     * The most CPU seconds per wall second, and so the most speed-up, that CPU-bound Python threads can reach
     * under a GIL (one thread runs Python code at a time), before {@link ScalingExperiment#SPEEDUP_TOLERANCE}.
     */
    static final double GIL_BOUND = 1;

    /** Why {@link #GIL_BOUND} holds, for the artefact's message ("... above the 1.10x that %s allow"). */
    static final String GIL_WHY = "the GIL's turns (one thread runs Python code at a time)";

    private PythonComparison() {}

    /**
     * The Python that ran the comparison, as it described itself.
     *
     * @param gil true if its GIL was on, false if off (a free-threaded build), null if it could not say
     * @param described version, implementation, build, how the GIL was checked, executable: for people
     */
    record Python(Boolean gil, String described) {}

    /** {@return the Python that ran the comparison, or null if none did} */
    static Python run(Bench bench, Section s, int tasks, double millis, int repeats, List<Integer> ws)
            throws Exception {
        String version = MachineInfo.python();
        if (version == null) {
            s.note("python3 was not found, so the Python comparison was skipped.");
            return null;
        }
        Path script = bench.tmp.resolve("scaling.py");
        try (InputStream in = PythonComparison.class.getResourceAsStream("scaling.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = bench.tmp.resolve("python.json");
        Process p = new ProcessBuilder(
                        "python3",
                        script.toString(),
                        "--workers",
                        String.join(",", ws.stream().map(String::valueOf).toList()),
                        "--tasks",
                        Integer.toString(tasks),
                        "--cpu-ms",
                        Double.toString(PYTHON_CPU_MILLIS),
                        "--io-ms",
                        Double.toString(millis),
                        "--repeats",
                        Integer.toString(repeats),
                        "--out",
                        out.toString())
                .redirectErrorStream(true)
                .redirectOutput(bench.tmp.resolve("python.log").toFile())
                .start();
        try {
            if (!Pace.await(Pace.Limit.BATCH, ns -> p.waitFor(ns, TimeUnit.NANOSECONDS)) || p.exitValue() != 0) {
                s.note("The Python comparison failed: "
                        + Files.readString(bench.tmp.resolve("python.log")).strip());
                return null;
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        JsonNode r = Json.MAPPER.readTree(out.toFile());
        Python py = describe(r);
        s.note(
                "Python " + py.described() + ": CPU-bound tasks of "
                        + String.format(Locale.ROOT, "%,d", r.get("iterations").asLong()) + " iterations, about "
                        + Units.num(PYTHON_CPU_MILLIS)
                        + " ms each (longer than Java's, so that pool overhead does not hide the GIL); IO-bound tasks as Java's.");
        for (JsonNode row : r.get("results")) {
            List<Double> ms = new ArrayList<>();
            row.get("seconds").forEach(x -> ms.add(x.asDouble() * 1000));
            String pool = row.get("pool").asText();
            String workload = row.get("workload").asText();
            int n = row.get("workers").asInt();
            s.add(
                    "py." + pool + "." + workload + "." + n,
                    "Python " + pool + ", " + workload + "-bound, " + Section.count(n, "worker", "workers")
                            + ": batch time",
                    "ms",
                    ms,
                    Map.of("pool", pool, "workload", workload, "workers", n, "tasks", tasks));
            JsonNode cpu = row.path("taskCpuSeconds");
            if (cpu.size() == ms.size() && !ms.isEmpty()) {
                List<Double> perWall = new ArrayList<>();
                for (int i = 0; i < ms.size(); i++) {
                    perWall.add(ms.get(i) > 0 ? cpu.get(i).asDouble() * 1000 / ms.get(i) : Double.NaN);
                }
                s.add(
                        parallelKey("py." + pool, workload, n),
                        "Python " + pool + ", " + workload + "-bound, " + Section.count(n, "worker", "workers")
                                + ": CPU seconds of the tasks per second of batch",
                        "x",
                        perWall,
                        Map.of("pool", pool, "workload", workload, "workers", n, "tasks", tasks));
            }
        }
        return py;
    }

    /**
     * {@return the Python of a {@code scaling.py} result: "3.11.7 (CPython, GIL on: no sys._is_gil_enabled()
     * (before 3.13): every CPython build has the GIL; /usr/bin/python3)"} A result of an older script, without
     * the GIL's state, reads as unknown.
     */
    static Python describe(JsonNode r) {
        JsonNode g = r.path("gil");
        Boolean gil = g.isBoolean() ? g.asBoolean() : null;
        String state = gil == null ? "GIL unknown" : gil ? "GIL on" : "GIL off";
        String build = r.path("freeThreaded").asBoolean(false) ? "free-threaded build, " : "";
        String check = r.path("gilCheck").asText("");
        String exe = r.path("executable").asText("");
        return new Python(
                gil,
                r.path("python").asText("?") + " (" + r.path("implementation").asText("?") + ", " + build + state
                        + (check.isBlank() ? "" : ": " + check) + (exe.isBlank() ? "" : "; " + exe) + ")");
    }

    /** {@return the key of CPU seconds per wall second of a series' batches: "parallel.py.threads.cpu.2"} */
    static String parallelKey(String seriesKey, String workload, int n) {
        return "parallel." + seriesKey + "." + workload + "." + n;
    }

    /**
     * {@return "; the threads' tasks got 0.52 CPU seconds per second of batch on 1 worker and 0.97 on 2, where
     * the GIL allows at most 1", or "" without those figures}
     */
    static String parallelText(Section s, int n) {
        double one = s.median(parallelKey("py.threads", "cpu", 1));
        double many = s.median(parallelKey("py.threads", "cpu", n));
        if (Double.isNaN(one) || Double.isNaN(many)) {
            return "";
        }
        return "; the threads' tasks got " + Units.num(one) + " CPU seconds per second of batch on 1 worker and "
                + Units.num(many) + " on " + n + ", where the GIL allows at most " + Units.num(GIL_BOUND);
    }

    /**
     * {@return the verdict's sentence on Python: "Python, CPU-bound on 2 workers: threads 0.98x, processes 1.90x (the
     * GIL lets one thread ...); IO-bound threads on 4: 3.90x. ", or "" if Python did not run} It names the GIL only
     * when threads stayed near 1x while processes scaled under a Python whose GIL was on; a threads' ratio the GIL
     * forbids is called an artefact, with the Python that ran and its tasks' CPU seconds per second; a Python
     * without the GIL is named as such.
     *
     * @param python the Python that ran, or null
     */
    static String verdict(Section s, Python python, int nCpu, int nMax) {
        double pyThrCpu = s.median(ScalingExperiment.speedupKey("py.threads", "cpu", nCpu));
        double pyProcCpu = s.median(ScalingExperiment.speedupKey("py.processes", "cpu", nCpu));
        if (Double.isNaN(pyThrCpu) || Double.isNaN(pyProcCpu)) {
            return "";
        }
        String pyThrKey = ScalingExperiment.speedupKey("py.threads", "cpu", nCpu);
        Boolean gilState = python == null ? null : python.gil();
        boolean gil = !Boolean.FALSE.equals(gilState)
                && !s.artefact(pyThrKey)
                && pyThrCpu < 1.3
                && pyProcCpu > 1.3
                && pyProcCpu > 1.25 * pyThrCpu;
        String why;
        if (Boolean.TRUE.equals(gilState) && s.artefact(pyThrKey)) {
            // a ratio the GIL forbids: say so, and what the tasks' own CPU time shows, never "threads scaled"
            why = " (the threads' " + s.ratio(pyThrKey) + " contradicts the GIL of this Python, "
                    + python.described()
                    + ", which runs one thread's Python code at a time: an artefact of the measurement, such as a"
                    + " one-worker baseline slowed by other programs, not parallelism"
                    + parallelText(s, nCpu)
                    + ")";
        } else if (Boolean.FALSE.equals(gilState)) {
            why = " (this Python runs without the GIL, " + python.described() + ": its threads run Python code"
                    + " in parallel, so they may scale as processes do, and the GIL's effect cannot be shown with"
                    + " it)";
        } else if (gil) {
            why = " (the GIL lets one thread run Python code at a time, so Python needs processes for CPU-bound work)";
        } else if (pyProcCpu <= 1.3) {
            why = " (neither scaled: no core was free for Python during this run, so the GIL's effect could not be "
                    + "shown; rerun on a quieter machine)";
        } else {
            why = "";
        }
        return String.format(
                Locale.ROOT,
                "Python, CPU-bound on %d workers: threads %s, processes %s%s; IO-bound threads on %d: %s. ",
                nCpu,
                s.ratio(ScalingExperiment.speedupKey("py.threads", "cpu", nCpu)),
                s.ratio(ScalingExperiment.speedupKey("py.processes", "cpu", nCpu)),
                why,
                nMax,
                s.ratio(ScalingExperiment.speedupKey("py.threads", "io", nMax)));
    }
}
