package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaling experiment's Python comparison tells the truth about the GIL: a speed-up of CPU-bound threads
 * that the GIL of the Python that ran forbids is an artefact, the report names which Python ran and whether its
 * GIL was on, and a Python without the GIL is said to be one.
 */
class PythonGilTest {
    private static final PythonComparison.Python CPYTHON_311 = PythonComparison.describe(json("""
            {"python": "3.11.7", "implementation": "CPython", "gil": true, "freeThreaded": false,
             "gilCheck": "no sys._is_gil_enabled() (before 3.13): every CPython build has the GIL",
             "executable": "/usr/bin/python3"}"""));
    private static final PythonComparison.Python FREE_THREADED = PythonComparison.describe(json("""
            {"python": "3.13.1", "implementation": "CPython", "gil": false, "freeThreaded": true,
             "gilCheck": "sys._is_gil_enabled()", "executable": "/usr/bin/python3.13t"}"""));

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A scaling section with Python's batch times: threads 1.86x faster on 2 workers, processes 1.9x. */
    private static Section measured(double threadsCpuPerWallOn2) {
        Section s = new Section("scaling", "scaling", "claim", "原文");
        s.load = new Load(10, 2, 0.5, 0.5, 1.0, 0.1, 0);
        time(s, "py.threads.cpu.1", 400);
        time(s, "py.threads.cpu.2", 215); // 1.86x: what the fresh user's report quoted
        time(s, "py.processes.cpu.1", 400);
        time(s, "py.processes.cpu.2", 210);
        time(s, "py.threads.io.1", 40);
        time(s, "py.threads.io.2", 20);
        s.add(
                "parallel.py.threads.cpu.1",
                "Python threads, 1 worker: CPU seconds per second",
                "x",
                List.of(0.52, 0.53, 0.54),
                Map.of("workers", 1));
        s.add(
                "parallel.py.threads.cpu.2",
                "Python threads, 2 workers: CPU seconds per second",
                "x",
                List.of(threadsCpuPerWallOn2, threadsCpuPerWallOn2, threadsCpuPerWallOn2),
                Map.of("workers", 2));
        return s;
    }

    private static void time(Section s, String key, double millis) {
        s.add(key, key, "ms", List.of(millis * 0.99, millis, millis * 1.01), Map.of("workers", 1));
    }

    /** Was: "Python, CPU-bound on 2 workers: threads 1.86x, processes 1.90x" under CPython 3.11's GIL, no flag. */
    @Test
    void pythonThreadsSpedUpOneAndAHalfTimesUnderTheGilWithNoFlag() {
        Section s = measured(0.97);
        ScalingExperiment.speedups(s, List.of(1, 2), CPYTHON_311.gil());
        assertThat(s.artefact("speedup.py.threads.cpu.2")).isTrue();
        assertThat(s.ratio("speedup.py.threads.cpu.2")).endsWith("(artefact)");
        assertThat(s.problems())
                .anySatisfy(p -> assertThat(p)
                        .contains("Python threads, cpu-bound, 2 workers: speed-up")
                        .contains("the GIL's turns (one thread runs Python code at a time)"));
        assertThat(s.artefact("speedup.py.processes.cpu.2"))
                .as("processes are not held to the GIL")
                .isFalse();
        assertThat(s.artefact("parallel.py.threads.cpu.2")).isFalse();
        String verdict = PythonComparison.verdict(s, CPYTHON_311, 2, 2);
        assertThat(verdict)
                .contains("threads 1.86× (artefact)")
                .contains("contradicts the GIL of this Python, 3.11.7 (CPython, GIL on: no sys._is_gil_enabled()"
                        + " (before 3.13): every CPython build has the GIL; /usr/bin/python3)")
                .contains("not parallelism")
                .contains("the threads' tasks got 0.530 CPU seconds per second of batch on 1 worker and 0.970 on 2,"
                        + " where the GIL allows at most 1")
                .doesNotContain("so Python needs processes");
    }

    @Test
    void threadsWhoseTasksGotMoreThanOneCpuSecondPerSecondUnderTheGilAreAnArtefactToo() {
        // more CPU per wall second than one core: the work was not pure Python holding the GIL
        Section s = measured(1.8);
        ScalingExperiment.speedups(s, List.of(1, 2), true);
        assertThat(s.artefact("parallel.py.threads.cpu.2")).isTrue();
    }

    @Test
    void aPythonWithoutTheGilIsNamedAndItsThreadsMayScale() {
        Section s = measured(1.8);
        ScalingExperiment.speedups(s, List.of(1, 2), FREE_THREADED.gil());
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(s.artefact("speedup.py.threads.cpu.2")).isEqualTo(cores < 2);
        assertThat(s.artefact("parallel.py.threads.cpu.2")).isFalse();
        assertThat(PythonComparison.verdict(s, FREE_THREADED, 2, 2))
                .contains("this Python runs without the GIL, 3.13.1 (CPython, free-threaded build, GIL off:"
                        + " sys._is_gil_enabled(); /usr/bin/python3.13t)")
                .doesNotContain("the GIL lets one thread run");
        // an older result without the GIL's state: no bound it cannot know, and no claim about the GIL
        PythonComparison.Python unknown = PythonComparison.describe(json("{\"python\": \"3.11.7\"}"));
        assertThat(unknown.gil()).isNull();
        assertThat(unknown.described()).contains("GIL unknown");
    }

    @Test
    void underTheGilThreadsThatStayNearOneTimesAreTheGilsEffect() {
        Section s = new Section("scaling", "scaling", "claim", "原文");
        time(s, "py.threads.cpu.1", 400);
        time(s, "py.threads.cpu.2", 410);
        time(s, "py.processes.cpu.1", 400);
        time(s, "py.processes.cpu.2", 210);
        ScalingExperiment.speedups(s, List.of(1, 2), true);
        assertThat(s.artefact("speedup.py.threads.cpu.2")).isFalse();
        assertThat(PythonComparison.verdict(s, CPYTHON_311, 2, 2))
                .contains("the GIL lets one thread run Python code at a time, so Python needs processes");
    }

    /** Was: results.json and the report's footer named python3's version only, not whether its GIL was on. */
    @Test
    void theResultsFileNamedPythonsVersionButNotItsGil(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(MachineInfo.python() != null, "python3 is not installed");
        Section s = measured(0.97);
        s.verdict = "measured";
        s.attempts.add(s.load);
        LabOptions options = new LabOptions(List.of("scaling"), true, 42, dir, null, false);
        ObjectNode results = ResultsFile.build(options, Instant.now(), 1, s.load, List.of(s), null);
        Boolean gil = MachineInfo.pythonGil();
        assertThat(results.path("python").has("gil")).isTrue();
        assertThat(results.path("python").path("gil").isNull()).isEqualTo(gil == null);
        if (gil != null) {
            assertThat(results.path("python").path("gil").asBoolean()).isEqualTo(gil);
        }
        Path file = dir.resolve("results.json");
        Json.MAPPER.writeValue(file.toFile(), results);
        assertThat(Baseline.read(file).quick())
                .as("it validates against the schema")
                .isTrue();
    }

    /**
     * The script itself, run by this machine's python3: it says which Python ran and whether its GIL is on as the
     * interpreter does, and under a GIL no batch of CPU-bound threads gets more than one CPU second per second
     * (the kernel is pure Python, which holds the GIL), however busy the machine.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theScriptSaysWhichPythonRanAndItsThreadsStayUnderTheGil(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(MachineInfo.python() != null, "python3 is not installed");
        Path script = dir.resolve("scaling.py");
        try (InputStream in = PythonComparison.class.getResourceAsStream("scaling.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = dir.resolve("python.json");
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), "--workers", "1,2", "--tasks", "4"));
        cmd.addAll(List.of("--cpu-ms", "10", "--io-ms", "2", "--repeats", "3", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        JsonNode r = Json.MAPPER.readTree(out.toFile());
        Process ask = new ProcessBuilder(
                        "python3", "-c", "import sys; print(getattr(sys, '_is_gil_enabled', lambda: True)())")
                .redirectErrorStream(true)
                .start();
        String gil = new String(ask.getInputStream().readAllBytes()).strip();
        assertThat(ask.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(r.path("gil").asText()).isEqualTo(gil.toLowerCase(Locale.ROOT));
        assertThat(PythonComparison.describe(r).described())
                .contains(r.path("python").asText());
        for (JsonNode row : r.path("results")) {
            if (!row.path("workload").asText().equals("cpu")) {
                continue;
            }
            assertThat(row.path("taskCpuSeconds")).hasSize(3);
            if (r.path("gil").asBoolean() && row.path("pool").asText().equals("threads")) {
                for (int i = 0; i < 3; i++) {
                    double perWall = row.path("taskCpuSeconds").get(i).asDouble()
                            / row.path("seconds").get(i).asDouble();
                    assertThat(perWall)
                            .as("threads on %s workers: CPU seconds per second", row.path("workers"))
                            .isLessThanOrEqualTo(1.05);
                }
            }
        }
    }
}
