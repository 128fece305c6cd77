package dev.tandem.cli;

import static dev.tandem.cli.TandemCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.cli.TandemCliTest.Run;
import dev.tandem.measure.WholeNumber;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a fresh user found on main after issue 13's first round, each as a kind: one style for every usage
 * error of every command, whole-number options that name their range, {@code help X} taking nothing more,
 * a class-path pattern that matched nothing, secret files that are not the user's or not secrets, and
 * {@code node --local} with addresses that make no sense. Each regression test is named after what broke.
 */
class CarefulToolTest {
    /** {@code tandem COMMAND: message (see tandem COMMAND --help)}, the message starting in lower case. */
    private static final Pattern ONE_STYLE =
            Pattern.compile("tandem(?<c> [a-z]+)?: (?!Invalid |Missing |Unknown |Unmatched |option ')[a-z'-].*"
                    + " \\(see tandem\\k<c>? --help\\)");

    /** Was: "Invalid value for option '--n': ..." and "Missing required parameter ..." beside Tandem's own. */
    @Test
    @Timeout(120)
    void picocliAndTandemWroteUsageErrorsInTwoStyles(@TempDir Path dir) {
        List<String[]> cases = List.of(
                new String[] {"lab", "--seed", "many"},
                new String[] {"lab", "--compare"},
                new String[] {"lab", "--quick", "--quick"},
                new String[] {"lab", "--out", "/dev/null"},
                new String[] {"lab", "--jmh", "x.jar"},
                new String[] {"lab", "sharng"},
                new String[] {"lab", "--nope"},
                new String[] {"advise", "--inputs", "abc"},
                new String[] {"advise", "--time"},
                new String[] {"advise", "--time", "soon"},
                new String[] {"advise", "--max-latency", "-3ms"},
                new String[] {"advise", "--task", "com.acme.Nope"},
                new String[] {
                    "advise", "--task", "x.Y", "--report", dir.resolve("f").toString() + "/\0"
                },
                new String[] {"node", "--port", "abc"},
                new String[] {"node", "--join"},
                new String[] {"node", "--join", "nope"},
                new String[] {"node", "--cluster-name", " "},
                new String[] {"info", "now"},
                new String[] {"classpath", "--x"},
                new String[] {"version", "extra"},
                new String[] {"help", "lab", "extra"},
                new String[] {"frobnicate"});
        for (String[] c : cases) {
            String line = run(c).isUsageError().err().strip();
            assertThat(line).as(String.join(" ", c)).matches(ONE_STYLE);
            assertThat(line)
                    .as(String.join(" ", c))
                    .doesNotContain("Invalid value")
                    .doesNotContain("Missing required")
                    .doesNotContain("should be specified only once");
        }
        // the option bare, the value as typed in quotes, once
        assertThat(run("advise", "--inputs", "abc").err()).contains("tandem advise: --inputs 'abc': not a whole");
        assertThat(run("lab", "--out", "/dev/null").err()).contains("tandem lab: --out '/dev/null': not a directory");
        assertThat(run("lab", "--compare").err()).contains("tandem lab: --compare needs a value (OLD.json)");
        assertThat(run("lab", "--quick", "--quick").err()).contains("tandem lab: --quick given more than once");
        assertThat(run("advise", "--time", "soon").err())
                .contains("tandem advise: --time 'soon': not a duration")
                .containsOnlyOnce("soon");
    }

    /** Was: "--inputs 99999999999999" said "is not an int": every whole-number option names its range. */
    @Test
    @Timeout(120)
    void aNumberOutOfRangeWasSaidToBeNotAnInt() {
        CommandLine root = TandemCli.commandLine();
        List<String> seen = new ArrayList<>();
        for (CommandLine command : root.getSubcommands().values()) {
            for (OptionSpec o : command.getCommandSpec().options()) {
                Class<?> t = o.type();
                if (t != int.class && t != long.class && t != Integer.class && t != Long.class) {
                    continue;
                }
                String name = command.getCommandName() + " " + o.longestName();
                seen.add(name);
                if (o.paramLabel().equals("SIZE")) {
                    // a size with a unit (--heap-per-task 512m): its bounds are 16m and the machine's memory
                    assertThat(run(command.getCommandName(), o.longestName(), "99999999999999999999")
                                    .isUsageError()
                                    .err())
                            .as(name)
                            .contains(o.longestName() + " '99999999999999999999': ");
                    continue;
                }
                assertThat(o.converters())
                        .as("%s: a converter that knows its range", name)
                        .hasAtLeastOneElementOfType(WholeNumber.class);
                String range = ((WholeNumber<?>) o.converters()[0]).range();
                if (!range.startsWith("any ")) {
                    assertThat(String.join(" ", o.description()))
                            .as("%s --help states its range", name)
                            .contains(range);
                }
                for (String typed : List.of("99999999999999999999", "-99999999999999999999", "many")) {
                    Run r = run(command.getCommandName(), o.longestName(), typed)
                            .isUsageError();
                    assertThat(r.err())
                            .as(name + " " + typed)
                            .contains(o.longestName() + " '" + typed + "': ")
                            .contains(range)
                            .doesNotContain("is not an int")
                            .doesNotContain("is not a long");
                }
            }
        }
        assertThat(seen)
                .contains("advise --inputs", "lab --seed", "node --port", "node --local", "node --max-processes");
        assertThat(run("advise", "--inputs", "99999999999999").err())
                .contains("--inputs '99999999999999': out of range; give a whole number from 1 to 1,000,000");
        assertThat(run("node", "--help").out().replaceAll("\\s+", " ")).contains("1 to 16");
    }

    /** Was: "tandem help lab extra" printed lab's help and exited 0, as did every help form given more words. */
    @Test
    void helpWithWordsAfterTheCommandExitedZero() {
        assertThat(run("help", "lab", "extra").isUsageError().err())
                .startsWith("tandem help: unexpected argument 'extra' after 'lab': help takes one COMMAND;"
                        + " run tandem help lab");
        run("help", "help", "x").isUsageError();
        run("help", "lab", "--quick").isUsageError();
        assertThat(run("help", "nope", "extra").isUsageError().err()).contains("there is no command 'nope'");
        for (String command : List.of("version", "info", "classpath", "node", "advise")) {
            assertThat(run(command, "--help", "extra").isUsageError().err())
                    .as(command)
                    .contains("unexpected argument 'extra'");
        }
        assertThat(run("help", "lab").code()).isZero();
        assertThat(run("help").code()).isZero();
        assertThat(run("lab", "--help").code()).isZero();
    }

    /** Was: {@code --classpath 'out/*'} over a folder without jars said "no --classpath given". */
    @Test
    void aClassPathPatternThatMatchedNoJarWasCalledNoClassPathGiven(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("out"));
        String pattern = empty.resolve("*").toString();
        Run r = run("advise", "--classpath", pattern, "--task", "x.Y").isUsageError();
        assertThat(r.err())
                .contains("'" + pattern + "' matched no jar in " + empty)
                .doesNotContain("no --classpath given");
        assertThat(run("advise", "--task", "x.Y").err()).contains("no --classpath given");
    }

    /** Was: {@code node --secret-file /etc/passwd} advised "chmod 600 /etc/passwd". */
    @Test
    @Timeout(60)
    void aFileThatIsNotTheUsersSecretWasToBeChmodded(@TempDir Path dir) throws IOException {
        assertThat(run("node", "--secret-file", "/etc/passwd").isUsageError().err())
                .doesNotContain("chmod 600 /etc/passwd")
                .contains("openssl rand -hex 32 > FILE; chmod 600 FILE");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "my password is\nhunter2 hunter2 hunter2 hunter2\n");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("node", "--secret-file", notes.toString()).isUsageError().err())
                .contains("holds text (2 lines")
                .doesNotContain("chmod 600 " + notes)
                .contains("openssl rand -hex 32 > FILE");
        Path shortHex = Files.writeString(dir.resolve("short.hex"), "0123456789abcdef0123456789abcdef0123\n");
        Files.setPosixFilePermissions(shortHex, PosixFilePermissions.fromString("rw-------"));
        assertThat(run("node", "--secret-file", shortHex.toString())
                        .isUsageError()
                        .err())
                .contains("holds 36 hex digits, 18 bytes of key: a hex secret needs at least 64 hex digits");
        // the user's own secret, readable by others: then chmod is the right advice
        Path own = Files.writeString(dir.resolve("secret"), "ab".repeat(32) + "\n");
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("node", "--secret-file", own.toString()).isUsageError().err())
                .contains("chmod 600 " + own);
    }

    /**
     * Was: {@code node --secret-file} checked 64 hex digits in the CLI's own copy of the rules, while a caller's
     * {@code secretFile(...)} took 48 hex digits (24 bytes of key) as 48 bytes. One rule now, in
     * {@code ClusterOptions.checkSecretFile}, for both.
     */
    @Test
    @Timeout(60)
    void aSecretOf48HexDigitsWasTakenFor48Bytes(@TempDir Path dir) throws IOException {
        Path hex48 = Files.writeString(dir.resolve("secret48"), "0123456789abcdef".repeat(3) + "\n");
        Files.setPosixFilePermissions(hex48, PosixFilePermissions.fromString("rw-------"));
        assertThat(run("node", "--secret-file", hex48.toString()).isUsageError().err())
                .startsWith("tandem node: --secret-file '" + hex48 + "': holds 48 hex digits, 24 bytes of key: a hex"
                        + " secret needs at least 64 hex digits (32 bytes)");
    }

    /** Was: {@code --max-heap 8m} echoed as "was 8388608 bytes", and {@code --max-heap 512} taken as 512 bytes. */
    @Test
    void aMaxHeapWasEchoedInBytesNotAsTyped() {
        assertThat(run("node", "--max-heap", "8m").isUsageError().err())
                .startsWith("tandem node: --max-heap '8m': must be at least 16m")
                .doesNotContain("bytes");
        assertThat(run("node", "--max-heap", "512").isUsageError().err())
                .startsWith("tandem node: --max-heap '512': has no unit; write it like 512m or 512g (the units are b,"
                        + " k, m, g and t, in either case, also written KiB, MiB, GiB, TiB)");
        assertThat(run("node", "--max-heap", "lots").isUsageError().err())
                .startsWith("tandem node: --max-heap 'lots': not a size; write it like 512m or 2g")
                .doesNotContain("not a size: lots");
    }

    /**
     * Was: {@code advise --heap-per-task 1t} said "not a size" (its parser knew k, m and g; the node's knew t but
     * not 512MiB). Every option of every command that takes a SIZE reads the JVM's suffixes in either case and the
     * IEC names with one parser, and refuses what it cannot read in the same words, naming the value as typed and
     * the units.
     */
    @Test
    void aSizeInTebibytesWasNotASize() {
        List<String> seen = new ArrayList<>();
        CommandLine tandem = TandemCli.commandLine();
        long memory = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        for (CommandLine command : tandem.getSubcommands().values()) {
            String name = command.getCommandName();
            for (OptionSpec o : command.getCommandSpec().options()) {
                if (!o.paramLabel().equals("SIZE")) {
                    continue;
                }
                seen.add(name + " " + o.longestName());
                List<String> base = new ArrayList<>(List.of(name));
                if (name.equals("advise")) {
                    base.addAll(List.of("--task", "x.Y")); // the size is read before the class is looked for
                }
                for (String big : List.of("1t", "1T", "2TiB", "1tb")) {
                    String err =
                            run(with(base, o.longestName(), big)).isUsageError().err();
                    assertThat(err)
                            .as("%s %s %s", name, o.longestName(), big)
                            .doesNotContain("not a size")
                            .contains(memory < 1L << 40 ? "more than this machine's memory" : "");
                }
                assertThat(run(with(base, o.longestName(), "64K"))
                                .isUsageError()
                                .err())
                        .as("%s %s 64K: read, and too small for a heap", name, o.longestName())
                        .contains("16m")
                        .doesNotContain("not a size");
                assertThat(run(with(base, o.longestName(), "lots"))
                                .isUsageError()
                                .err())
                        .as("%s %s lots", name, o.longestName())
                        .contains(o.longestName() + " 'lots': not a size; write it like 512m or 2g (the units are b, k,"
                                + " m, g and t, in either case, also written KiB, MiB, GiB, TiB)");
                assertThat(run(with(base, o.longestName(), "1x")).isUsageError().err())
                        .contains(o.longestName() + " '1x': not a size");
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("advise --heap-per-task", "node --max-heap");
    }

    private static String[] with(List<String> base, String option, String value) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(option, value));
        return all.toArray(String[]::new);
    }

    /** Was: {@code tandem --quick lab} said "unknown option '--quick'", as if no command had it. */
    @Test
    void anOptionBeforeTheCommandGotNoHint() {
        assertThat(run("--quick", "lab").isUsageError().err().strip())
                .isEqualTo("tandem: unknown option '--quick' for tandem; put options after the command: tandem lab"
                        + " --quick (see tandem --help)");
        assertThat(run("--task", "x.Y").isUsageError().err())
                .contains("put options after the command: tandem" + " advise --task");
        assertThat(run("--quik").isUsageError().err()).contains("unknown option '--quik'");
    }

    /** Was: "unknown command 'nope'" for {@code tandem help nope}, as if help itself were unknown. */
    @Test
    void helpOfACommandThatDoesNotExistSaidUnknownCommand() {
        Run r = run("help", "nope").isUsageError();
        assertThat(r.err().strip())
                .startsWith("tandem: there is no command 'nope' (did you mean node?); the commands are lab, advise,"
                        + " node, info, classpath, version, help");
        assertThat(r.out()).isEmpty();
    }

    /** Was: {@code node --local 2 --join <its own address>} was accepted, and the node joined itself. */
    @Test
    @Timeout(60)
    void localNodesJoiningTheirOwnAddressWereAccepted() throws SocketException {
        assertThat(run("node", "--local", "2", "--port", "6801", "--join", "127.0.0.1:6802")
                        .isUsageError()
                        .err())
                .startsWith("tandem node: --join '127.0.0.1:6802': one of the 2 local nodes' own"
                        + " addresses (ports 6801 to 6802)");
        assertThat(run("node", "--port", "6801", "--join", "localhost:6801")
                        .isUsageError()
                        .err())
                .contains("--join 'localhost:6801': this node's own address (--bind 127.0.0.1 --port 6801)");
        // a node on loopback cannot be reached from another machine (192.0.2.1 is TEST-NET-1)
        assertThat(run("node", "--local", "2", "--join", "192.0.2.1:5701")
                        .isUsageError()
                        .err())
                .contains("--join '192.0.2.1:5701': on another machine, and a node bound to loopback");
        Optional<InetAddress> lan = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && a.getAddress().length == 4)
                .findFirst();
        if (lan.isPresent()) {
            String address = lan.get().getHostAddress();
            assertThat(run("node", "--local", "2", "--bind", address, "--secret-file", "/nope")
                            .isUsageError()
                            .err())
                    .contains("--bind '" + address + "': --local runs its nodes on loopback");
        }
    }

    /**
     * Was: "the note" never named; "results. json" broken across a line; memory as "23.5 GiB" in one place and
     * "24105 MiB" in another.
     */
    @Test
    void helpTextsNamedNoNoteBrokeFileNamesAndMixedMemoryUnits() {
        List<String> helps = new ArrayList<>();
        helps.add(run("--help").out());
        for (String command : List.of("lab", "advise", "node", "info", "classpath", "version", "help")) {
            helps.add(run(command, "--help").out());
        }
        for (String help : helps) {
            assertThat(help)
                    .doesNotContainPattern("\\w\\.\\s*\\R\\s*(json|md|html|jar)\\b")
                    .doesNotContainPattern("(?<!study )\\bnote\\b");
        }
        assertThat(run("lab", "--help").out().replaceAll("\\s+", " "))
                .contains("the study note on multi-process vs multi-thread programming");
        String info = run("info", "--no-measure").out();
        assertThat(info).containsPattern("memory +[0-9.,]+ (GiB|MiB) total, [0-9.,]+ (GiB|MiB) free");
        assertThat(run("node", "--max-heap", "999t").isUsageError().err())
                .containsPattern("memory \\([0-9.,]+ GiB\\)")
                .doesNotContainPattern("[0-9]{4,} MiB");
    }
}
