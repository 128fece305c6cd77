package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/stale-source.sh, which decides whether {@code ./tandem} builds the project again: on a tree of
 * files in a temporary folder, with modification times set explicitly (an hour apart, so no clock
 * granularity can blur them), never on the project itself.
 */
class StaleSourceTest {
    private static final Path SCRIPT = ChildProcess.ROOT.resolve("bin/stale-source.sh");
    private static final Instant BUILT = Instant.parse("2026-01-01T12:00:00Z");

    @TempDir
    Path root;

    private Path stamp;

    @BeforeEach
    void builtTree() throws IOException {
        stamp = file("tandem-cli/target/classpath.txt", BUILT);
        file("pom.xml", BUILT.minusSeconds(3600));
        file("tandem-core/src/main/java/dev/tandem/Tandem.java", BUILT.minusSeconds(3600));
    }

    private Path file(String relative, Instant modified) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "x");
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    private String staleSource() throws Exception {
        ChildProcess.Result r = ChildProcess.run(
                root, Map.of(), 60, List.of("sh", SCRIPT.toString(), root.toString(), stamp.toString()));
        assertThat(r.exitCode()).as("exit code; output:%n%s", r.output()).isZero();
        return r.output().strip();
    }

    @Test
    void aTreeBuiltAfterItsLastChangeIsNotStale() throws Exception {
        assertThat(staleSource()).isEmpty();
    }

    /** Was: JMH's generated sources and tandem-it's test resources made a fresh clone rebuild after a full build. */
    @Test
    void javaFilesAndPomsWrittenByTheBuildUnderTargetAreNotSources() throws Exception {
        Instant later = BUILT.plusSeconds(3600);
        file("tandem-benchmarks/target/generated-sources/annotations/X_jmhTest.java", later);
        file("tandem-it/target/test-classes/consumer/pom.xml", later);
        file("tandem-it/target/test-classes/launch/Job.java", later);
        file(".git/pom.xml", later);
        assertThat(staleSource()).isEmpty();
    }

    /** The command runs no test code: editing a test does not rebuild it. */
    @Test
    void testSourcesAreNotWhatTheCommandRuns() throws Exception {
        file("tandem-core/src/test/java/dev/tandem/PoolTest.java", BUILT.plusSeconds(3600));
        file("tandem-lab/src/test/resources/page.html", BUILT.plusSeconds(3600));
        assertThat(staleSource()).isEmpty();
    }

    @Test
    void aChangedSourcePomOrMainResourceIsNamed() throws Exception {
        Instant later = BUILT.plusSeconds(3600);
        Path source = file("tandem-core/src/main/java/dev/tandem/Tandem.java", later);
        assertThat(staleSource()).isEqualTo(source.toString());
        Files.setLastModifiedTime(source, FileTime.from(BUILT.minusSeconds(3600)));

        Path pom = file("tandem-lab/pom.xml", later);
        assertThat(staleSource()).isEqualTo(pom.toString());
        Files.setLastModifiedTime(pom, FileTime.from(BUILT.minusSeconds(3600)));

        Path resource = file("tandem-lab/src/main/resources/page.html", later);
        assertThat(staleSource()).isEqualTo(resource.toString());
    }

    /**
     * Was: a user's program compiled inside the checkout, as README's recipes do, made every
     * {@code ./tandem} rebuild Tandem (under running nodes, two builds at once).
     */
    @Test
    void aUsersOwnProgramInTheCheckoutIsNotASource() throws Exception {
        Instant later = BUILT.plusSeconds(3600);
        file("run/src/Job.java", later);
        file("MyJob.java", later);
        file("com/acme/Resize.java", later);
        file("work/pom.xml", later);
        assertThat(staleSource()).isEmpty();
    }
}
