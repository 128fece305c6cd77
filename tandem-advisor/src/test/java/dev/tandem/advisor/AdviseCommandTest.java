package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.measure.UsageErrors;
import dev.tandem.measure.testing.Chromium;
import dev.tandem.measure.testing.UserClasses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: a user's class from --classpath end to end, the report, and bad input. */
class AdviseCommandTest {
    private static final long MS = 1_000_000;
    static final CostProbe.Costs COSTS = new CostProbe.Costs(
            60_000, 2_000, 15_000, 20_000, 300 * MS, 45_000, 40L << 20, 3 * MS, 40_000, null, List.of(), null);

    /**
     * What a run printed; {@code out} with the terminal's line wrapping undone.
     *
     * @param exit the exit code
     * @param out standard output, unwrapped
     * @param err standard error
     * @param raw standard output as printed
     */
    record Run(int exit, String out, String err, String raw) {}

    static Run run(String stdin, String... args) {
        return run(COSTS, stdin, args);
    }

    static Run run(CostProbe.Costs costs, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AdviseCommand command = new AdviseCommand(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> costs);
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler(UsageErrors::handle);
        int exit = cl.execute(args);
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        Run r = new Run(exit, printed.replaceAll("\\n +", " "), err.toString(StandardCharsets.UTF_8), printed);
        System.out.println(r.err());
        return r;
    }

    /** Compiles a user's workload into its own directory, outside this JVM's class path. */
    static Path compileUserClass(Path dir) throws Exception {
        // CHECKSTYLE.OFF: inlineQualifiedName (the source of a user class, in a text block)
        return UserClasses.compile(dir, "ext.Checksum", """
                package ext;

                import dev.tandem.TaskFunction;
                import dev.tandem.advisor.Workload;
                import java.util.List;
                import java.util.stream.IntStream;

                public final class Checksum implements Workload<Integer, Checksum.Digest> {
                    public record Digest(int input, long value) implements java.io.Serializable {}

                    public List<Integer> inputs(int count) {
                        return IntStream.range(0, count).boxed().toList();
                    }

                    public TaskFunction<Integer, Digest> function() {
                        return i -> {
                            long h = i;
                            for (int k = 0; k < 300_000; k++) {
                                h = h * 31 + (h >>> 7) + k;
                            }
                            return new Digest(i, h);
                        };
                    }
                }
                """);
        // CHECKSTYLE.ON: inlineQualifiedName
    }

    @Test
    void advisesOnAUsersClassFromItsClassPathAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path classes = compileUserClass(dir);
        Path report = dir.resolve("advise-report");
        Run r = run(
                "",
                "--classpath",
                classes.toString(),
                "--task",
                "ext.Checksum",
                "--time",
                "8s",
                "--inputs",
                "3000",
                "--report",
                report.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("VERDICT: Use threads(")
                .contains("Resources:")
                .contains("Overhead & performance:")
                .contains("Wall time: ");
        assertThat(report.resolve("report.md"))
                .content()
                .contains("## Recommended: `threads(")
                .contains("| processes(");
        String html = Files.readString(report.resolve("index.html"));
        assertThat(html)
                .contains("echarts.init(")
                .contains("id=\"chart-throughput\"")
                .contains("class=\"recommended\"")
                .contains("<tr class=\"mark\">")
                .contains("Licensed to the Apache");
        // the report renders in a browser at desktop and phone width with no chart label clipped or covered
        for (int[] size : List.of(Chromium.DESKTOP, Chromium.PHONE)) {
            String dom = Chromium.dumpDom(report.resolve("index.html"), size);
            assertThat(Chromium.charts(dom)).containsKeys("throughput", "cpu", "memory");
            assertThat(Chromium.problems(dom)).as("at %d px wide", size[0]).isEmpty();
        }
        Chromium.screenshot(
                report.resolve("index.html"),
                Path.of("target", "advise-report-phone.png").toAbsolutePath(),
                new int[] {390, 1800});
        JsonNode json =
                new ObjectMapper().readTree(report.resolve("results.json").toFile());
        assertThat(json.get("format").asText()).isEqualTo(Report.FORMAT);
        assertThat(json.get("verdict").get("mode").asText()).isEqualTo("THREADS");
        assertThat(json.get("verdict").get("reasons")).hasSize(6);
        // worker JVMs loaded ext.Checksum through Builder.classPath, and its results came back
        JsonNode processes = null;
        for (JsonNode t : json.get("trials")) {
            if (t.get("mode").asText().equals("PROCESSES") && !t.get("batched").asBoolean()) {
                processes = t;
            }
        }
        assertThat(processes).isNotNull();
        assertThat(processes.get("skipped").isNull()).as(processes.toString()).isTrue();
        assertThat(processes.get("completed").asLong()).isPositive();
        assertThat(processes.get("failed").asLong()).as(processes.toString()).isZero();
        assertThat(processes.get("workerRssBytes")).isNotEmpty();
    }

    @Test
    void aReportIntoTheLabsFolderOverwroteTheLabsReport(@TempDir Path dir) throws Exception {
        Path lab = dir.resolve("tandem-report");
        Files.createDirectories(lab);
        Files.writeString(lab.resolve("results.json"), "{\"schema\": \"tandem-lab-results/2\"}");
        Files.writeString(lab.resolve("index.html"), "<p>the lab's report</p>");
        Run measured = run("", "--task", Workloads.Tiny.class.getName(), "--report", lab.toString());
        assertThat(measured.exit()).isEqualTo(2);
        assertThat(measured.err())
                .contains("--report")
                .contains(lab.resolve("index.html").toString())
                .contains("a report of another command (results.json: tandem-lab-results/2)")
                .contains("give another directory");
        assertThat(measured.out()).doesNotContain("measuring");
        Run interview = run("", "--interactive", "--report", lab.toString());
        assertThat(interview.exit()).isEqualTo(2);
        assertThat(lab.resolve("index.html")).content().isEqualTo("<p>the lab's report</p>");
        // a folder of the user's own files is not the advisor's either
        Path own = dir.resolve("own");
        Files.createDirectories(own);
        Files.writeString(own.resolve("report.md"), "my notes");
        assertThat(run("", "--interactive", "--report", own.toString()).err())
                .contains(own.resolve("report.md") + ": a file that tandem advise did not write");
        // the advisor rewrites its own report
        Path mine = dir.resolve("advise-report");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("results.json"), "{\"format\": \"tandem-advise/2+interview\"}");
        Files.writeString(mine.resolve("index.html"), "old");
        String[] answers = {"", "", "", "", "", "", "", "", ""};
        Run again = run(String.join("\n", answers) + "\n", "--interactive", "--report", mine.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(mine.resolve("index.html")).content().isNotEqualTo("old");
    }

    @Test
    void thePrintedRunTimeLeftOutTheJvmsStartAndTheReport() {
        String line = AdviseCommand.wallTime(Instant.ofEpochSecond(1_000), Instant.ofEpochSecond(1_014), 12_300 * MS);
        assertThat(line)
                .startsWith("Wall time: 14.0 s from the start of the JVM until the report was written")
                .contains("measuring took 12.3 s of it (what --time bounds)");
        assertThat(AdviseCommand.jvmStart()).isBefore(Instant.now());
    }

    @Test
    void missingClassExitsWithTwoAndSaysWhatToFix(@TempDir Path dir) {
        Path report = dir.resolve("out").resolve("advise-report");
        Run r = run(
                "",
                "--classpath",
                dir.toString(),
                "--task",
                "ext.Missing",
                "--time",
                "10s",
                "--report",
                report.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("class ext.Missing not found on the class path [" + dir + "]");
        assertThat(dir.resolve("out"))
                .as("a refused run leaves no empty report directory")
                .doesNotExist();
    }

    @Test
    void noTaskAndNoInteractiveSaysWhatToGive() {
        Run r = run("");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("give --task CLASS");
    }

    @Test
    void twoBillionInputsRanPast323sOfA10sBudgetSoTheyAreRefused() {
        Run r = run("", "--task", Workloads.Tiny.class.getName(), "--time", "10s", "--inputs", "2000000000");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("--inputs '2000000000': out of range; give a whole number from 1 to 1,000,000")
                .doesNotContain("measuring");
    }

    @Test
    void badDurationIsNamed() {
        Run r = run("", "--task", Workloads.Tiny.class.getName(), "--time", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--time").contains("'soon': not a duration");
    }

    @Test
    void aHugeTimeWasCalledNoDurationAndACompoundOneWasRefused() {
        Run huge = run("", "--task", Workloads.Tiny.class.getName(), "--time", "9999999999999999999s");
        assertThat(huge.exit()).isEqualTo(2);
        assertThat(huge.err()).contains("--time").contains("'9999999999999999999s': not between 8s and 1h");
        Run short25 = run("", "--task", Workloads.Tiny.class.getName(), "--time", "2.5S");
        assertThat(short25.exit()).isEqualTo(2);
        assertThat(short25.err()).contains("'2.5S': not between 8s and 1h");
        assertThat(new Durations.Budget().convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(new Durations.Budget().convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(new Durations.Positive().convert("1s500ms")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void durationsWithoutAUnitAreRefusedNotReadAsSeconds() {
        for (String flag : List.of("--time", "--max-latency")) {
            Run r = run("", "--task", Workloads.Tiny.class.getName(), flag, "50");
            assertThat(r.exit()).as(flag).isEqualTo(2);
            assertThat(r.err()).as(flag).contains(flag).contains("'50': has no unit; write it like 50");
            assertThat(r.out()).as(flag).doesNotContain("measuring");
        }
    }

    @Test
    void aNumberWithoutAUnitWasToldToTakeAUnitThatWasThenRefused() {
        // --time 0 said "write it like 0ms or 0s", and both were refused next; --time 50 offered 50ms (below 8s)
        Run zero = run("", "--task", Workloads.Tiny.class.getName(), "--time", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err())
                .contains("'0': has no unit; write it like 30s, 2m or 1m30s")
                .doesNotContain("0ms or 0s");
        Run fifty = run("", "--task", Workloads.Tiny.class.getName(), "--time", "50");
        assertThat(fifty.err()).contains("'50': has no unit; write it like 50s").doesNotContain("50ms or 50s");
        Run latency = run("", "--task", Workloads.Tiny.class.getName(), "--max-latency", "0");
        assertThat(latency.err())
                .contains("'0': has no unit; write it like 50ms")
                .doesNotContain("0ms or");
        assertThat(run("", "--task", Workloads.Tiny.class.getName(), "--max-latency", "50")
                        .err())
                .contains("'50': has no unit; write it like 50ms or 50s");
        // every suggestion is accepted by the option that made it
        assertThat(new Durations.Budget().convert("50s")).isEqualTo(Duration.ofSeconds(50));
        assertThat(new Durations.Budget().convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(new Durations.Positive().convert("50ms")).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void aWordForADurationOrASizeWasShownAFormTheOptionRefuses() {
        // --time abc said "write it like 30s, 250ms, 200us or 1m30s" (250ms is below 8s); --heap-per-task 10x
        // said "512m, 2g or 64k" (64k is below 16m)
        Run time = run("", "--task", Workloads.Tiny.class.getName(), "--time", "abc");
        assertThat(time.exit()).isEqualTo(2);
        assertThat(time.err())
                .contains("'abc': not a duration; write it like 30s, 2m")
                .doesNotContain("250ms");
        Run heap = run("", "--task", Workloads.Tiny.class.getName(), "--heap-per-task", "10x");
        assertThat(heap.exit()).isEqualTo(2);
        assertThat(heap.err())
                .contains("'10x': not a size; write it like 512m or 2g")
                .doesNotContain("64k");
        assertThat(new Durations.HeapSize().convert("512m")).isEqualTo(512L << 20);
    }

    @Test
    void aHeapPerTaskLargerThanTheMachineIsRefused() {
        Run r = run("", "--task", Workloads.Tiny.class.getName(), "--heap-per-task", "100000g");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--heap-per-task").contains("'100000g': more than this machine's memory (");
        assertThat(r.out()).doesNotContain("measuring").doesNotContain("jvmOptions");
    }

    @Test
    void aClasspathWildcardTakesTheJarsOfItsDirectoryAsJavaDoes(@TempDir Path dir) throws Exception {
        Path classes = compileUserClass(dir.resolve("classes"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path jar = lib.resolve("ext.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        Files.writeString(lib.resolve("README"), "not a jar, and not taken");
        Subject s = Subject.locate("ext.Checksum", List.of(lib.resolve("*")));
        assertThat(s.className()).isEqualTo("ext.Checksum");
        assertThat(s.extraClassPath()).containsExactly(jar.toAbsolutePath().toString());
    }
}
