package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.measure.testing.UserClasses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line as a user meets it: complete help texts, {@code --help} on every command and
 * {@code tandem help}, and every bad input refused in one line that names the option and the value as
 * typed, with exit code 2, no stack trace, and nothing measured first. Each regression test is named
 * after what broke.
 */
class TandemCliTest {
    /** The subcommands, each with a {@code --help}. */
    private static final List<String> COMMANDS = List.of("lab", "advise", "node", "info", "classpath", "version");

    /**
     * What one invocation printed.
     *
     * @param code the exit code
     * @param out standard output
     * @param err standard error
     */
    record Run(int code, String out, String err) {
        /** Asserts a usage error: exit code 2, one line on stderr, no stack trace, nothing measured. */
        Run isUsageError() {
            assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
            assertThat(err.strip().lines().toList()).as("stderr in one line").hasSize(1);
            assertThat(err).doesNotContain("\tat ").doesNotContainPattern("(?m)^(Exception|java\\.|picocli\\.)");
            assertThat(err + out)
                    .as("nothing was measured before the input was checked")
                    .doesNotContain("measuring")
                    .doesNotContain("probe:")
                    .doesNotContain("experiments (")
                    .doesNotContain("trial ");
            return this;
        }
    }

    static Run run(String... args) {
        return withInput("", args);
    }

    private static Run withInput(String stdin, String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        InputStream originalIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(o);
        System.setErr(e);
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        int code;
        try {
            CommandLine cl = TandemCli.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(e, true));
            code = cl.execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            System.setIn(originalIn);
        }
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("tandem " + String.join(" ", args) + " -> " + code + "\n" + r.out() + r.err());
        return r;
    }

    @Test
    void helpListsEveryCommandWithACompleteSentence() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        // an entry is its name and description, wrapped onto indented continuation lines
        String commands = r.out().substring(r.out().indexOf("Commands:") + "Commands:".length());
        Matcher entry = Pattern.compile("(?m)^  (\\w+)\\s+(.*(?:\\R {6,}.*)*)").matcher(commands);
        List<String> seen = new ArrayList<>();
        while (entry.find()) {
            String description = entry.group(2).replaceAll("\\s+", " ").strip();
            seen.add(entry.group(1));
            assertThat(description)
                    .as("the description of %s, cut at its first line?", entry.group(1))
                    .endsWith(".")
                    .doesNotEndWith(",.")
                    .doesNotEndWith(":.")
                    .hasSizeGreaterThan(20);
        }
        assertThat(seen).containsAll(COMMANDS).contains("help");
    }

    @Test
    void everyCommandTakesHelpAndTandemHelpNamesItsOptions() {
        for (String command : COMMANDS) {
            Run r = run(command, "--help");
            assertThat(r.code()).as(command + " --help").isZero();
            assertThat(r.out()).contains("Usage: tandem " + command).contains("--help");
        }
        Run help = run("help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Commands:");
        Run lab = run("help", "lab");
        assertThat(lab.code()).isZero();
        assertThat(lab.out())
                .contains("Usage: tandem lab")
                .contains("--self-check")
                .contains("--compare");
    }

    @Test
    void everyHelpRendersWithoutAPicocliWarningAndKeepsItsExampleLinesWhole() {
        CommandLine root = TandemCli.commandLine();
        for (String command : COMMANDS) {
            Run r = run(command, "--help");
            assertThat(r.err()).as(command + " --help").doesNotContain("[picocli WARN]");
            assertThat(r.out()).as(command + " --help").doesNotContain("%n").doesNotContain("Conversion");
            for (String line : root.getSubcommands()
                    .get(command)
                    .getCommandSpec()
                    .usageMessage()
                    .footer()) {
                assertThat(r.out())
                        .as("%s --help: the footer line '%s', wrapped?", command, line)
                        .contains(line);
            }
        }
        assertThat(run("--help").err()).doesNotContain("[picocli WARN]");
    }

    @Test
    void everyCommandThatListsVersionPrintsIt() {
        // help too: README says -V on every command, and `tandem help -V` was refused (fresh user, session 16)
        for (String command :
                Stream.concat(COMMANDS.stream(), Stream.of("help")).toList()) {
            Run r = run(command, "-V");
            assertThat(r.code()).as(command + " -V").isZero();
            assertThat(r.out()).as(command + " -V").contains("tandem ").contains("JDK ");
        }
    }

    @Test
    void noCommandIsAUsageErrorWithTheHelpOnStderr() {
        Run r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no command given").contains("Usage: tandem");
        assertThat(run("help").code()).isZero();
    }

    /** Was: "Unmatched argument at index 0: 'nope'", which named neither a command nor the commands. */
    @Test
    void anUnknownCommandIsNamedWithTheCommandsThatExist() {
        Run r = run("frobnicate").isUsageError();
        assertThat(r.err().strip())
                .startsWith("tandem: there is no command 'frobnicate'; the commands are ")
                .contains("lab, ")
                .contains("advise")
                .endsWith("(see tandem --help)")
                .doesNotContain("Unmatched")
                .doesNotContain("\n");
        assertThat(run("nope").isUsageError().err())
                .contains("there is no command 'nope' (did you mean node?); the commands are");
        // an unknown option is named as typed, and arguments after a command are its own
        assertThat(run("--nope").isUsageError().err()).startsWith("tandem: unknown option '--nope' (see");
        assertThat(run("version", "extra").isUsageError().err()).startsWith("tandem version: ");
    }

    /** Was: "Unknown subcommand 'nope'.", naming none of the commands there are. */
    @Test
    void helpOfAnUnknownCommandNamedNoneOfTheCommands() {
        Run r = run("help", "nope").isUsageError();
        assertThat(r.err().strip())
                .contains("there is no command 'nope' (did you mean node?); the commands are lab, advise, node, info,")
                .doesNotContain("Unknown subcommand");
        assertThat(run("help", "--help").out()).contains("COMMAND");
    }

    /** Was: "Unmatched argument at index 1: 'interactive'", and tandem lab verdict ran a lab that measured nothing. */
    @Test
    void anOptionAfterTheEndOfOptionsWasCalledUnknownAndSuggestedItself() {
        // advise -- --task x.Y said "unknown option '--task' (did you mean --task?)"
        assertThat(run("advise", "--", "--task", "x.Y").isUsageError().err())
                .contains("unexpected argument '--task' after '--'")
                .contains("put --task before it")
                .doesNotContain("did you mean --task");
    }

    @Test
    void aBareWordACommandDoesNotTakeWasNotNamedAsSuch() {
        assertThat(run("advise", "interactive").isUsageError().err())
                .contains("tandem advise: unexpected argument 'interactive' (did you mean --interactive?);"
                        + " tandem advise takes only options")
                .doesNotContain("Unmatched");
        assertThat(run("info", "now").isUsageError().err())
                .contains("tandem info: unexpected argument 'now'; tandem info takes only options");
        assertThat(run("lab", "verdict").isUsageError().err())
                .contains("the verdict experiment alone measures nothing");
        assertThat(run("lab", "sharng").isUsageError().err()).contains("(did you mean sharing?)");
    }

    /** Was: "Unknown option: '--quik'", where an unknown command got a "did you mean". */
    @Test
    void aMistypedOptionGotNoSuggestion() {
        assertThat(run("lab", "--quik").isUsageError().err().strip())
                .isEqualTo("tandem lab: unknown option '--quik' (did you mean --quick?) (see tandem lab --help)");
        assertThat(run("lab", "--quik=yes").isUsageError().err())
                .startsWith("tandem lab: unknown option '--quik' (did you mean --quick?)");
        assertThat(run("lab", "--zzz").isUsageError().err()).startsWith("tandem lab: unknown option '--zzz' (see");
    }

    /** Was: {@code node --prot 5801} got no "did you mean --port": two letters swapped counted two edits. */
    @Test
    void twoLettersSwappedGotNoSuggestion() {
        assertThat(run("node", "--prot", "5801").isUsageError().err())
                .startsWith("tandem node: unknown option '--prot' (did you mean --port?)");
        assertThat(run("lab", "--qiuck").isUsageError().err())
                .startsWith("tandem lab: unknown option '--qiuck' (did you mean --quick?)");
    }

    /**
     * Was: {@code node --help} said {@code --local} runs its nodes "without a secret" (it takes --secret-file), and
     * not how to stop a node nor the exit code that gives (143 after SIGTERM).
     */
    @Test
    void nodeHelpSaidLocalNodesRunWithoutASecretAndNotHowANodeStops() {
        String help = run("node", "--help").out().replaceAll("\\s+", " ");
        assertThat(help)
                .doesNotContain("without a secret")
                .contains("in this JVM (with --secret-file if given)")
                .contains("SIGTERM (kill PID) or Ctrl-C ends every session")
                .contains("143 (SIGTERM) or 130 (Ctrl-C)");
    }

    @Test
    void nodeHelpNamesWhatEachValueIs() {
        Run r = run("node", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("--bind=ADDR")
                .contains("--port=P")
                .contains("--join=HOST:PORT")
                .contains("--cluster-name=NAME")
                .contains("--secret-file=F")
                .contains("--max-processes=N")
                .contains("--max-heap=SIZE")
                .contains("--local=N")
                .doesNotContainPattern("<[a-zA-Z]+>");
    }

    @Test
    @Timeout(60)
    void nodeAcceptedAJoinThatIsNotHostPort() {
        for (String join : List.of("garbage", "host:70000", "host:", ":5701")) {
            Run r = run("node", "--join", join).isUsageError();
            assertThat(r.err())
                    .startsWith("tandem node: --join '" + join + "': ")
                    .endsWith("(see tandem node --help)" + System.lineSeparator());
        }
    }

    @Test
    @Timeout(60)
    void nodeAcceptedAnEmptyJoinAndNamedOnlyThePieceOfAList() {
        for (String join : List.of(",", "127.0.0.1:5702,,127.0.0.1:5703", "127.0.0.1:5702,")) {
            assertThat(run("node", "--join", join).isUsageError().err())
                    .startsWith("tandem node: --join '" + join + "': an empty address");
        }
        assertThat(run("node", "--join", "127.0.0.1:5702,host:70000")
                        .isUsageError()
                        .err())
                .startsWith("tandem node: --join 'host:70000': the port must be between 1 and 65535");
    }

    @Test
    @Timeout(60)
    void nodeOnAPortInUsePrintedSeventyLinesOfStackTraces() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String p = String.valueOf(taken.getLocalPort());
            Run r = run("node", "--port", p).isUsageError();
            assertThat(r.err())
                    .startsWith("tandem node: --port '" + p + "': port " + p + " on 127.0.0.1 is in use")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
            assertThat(r.err().lines().count()).isLessThanOrEqualTo(2);
        }
    }

    /**
     * Was: a node killed or stopped could not be restarted on its port for about a minute ("is in
     * use" while nothing listened): its connections were in TIME_WAIT, and the port check (and the
     * node's own bind) refused to reuse the address.
     */
    @Test
    @Timeout(60)
    void aPortLeftInTimeWaitByANodeThatEndedIsFreeButOneListenedOnIsNot() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int p;
        try (ServerSocket listener = new ServerSocket(0, 1, loopback);
                Socket client = new Socket(loopback, listener.getLocalPort())) {
            p = listener.getLocalPort();
            assertThat(NodeCommand.portFree(loopback, p)).as("listened on").isFalse();
            try (Socket accepted = listener.accept()) {
                accepted.getOutputStream().write(1);
            } // the node's side closes first: its end of the connection waits in TIME_WAIT
            assertThat(client.getInputStream().read()).isEqualTo(1);
            assertThat(client.getInputStream().read())
                    .as("the close reached the client")
                    .isEqualTo(-1);
        }
        try (ServerSocket plain = new ServerSocket()) {
            plain.setReuseAddress(false);
            assertThatThrownBy(() -> plain.bind(new InetSocketAddress(loopback, p), 1))
                    .as("the port is in TIME_WAIT, which a plain bind refuses")
                    .isInstanceOf(IOException.class);
        }
        assertThat(NodeCommand.portFree(loopback, p)).isTrue();
    }

    /** Was: {@code --bind 0.0.0.0} was "not an address of this machine (… on none of its network interfaces)". */
    @Test
    @Timeout(60)
    void nodeBoundToTheWildcardAddressIsToldToGiveTheAddressOthersReach() {
        for (String wildcard : List.of("0.0.0.0", "::")) {
            assertThat(run("node", "--bind", wildcard).isUsageError().err())
                    .startsWith("tandem node: --bind '" + wildcard + "': the wildcard address")
                    .contains("give that address of this machine")
                    .doesNotContain("network interfaces");
        }
    }

    @Test
    @Timeout(60)
    void nodeStartedWithAHeapNoWorkerCouldHave() {
        assertThat(run("node", "--max-heap", "15m").isUsageError().err())
                .contains("--max-heap '15m': must be at least 16m");
        assertThat(run("node", "--max-heap", "999t").isUsageError().err())
                .contains("--max-heap '999t': more than this machine's memory");
    }

    @Test
    @Timeout(60)
    void nodeSaidNameOrServiceNotKnownWithExitCode1ForABadBind() {
        Run r = run("node", "--bind", "not-an-ip", "--secret-file", "/nope").isUsageError();
        assertThat(r.err())
                .startsWith("tandem node: --bind 'not-an-ip': not an address of this machine")
                .contains("(see tandem node --help)");
        assertThat(run("node", "--bind", "192.0.2.77", "--secret-file", "/nope")
                        .isUsageError()
                        .err())
                .contains("--bind '192.0.2.77': not an address of this machine");
    }

    @Test
    @Timeout(60)
    void nodeReportedAMissingSecretFileWithoutNamingSecretFile() {
        Run r = run("node", "--secret-file", "/nope").isUsageError();
        assertThat(r.err())
                .startsWith("tandem node: --secret-file '/nope': ")
                .contains("does not exist")
                .contains("(see tandem node --help)");
    }

    @Test
    @Timeout(60)
    void nodeAcceptedABlankClusterNameAndOtherBadValues() {
        assertThat(run("node", "--cluster-name", " ").isUsageError().err()).contains("--cluster-name ' '");
        assertThat(run("node", "--port", "70000").isUsageError().err()).contains("--port '70000'");
        assertThat(run("node", "--local", "2", "--port", "65535").isUsageError().err())
                .contains("--port '65535'");
        assertThat(run("node", "--local", "0").isUsageError().err()).contains("--local '0'");
        assertThat(run("node", "--max-heap", "lots").isUsageError().err()).contains("--max-heap 'lots'");
        assertThat(run("node", "--max-processes", "0").isUsageError().err()).contains("--max-processes '0'");
    }

    @Test
    void labOutDevNullWasCalledAFileAndABinaryCompareFileSaidInputLength(@TempDir Path dir) throws Exception {
        assertThat(run("lab", "--out", "/dev/null").isUsageError().err())
                .contains("--out '/dev/null': not a directory (a device, pipe or other special file)")
                .doesNotContain("is a file");
        Path binary = Files.write(dir.resolve("binary.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x00});
        assertThat(run("lab", "--compare", binary.toString()).isUsageError().err())
                .contains("--compare '" + binary + "': not a UTF-8 JSON file")
                .doesNotContain("Input length");
        assertThat(run("advise", "--task", "x.Y", "--time", "9999999999999999999s")
                        .isUsageError()
                        .err())
                .contains("--time '9999999999999999999s': not between 8s and 1h");
    }

    @Test
    void versionHelpIsNotAnUnknownOption() {
        Run r = run("version", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).doesNotContain("Unknown option");
        assertThat(run("version").out())
                .contains("tandem ")
                .contains("JDK " + Runtime.version().feature());
    }

    @Test
    void aMissingTaskClassIsRefusedBeforeAnythingIsMeasured() {
        Run r = run("advise", "--task", "com.acme.Nope").isUsageError();
        assertThat(r.err())
                .startsWith("tandem advise: ")
                .contains("com.acme.Nope")
                .contains("--classpath");
    }

    @Test
    void aNegativeMaxLatencyNamesTheFlagAndEchoesTheValueAsTyped() {
        Run r = run("advise", "--task", "com.acme.Nope", "--max-latency", "-3ms")
                .isUsageError();
        assertThat(r.err()).contains("--max-latency").contains("'-3ms'").doesNotContain("PT-0.003S");
    }

    @Test
    void badSizesAndDurationsNameTheirFlag() {
        assertThat(run("advise", "--task", "x.Y", "--time", "soon")
                        .isUsageError()
                        .err())
                .contains("--time")
                .contains("'soon'");
        assertThat(run("advise", "--task", "x.Y", "--time", "1s").isUsageError().err())
                .contains("--time")
                .contains("'1s'")
                .contains("8s and 1h");
        assertThat(run("advise", "--task", "x.Y", "--heap-per-task", "4k")
                        .isUsageError()
                        .err())
                .contains("--heap-per-task")
                .contains("'4k'");
        assertThat(run("advise", "--task", "x.Y", "--inputs", "0")
                        .isUsageError()
                        .err())
                .contains("--inputs '0': out of range");
        assertThat(run("lab", "--seed", "many").isUsageError().err())
                .contains("--seed")
                .contains("many");
        assertThat(run("lab", "--bogus").isUsageError().err()).contains("--bogus");
    }

    @Test
    void anAdviseReportThatCannotBeWrittenFailsAtOnce(@TempDir Path dir) throws Exception {
        Path classes = compileTask(dir);
        Run r = run("advise", "--classpath", classes.toString(), "--task", "ext.Sum", "--report", "/proc/nope")
                .isUsageError();
        assertThat(r.err()).contains("--report '/proc/nope': ").contains("cannot create or write this directory");
    }

    @Test
    void aLabReportThatCannotBeWrittenFailsAtOnce() {
        Run r = run("lab", "--quick", "--out", "/proc/nope").isUsageError();
        assertThat(r.err()).contains("--out '/proc/nope': ").contains("cannot create or write this directory");
    }

    @Test
    void aCompareFileThatIsNotALabResultIsRefused(@TempDir Path dir) throws Exception {
        Path notResults = Files.writeString(dir.resolve("x.json"), "{\"x\":1}");
        Path out = dir.resolve("report");
        Run r = run("lab", "--quick", "--out", out.toString(), "--compare", notResults.toString())
                .isUsageError();
        assertThat(r.err())
                .contains("--compare '" + notResults + "': ")
                .contains("not a results file of this lab")
                .contains("expected schema version \"tandem-lab-results/2\"");
        assertThat(out).as("no report was started").doesNotExist();
    }

    /**
     * Every kind of file that is not a lab's results: each refused before anything is measured, in one
     * line naming --compare, the file as typed and what is wrong.
     */
    @Test
    void everyBadCompareFileIsRefusedInOneLineNamingTheFileAsTypedAndWhatIsWrong(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("empty.json"));
        Files.writeString(dir.resolve("broken.json"), "{\"schema\": ");
        Files.writeString(dir.resolve("array.json"), "[1, 2]");
        Files.writeString(dir.resolve("v1.json"), "{\"schema\":\"tandem-lab-results/1\",\"sections\":[]}");
        Files.writeString(
                dir.resolve("bogus.json"),
                "{\"schema\":\"tandem-lab-results/2\",\"sections\":[{\"metrics\":[{\"key\":\"bogus\"}]}]}");
        Files.createDirectory(dir.resolve("results-dir"));
        Path out = dir.resolve("report");
        // the value as typed, relative to where the command runs
        String base = Path.of("").toAbsolutePath().relativize(dir).toString();
        List<String[]> cases = List.of(
                new String[] {"empty.json", "empty (0 bytes)"},
                new String[] {"broken.json", "not JSON ("},
                new String[] {"array.json", "its \"schema\" is missing"},
                new String[] {"v1.json", "its \"schema\" is \"tandem-lab-results/1\", expected schema version"},
                new String[] {"bogus.json", "does not match results.schema.json ("},
                new String[] {"results-dir", "a directory, not a file"},
                new String[] {"missing.json", "no such file"});
        for (String[] c : cases) {
            String typed = base + File.separator + c[0];
            Run r = run("lab", "--quick", "--out", out.toString(), "--compare", typed)
                    .isUsageError();
            assertThat(r.err())
                    .as(c[0])
                    .startsWith("tandem lab: --compare '" + typed + "': ")
                    .contains(c[1]);
        }
        assertThat(out).as("no report was started").doesNotExist();
    }

    @Test
    void aTaskThatCannotBeMeasuredNamesTaskAndTheValueAsTyped(@TempDir Path dir) throws Exception {
        assertThat(run("advise", "--task", "com.acme.Nope").isUsageError().err())
                .contains("--task 'com.acme.Nope': class com.acme.Nope not found");
        assertThat(run("advise", "--task", "java.lang.String").isUsageError().err())
                .contains("--task 'java.lang.String': neither a dev.tandem.Task");
        assertThat(run("advise", "--task", "").isUsageError().err()).contains("--task");
        assertThat(run("advise", "--classpath", dir.resolve("nowhere").toString(), "--task", "x.Y")
                        .isUsageError()
                        .err())
                .contains("--classpath '" + dir.resolve("nowhere") + "': does not exist");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a jar");
        assertThat(run("advise", "--classpath", text.toString(), "--task", "x.Y")
                        .isUsageError()
                        .err())
                .contains("--classpath '" + text + "': neither a directory nor a jar");
        String wildcard = dir.resolve("nowhere").resolve("*").toString();
        assertThat(run("advise", "--classpath", wildcard, "--task", "x.Y")
                        .isUsageError()
                        .err())
                .contains("--classpath '" + wildcard + "': " + dir.resolve("nowhere") + " is not a directory");
    }

    @Test
    void reportAndOutDirectoriesThatAreFilesOrEmptyAreRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(run("lab", "--quick", "--out", file.toString())
                        .isUsageError()
                        .err())
                .contains("--out '" + file + "': a file, not a directory");
        assertThat(run("lab", "--quick", "--out", "").isUsageError().err()).contains("--out '': an empty path");
        // was: "--compare : is a directory, not a file" (an empty path is the working directory)
        assertThat(run("lab", "--compare=").isUsageError().err())
                .contains("--compare '': an empty path; give the results.json of an earlier tandem lab run");
        Path classes = compileTask(dir);
        assertThat(run("advise", "--classpath", classes.toString(), "--task", "ext.Sum", "--report", file.toString())
                        .isUsageError()
                        .err())
                .contains("--report '" + file + "': a file, not a directory");
        assertThat(run("advise", "--interactive", "--report", file.toString())
                        .isUsageError()
                        .err())
                .contains("--report '" + file + "': a file, not a directory");
        assertThat(run(
                                "lab",
                                "--self-check",
                                "--jmh",
                                dir.toString(),
                                "--out",
                                dir.resolve("o").toString())
                        .isUsageError()
                        .err())
                .contains("--jmh '" + dir + "': a directory, not a jar");
    }

    @Test
    void numbersThatAreNotNumbersNameTheirFlagAndTheValueAsTyped() {
        assertThat(run("advise", "--task", "x.Y", "--inputs", "many")
                        .isUsageError()
                        .err())
                .contains("--inputs")
                .contains("'many'");
        assertThat(run("advise", "--task", "x.Y", "--inputs", "-5")
                        .isUsageError()
                        .err())
                .contains("--inputs '-5': out of range; give a whole number from 1 to 1,000,000");
        assertThat(run("advise", "--task", "x.Y", "--max-latency", "0ms")
                        .isUsageError()
                        .err())
                .contains("--max-latency")
                .contains("'0ms'");
        assertThat(run("advise", "--task", "x.Y", "--heap-per-task", "lots")
                        .isUsageError()
                        .err())
                .contains("--heap-per-task")
                .contains("lots");
        assertThat(run("advise", "--task", "x.Y", "--time", "2h").isUsageError().err())
                .contains("--time")
                .contains("'2h'");
        assertThat(run("lab", "--seed", "1.5").isUsageError().err())
                .contains("--seed")
                .contains("1.5");
    }

    @Test
    void interactiveRefusesOptionsItWouldIgnore() {
        Run r = run("advise", "--interactive", "--task", "com.acme.Resize", "--time", "10s")
                .isUsageError();
        assertThat(r.err()).contains("--interactive").contains("--task").contains("--time");
    }

    @Test
    void interactiveHonoursReport(@TempDir Path dir) {
        Path report = dir.resolve("answers");
        Run r = withInput(
                "5\n20ms\n2000\n0\nn\nn\nn\nn\nnone\n", "advise", "--interactive", "--report", report.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("VERDICT: Use ").contains("Report: " + report.resolve("index.html"));
        assertThat(report.resolve("index.html")).exists().content().contains("class=\"recommended\"");
        assertThat(report.resolve("results.json")).content().contains("\"answers\"");
    }

    @Test
    void selfCheckWithoutTheBenchmarksJarSaysHowToBuildIt(@TempDir Path dir) {
        Run r = run("lab", "--self-check", "--jmh", dir.resolve("missing.jar").toString(), "--out", dir.toString())
                .isUsageError();
        assertThat(r.err()).contains("--jmh").contains("package -pl tandem-benchmarks");
        assertThat(run("lab", "--self-check", "--quick").isUsageError().err()).contains("--self-check");
    }

    @Test
    void selfCheckWithAFileThatIsNotAJmhJarIsRefusedBeforeAnyPoolRuns(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Run r = run("lab", "--self-check", "--jmh", text.toString(), "--out", dir.toString())
                .isUsageError();
        assertThat(r.err()).contains("--jmh '" + text + "': not a JMH benchmarks jar (not a readable jar");
        Path zip = dir.resolve("other.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        assertThat(run("lab", "--self-check", "--jmh", zip.toString(), "--out", dir.toString())
                        .isUsageError()
                        .err())
                .contains("no META-INF/BenchmarkList in it");
    }

    @Test
    void infoMeasuresAWorkerStart() {
        assertThat(run("info").out()).contains("cores").contains("jdk").containsPattern("worker start\\s+[0-9.]+ m?s");
    }

    /** Was: "worker start  312.4 ms to a ready worker JVM, 340.1 ms to its first result (42)": the task's answer. */
    @Test
    void infoPrintedTheTestTasksAnswerAfterTheWorkerStart() {
        assertThat(run("info").out())
                .containsPattern("(?m)^worker start  [0-9.,]+ (ms|s) to a ready worker JVM, [0-9.,]+ (ms|s) to its"
                        + " first result$");
    }

    @Test
    void classpathPrintsTheLibraryEntriesThatExist() {
        String cp = run("classpath").out().strip();
        assertThat(cp).contains("tandem-core");
        for (String entry : cp.split(File.pathSeparator)) {
            assertThat(new File(entry)).exists();
        }
    }

    /**
     * Was: README's recipe, {@code $(./tandem classpath)}, left out the cluster engine, so a program
     * using {@code Tandem.cluster} failed at {@code start()} ("needs the dev.tandem:tandem-cluster
     * artifact"); {@code --all} worked but shipped the lab's and the advisor's jars to every node.
     */
    @Test
    void classpathWithClusterAddsTheClusterEngineAndHazelcastAndOnlyThem() throws Exception {
        List<String> library = List.of(run("classpath").out().strip().split(File.pathSeparator));
        List<String> cluster =
                List.of(run("classpath", "--cluster").out().strip().split(File.pathSeparator));
        assertThat(library).noneMatch(e -> e.contains("tandem-cluster") || e.contains("hazelcast"));
        assertThat(cluster).containsAll(library);
        List<String> added = cluster.stream().filter(e -> !library.contains(e)).toList();
        assertThat(added).hasSize(2).anyMatch(e -> e.contains("tandem-cluster")).anyMatch(e -> e.contains("hazelcast"));
        URL[] urls = new URL[cluster.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = new File(cluster.get(i)).toURI().toURL();
        }
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> engine = Class.forName("dev.tandem.spi.ClusterEngine", false, loader);
            assertThat(ServiceLoader.load(engine, loader).findFirst())
                    .as("the cluster engine Tandem.cluster looks for")
                    .isPresent();
        }
    }

    /** Compiles a user's task into its own directory, outside this JVM's class path. */
    private static Path compileTask(Path dir) throws Exception {
        // CHECKSTYLE.OFF: inlineQualifiedName (the source of a user class, in a text block)
        return UserClasses.compile(dir, "ext.Sum", """
                package ext;

                public final class Sum implements dev.tandem.Task<Long> {
                    public Long call() {
                        long s = 0;
                        for (int i = 0; i < 1000; i++) {
                            s += i;
                        }
                        return s;
                    }
                }
                """);
        // CHECKSTYLE.ON: inlineQualifiedName
    }
}
