package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tandem as a Maven user gets it: a separate project (src/test/resources/consumer) that imports
 * {@code dev.tandem:tandem-bom} and depends on {@code dev.tandem:tandem-core} compiles against the
 * installed artifacts and runs a task in a worker JVM. The artifacts were installed by this module's
 * invoker:install into a throwaway repository (target/consumer-repo), never ~/.m2.
 */
class ConsumerIT {
    @TempDir
    Path tmp;

    @Test
    void aSeparateMavenProjectCompilesAgainstTheInstalledArtifactsAndRunsATaskInAWorker() throws Exception {
        Path project = tmp.resolve("consumer");
        ChildProcess.copyTree(Path.of(ConsumerIT.class.getResource("/consumer").toURI()), project);
        List<String> cmd = new ArrayList<>(Maven.command(project, "package", "exec:java"));
        cmd.add("-Dtandem.version=" + ChildProcess.VERSION);
        for (String p : List.of("compiler", "resources", "jar", "surefire", "exec", "install", "clean")) {
            cmd.add("-D" + p + ".version=" + Maven.plugin(p));
        }
        ChildProcess.Result r = ChildProcess.run(project, Maven.ENV, 240, cmd);
        r.ranInAWorker();
        assertThat(r.output()).contains("squares=[1, 4, 9]");
        assertThat(project.resolve("target/tandem-consumer-1.0.jar")).isRegularFile();
    }

    @Test
    void theInstalledPomsCarryTheLicenseAndTheBomListsTheLibraries() throws IOException {
        Path group = Maven.CONSUMER_REPO.resolve("dev/tandem");
        Path parent = group.resolve(
                "tandem-parent/" + ChildProcess.VERSION + "/tandem-parent-" + ChildProcess.VERSION + ".pom");
        assertThat(Files.readString(parent))
                .contains("<name>Apache-2.0</name>")
                .contains("<scm>")
                .contains("<developers>");
        Path bom = group.resolve("tandem-bom/" + ChildProcess.VERSION + "/tandem-bom-" + ChildProcess.VERSION + ".pom");
        assertThat(Files.readString(bom))
                .contains("<artifactId>tandem-core</artifactId>")
                .contains("<name>Apache-2.0</name>")
                .doesNotContain("tandem-benchmarks")
                .doesNotContain("junit");
        assertThat(group.resolve(
                        "tandem-core/" + ChildProcess.VERSION + "/tandem-core-" + ChildProcess.VERSION + ".jar"))
                .isRegularFile();
    }

    @Test
    void everyLibraryModuleBuiltItsSourcesAndJavadocJarsAndTheBenchmarksAreNotPublished() throws IOException {
        for (String module : List.of("tandem-protocol", "tandem-ipc", "tandem-worker", "tandem-core")) {
            Path target = ChildProcess.ROOT.resolve(module).resolve("target");
            String base = module + "-" + ChildProcess.VERSION;
            assertThat(target.resolve(base + "-sources.jar")).isRegularFile();
            assertThat(target.resolve(base + "-javadoc.jar")).isRegularFile();
        }
        String benchmarks = Files.readString(ChildProcess.ROOT.resolve("tandem-benchmarks/pom.xml"));
        assertThat(benchmarks)
                .contains("<maven.install.skip>true</maven.install.skip>")
                .contains("<maven.deploy.skip>true</maven.deploy.skip>");
    }
}
