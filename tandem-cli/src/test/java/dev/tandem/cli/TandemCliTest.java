package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TandemCliTest {

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = TandemCli.commandLine().execute(args);
            assertThat(code)
                    .as("exit code of tandem %s", String.join(" ", args))
                    .isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheSubcommands() {
        assertThat(run("--help")).contains("lab", "advise", "node", "info", "classpath", "version");
    }

    @Test
    void nodeHelpNamesItsOptions() {
        assertThat(run("node", "--help"))
                .contains("--bind", "--port", "--join", "--cluster-name", "--secret-file", "--max-processes")
                .contains("--max-heap", "--local");
    }

    @Test
    void versionNamesTheJdk() {
        assertThat(run("version"))
                .contains("tandem ")
                .contains("JDK " + Runtime.version().feature());
    }

    @Test
    void infoMeasuresAWorkerStart() {
        assertThat(run("info")).contains("cores").contains("jdk").containsPattern("worker start\\s+[0-9.]+ ms");
    }

    @Test
    void classpathPrintsTheLibraryEntriesThatExist() {
        String cp = run("classpath").strip();
        assertThat(cp).contains("tandem-core");
        for (String entry : cp.split(File.pathSeparator)) {
            assertThat(new File(entry)).exists();
        }
    }
}
