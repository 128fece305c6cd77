package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AOT cache is used only where the JDK supports it, and its name changes with what it depends on. */
class AotCacheTest {

    @Test
    void onlyAClassPathOfJarsCanBeCached(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "not really a jar");
        assertThat(AotCache.supported(List.of(jar.toString()))).isTrue();
        assertThat(AotCache.supported(List.of(jar.toString(), dir.toString()))).isFalse();
        assertThat(AotCache.supported(List.of(dir.resolve("missing.jar").toString()))).isFalse();
        assertThat(AotCache.supported(List.of())).isFalse();
    }

    @Test
    void theCacheFileChangesWithTheJarsAndTheOptions(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "one");
        Path first = AotCache.location(List.of(jar.toString()), List.of("-Xmx256m"));
        assertThat(first).isNotNull();
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx256m"))).isEqualTo(first);
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx512m"))).isNotEqualTo(first);
        Files.writeString(jar, "two, longer");
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx256m"))).isNotEqualTo(first);
    }

    @Test
    void testClassPathsWithDirectoriesStartWorkersWithoutACache() {
        PoolOptions options = Tandem.processes(1).options();
        List<String> cp = WorkerLauncher.workerClassPath(options);
        assertThat(AotCache.location(cp, WorkerLauncher.jvmOptions(options))).isNull();
    }
}
