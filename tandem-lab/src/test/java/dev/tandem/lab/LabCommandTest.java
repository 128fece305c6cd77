package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Json;
import dev.tandem.measure.Load;
import dev.tandem.measure.UsageErrors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LabCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new LabCommand(o, e));
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        cl.setParameterExceptionHandler(UsageErrors::handle);
        int code = cl.execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownExperimentIsRejectedWithTheValidNames() {
        Run r = run("--quick", "switchng");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("unknown experiment 'switchng'")
                .contains("resources, switching, sharing, isolation, scaling, races, verdict");
    }

    @Test
    void aMistypedExperimentGotNoSuggestionAndABareWordForAnOptionRanTheLab() {
        assertThat(run("--quick", "switchng").err())
                .contains("unknown experiment 'switchng' (did you mean switching?)");
        Run quick = run("quick");
        assertThat(quick.code()).isEqualTo(2);
        assertThat(quick.err()).contains("unknown experiment 'quick' (did you mean --quick?)");
        assertThat(run("zzz").err()).contains("unknown experiment 'zzz'; choose from");
    }

    @Test
    void aLabReportIntoTheAdvisorsFolderWouldOverwriteIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("results.json"), "{\"format\": \"tandem-advise/2\"}");
        Files.writeString(dir.resolve("index.html"), "<p>the advice</p>");
        Run r = run("--quick", "--out", dir.toString(), "switching");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("--out")
                .contains("a report of another command (results.json: tandem-advise/2)")
                .doesNotContainPattern("tandem lab: [0-9]+ experiments? \\(");
        assertThat(dir.resolve("index.html")).content().isEqualTo("<p>the advice</p>");
    }

    @Test
    void aCompareWithTheResultsOfItsOwnOutFolderOverwroteTheBaseline(@TempDir Path dir) throws Exception {
        Section s = new Section("switching", "Switching", "claim", "原文");
        s.verdict = "measured";
        s.method = "round trips";
        s.attempts.add(Load.start().stop());
        s.add("rss.worker", "RSS of an idle worker JVM", "MiB", List.of(40.0, 40.1, 40.2), Map.of("workers", 1));
        LabOptions options = new LabOptions(List.of("switching"), true, 42, dir, null, false);
        Path old = dir.resolve("results.json");
        Json.MAPPER.writeValue(
                old.toFile(),
                ResultsFile.build(options, Instant.now(), 1, Load.start().stop(), List.of(s), null));
        String before = Files.readString(old);
        Run r = run("--quick", "--out", dir.toString(), "--compare", old.toString(), "switching");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--compare '" + old + "': ").contains("would be overwritten");
        assertThat(r.out()).isEmpty();
        assertThat(old).content().isEqualTo(before);
    }

    @Test
    void verdictAloneRanALabThatMeasuredNothing() {
        Run r = run("verdict");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("the verdict experiment alone measures nothing")
                .contains("tandem lab scaling verdict")
                .doesNotContainPattern("tandem lab: [0-9]+ experiments? \\(");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingComparisonFileIsRejectedBeforeAnythingRuns() {
        Run r = run("--quick", "--compare", "does-not-exist.json", "verdict");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--compare 'does-not-exist.json': no such file");
    }

    @Test
    void listNamesEveryExperimentWithItsClaim() {
        Run r = run("--list");
        assertThat(r.code()).isZero();
        for (String id : Lab.ORDER) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out()).contains("Switching between threads costs less");
    }

    @Test
    void optionsThatListAndSelfCheckDoNotUseAreRefusedNotIgnored() {
        Run list = run("--list", "--seed", "7");
        assertThat(list.code()).isEqualTo(2);
        assertThat(list.err()).contains("--seed has no effect with --list; drop it, or drop --list");
        assertThat(run("--list", "--out", "x").err()).contains("--out has no effect with --list");
        Run check = run("--self-check", "--seed", "7");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.err()).contains("--seed has no effect with --self-check");
    }

    @Test
    void helpDescribesTheOptions() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--quick", "--seed", "--out", "--compare", "--self-check", "EXPERIMENT");
    }

    /** Was: {@code --seed 1 --seed 2} ran with the last. */
    @Test
    void aDuplicatedOptionWasTakenTwice() {
        Run r = run("--list", "--seed", "1", "--seed", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("lab: --seed given more than once; give it once (see lab --help)");
        assertThat(r.out()).isEmpty();
    }

    /** Was: {@code lab -- --quick} said "unknown experiment '--quick'", as if it were no option. */
    @Test
    void anArgumentAfterDoubleDashWasTakenForAnExperiment() {
        Run r = run("--", "--quick");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("lab: unexpected argument '--quick' after '--' (what follows -- is never an option; put"
                        + " --quick before it) (see lab --help)");
        assertThat(run("--", "-x").err())
                .contains("unexpected argument '-x' after '--'")
                .contains("the experiments are");
    }

    /** Was: {@code --list --no-progress} was accepted, and --no-progress did nothing. */
    @Test
    void listWithOptionsItDoesNotUseWasAccepted() {
        Run r = run("--list", "--no-progress");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("lab: --no-progress has no effect with --list; drop it, or drop --list");
        assertThat(r.out()).isEmpty();
        Run check = run("--list", "--self-check");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.err())
                .contains("--list cannot be combined with experiments, --quick, --compare or --self-check");
    }

    /** Was: "--self-check cannot be combined with experiments, --quick, --compare or --self-check", itself. */
    @Test
    void selfCheckWithQuickNamedItselfAmongWhatItCannotBeCombinedWith() {
        Run r = run("--self-check", "--quick");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("--self-check cannot be combined with experiments, --quick or --compare; give it alone")
                .doesNotContain("or --self-check");
        assertThat(r.out()).isEmpty();
    }

    /** Was: {@code --self-check --jmh missing.jar} told the user to "name it with --jmh", which they had. */
    @Test
    void aMissingJmhJarWasToBeNamedWithJmh() {
        Run r = run("--self-check", "--jmh", "missing.jar");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err())
                .startsWith("lab: --jmh 'missing.jar': no such file; give the benchmarks jar (build it with")
                .contains("or drop --jmh to use")
                .doesNotContain("name it with --jmh");
    }

    /** Was: a malformed compare file's line ended in Jackson's "(start marker at [Source: ...])". */
    @Test
    void aMalformedCompareFileGaveJacksonsSourceLocation(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("old.json"), "{\"schema\": \"tandem-lab-results/2\", \"sections\": [");
        Run r = run("--quick", "--compare", bad.toString(), "switching");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err())
                .contains("--compare '" + bad + "': not JSON (Unexpected end-of-input")
                .contains("at line 1, column")
                .doesNotContain("[Source", "reference chain", "start marker");
        assertThat(r.out()).isEmpty();
    }
}
