package dev.tandem.cli;

import static dev.tandem.cli.TandemCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipe for compiling a task of one's own for {@code tandem advise}, run as written there, so
 * that the README cannot drift from what works: each {@code $(./tandem ...)} is what this CLI prints for those
 * arguments, {@code javac} is the JDK's, and the {@code ./tandem advise} line runs (with the shortest budget).
 */
class ReadmeRecipeTest {
    /** The marker in README.md above the recipe's code block. */
    private static final String MARKER = "<!-- advise-recipe -->";

    /** {@code $(./tandem ARGS)} in a recipe line. */
    private static final Pattern SUBSTITUTION = Pattern.compile("\"?\\$\\(\\./tandem ([^)]*)\\)\"?");

    /** The repository's README.md, found from the module's directory up. */
    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("tandem"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError(
                "no README.md beside the tandem script above " + Path.of("").toAbsolutePath());
    }

    /** {@return the lines of the sh block after the marker} */
    private static List<String> recipe() throws Exception {
        return recipe(MARKER);
    }

    /** {@return the lines of the sh block after {@code marker}} */
    private static List<String> recipe(String marker) throws Exception {
        String text = Files.readString(readme());
        int at = text.indexOf(marker);
        assertThat(at).as("README.md has the recipe marked %s", marker).isNotNegative();
        Matcher block = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(text);
        assertThat(block.find(at)).as("a ```sh block after " + marker).isTrue();
        return block.group(1).strip().lines().toList();
    }

    /** Splits a recipe line into words, each {@code $(./tandem ...)} replaced by what the CLI prints for it. */
    private static List<String> words(String line, Path dir) {
        Matcher m = SUBSTITUTION.matcher(line);
        StringBuilder out = new StringBuilder();
        List<String> printed = new ArrayList<>();
        while (m.find()) {
            TandemCliTest.Run r = run(m.group(1).split(" "));
            assertThat(r.code()).as("./tandem %s: %s", m.group(1), r.err()).isZero();
            printed.add(r.out().strip());
            m.appendReplacement(out, "@@" + (printed.size() - 1));
        }
        m.appendTail(out);
        List<String> words = new ArrayList<>();
        for (String w : out.toString().strip().split("\\s+")) {
            if (w.startsWith("@@")) {
                words.add(printed.get(Integer.parseInt(w.substring(2))));
            } else if (w.endsWith(".java") || w.equals("out")) {
                words.add(dir.resolve(w).toString()); // the user's files, here in a directory of the test's own
            } else {
                words.add(w);
            }
        }
        return words;
    }

    /** {@return the exit code of the running JDK's javac for {@code args}, its messages in {@code messages}} */
    private static int javac(List<String> args, ByteArrayOutputStream messages) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        messages.write(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("javac finished").isTrue();
        return p.exitValue();
    }

    /**
     * Was: the README's only recipe compiled against {@code ./tandem classpath}, the library's jars, so a
     * {@code Workload} (the advisor's interface) did not compile: "package dev.tandem.advisor does not exist".
     */
    @Test
    @Timeout(300)
    void aWorkloadDidNotCompileWithTheReadmesClassPath(@TempDir Path dir) throws Exception {
        List<String> lines = recipe();
        assertThat(lines).hasSize(2);
        List<String> javac = words(lines.get(0), dir);
        List<String> advise = words(lines.get(1), dir);
        assertThat(javac.get(0)).isEqualTo("javac");
        assertThat(advise.subList(0, 2)).containsExactly("./tandem", "advise");
        String task = advise.get(advise.indexOf("--task") + 1);
        Path source = Path.of(
                javac.stream().filter(w -> w.endsWith(".java")).findFirst().orElseThrow());
        assertThat(dir.relativize(source).toString().replace('/', '.'))
                .as("the recipe compiles the class it then advises on")
                .isEqualTo(task + ".java");
        String pkg = task.substring(0, task.lastIndexOf('.'));
        String name = task.substring(task.lastIndexOf('.') + 1);
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                package %s;

                import dev.tandem.TaskFunction;
                import dev.tandem.advisor.Workload;
                import java.util.ArrayList;
                import java.util.List;

                public final class %s implements Workload<Integer, Integer> {
                    public List<Integer> inputs(int count) {
                        List<Integer> in = new ArrayList<>();
                        for (int i = 0; i < count; i++) {
                            in.add(i);
                        }
                        return in;
                    }

                    public TaskFunction<Integer, Integer> function() {
                        return x -> {
                            int s = 0;
                            for (int i = 0; i < 20_000; i++) {
                                s += (x ^ i) %% 7;
                            }
                            return s;
                        };
                    }
                }
                """.formatted(pkg, name));

        // the library's class path alone, as the README had it: the advisor's interface is missing
        List<String> libraryOnly = new ArrayList<>(javac.subList(1, javac.size()));
        libraryOnly.set(libraryOnly.indexOf("-cp") + 1, run("classpath").out().strip());
        ByteArrayOutputStream missing = new ByteArrayOutputStream();
        assertThat(javac(libraryOnly, missing)).isNotZero();
        assertThat(missing.toString(StandardCharsets.UTF_8)).contains("dev.tandem.advisor");

        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        assertThat(javac(javac.subList(1, javac.size()), messages))
                .as("javac as the README says: %s", messages.toString(StandardCharsets.UTF_8))
                .isZero();

        // the advise line as written, with the shortest budget and the report in this test's directory
        List<String> args = new ArrayList<>(advise.subList(1, advise.size()));
        int time = args.indexOf("--time");
        if (time >= 0) {
            args.set(time + 1, "8s");
        } else {
            args.addAll(List.of("--time", "8s"));
        }
        args.addAll(List.of("--report", dir.resolve("report").toString()));
        TandemCliTest.Run r = run(args.toArray(String[]::new));
        assertThat(r.code())
                .as("tandem %s: %s", String.join(" ", args), r.err())
                .isZero();
        assertThat(r.err()).contains("measuring " + task);
        assertThat(r.out()).contains("VERDICT");
    }

    /**
     * {@return a recipe line's words as sh reads them} A {@code $(./tandem ...)} outside quotes gives the words
     * the CLI prints, inside quotes one word; {@code out} and {@code X.java} are files of {@code dir}.
     */
    private static List<String> shellWords(String line, Path dir) {
        List<String> tokens = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (char c : line.strip().toCharArray()) {
            quoted ^= c == '"' && depth == 0;
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (Character.isWhitespace(c) && !quoted && depth == 0) {
                tokens.add(t.toString());
                t.setLength(0);
            } else {
                t.append(c);
            }
        }
        tokens.add(t.toString());
        List<String> words = new ArrayList<>();
        for (String token : tokens.stream().filter(w -> !w.isEmpty()).toList()) {
            Matcher m = SUBSTITUTION.matcher(token);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                TandemCliTest.Run r = run(m.group(1).split(" "));
                assertThat(r.code()).as("./tandem %s: %s", m.group(1), r.err()).isZero();
                m.appendReplacement(out, Matcher.quoteReplacement(r.out().strip()));
            }
            m.appendTail(out);
            String w = out.toString().replace("\"", "");
            if (!token.startsWith("\"") && !token.equals(w)) {
                words.addAll(List.of(w.split("\\s+"))); // unquoted: split as sh does
            } else if (w.equals("out") || w.startsWith("out:") || w.endsWith(".java")) {
                words.add(dir.resolve(w.split(":", 2)[0]) + (w.contains(":") ? ":" + w.split(":", 2)[1] : ""));
            } else {
                words.add(w);
            }
        }
        return words;
    }

    /**
     * Was: README's cluster recipe ran {@code java --enable-native-access=ALL-UNNAMED -cp ...}, then asked for
     * "the flags of Node.JVM_FLAGS", whose values no doc listed: as written, each run printed 6 warning lines
     * (the common pool's size on 2 CPUs, and the JDK's four about sun.misc.Unsafe).
     */
    @Test
    @Timeout(300)
    void theClusterRecipeAsWrittenPrintedSixWarningLines(@TempDir Path dir) throws Exception {
        List<String> lines = recipe("<!-- cluster-recipe -->");
        assertThat(lines).hasSize(2);
        List<String> javac = shellWords(lines.get(0), dir);
        List<String> java = shellWords(lines.get(1), dir);
        assertThat(javac.get(0)).isEqualTo("javac");
        assertThat(java.get(0)).isEqualTo("java");
        Files.writeString(dir.resolve(java.getLast() + ".java"), """
                import dev.tandem.Tandem;
                import dev.tandem.TaskPool;

                public class %s {
                    public static void main(String[] args) throws Exception {
                        try (TaskPool pool = Tandem.localCluster(1).start()) {
                            System.out.println("answer " + pool.submit(() -> 6 * 7).get());
                        }
                    }
                }
                """.formatted(java.getLast()));
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        assertThat(javac(javac.subList(1, javac.size()), messages))
                .as("javac as the README says: %s", messages.toString(StandardCharsets.UTF_8))
                .isZero();
        List<String> command = new ArrayList<>(java);
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the program ended").isTrue();
        String err = Files.readString(dir.resolve("err"));
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isZero();
        assertThat(out).contains("answer 42");
        assertThat(err).as("the program's stderr, run as README says").isEmpty();
    }
}
