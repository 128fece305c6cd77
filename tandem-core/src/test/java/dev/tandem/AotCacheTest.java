package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.spi.CacheFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
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
        assertThat(AotCache.supported(List.of(dir.resolve("missing.jar").toString())))
                .isFalse();
        assertThat(AotCache.supported(List.of())).isFalse();
    }

    @Test
    void theCacheFileChangesWithTheJarsAndTheOptions(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "one");
        Path first = AotCache.location(List.of(jar.toString()), List.of("-Xmx256m"));
        assertThat(first).isNotNull();
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx256m")))
                .isEqualTo(first);
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx512m")))
                .isNotEqualTo(first);
        Files.writeString(jar, "two, longer");
        assertThat(AotCache.location(List.of(jar.toString()), List.of("-Xmx256m")))
                .isNotEqualTo(first);
    }

    /** Was: the cluster's node caches computed their name and folder with a copy of this code. */
    @Test
    void aNodesCacheAndAWorkersCacheOfTheSameJarsAndFlagsShareAFolderAndAKeyButNotAName(@TempDir Path dir)
            throws Exception {
        List<String> cp = List.of(Files.writeString(dir.resolve("a.jar"), "one").toString());
        Path worker = AotCache.location(cp, List.of("-Xmx256m"));
        Path node = CacheFolder.cacheFile("node-", cp, List.of("-Xmx256m"));
        assertThat(worker.getParent()).isEqualTo(node.getParent()).isEqualTo(CacheFolder.folder());
        assertThat(worker.getFileName().toString()).startsWith("worker-").endsWith(".aot");
        assertThat(node.getFileName().toString())
                .isEqualTo(worker.getFileName().toString().replace("worker-", "node-"));
    }

    @Test
    void testClassPathsWithDirectoriesStartWorkersWithoutACache() {
        PoolOptions options = Tandem.processes(1).options();
        List<String> cp;
        try (WorkerClassPath path = WorkerClassPath.of(options)) {
            cp = path.entries();
        }
        assertThat(AotCache.location(cp, WorkerLauncher.jvmOptions(options))).isNull();
    }

    @Test
    void pruningKeepsTheMostRecentlyUsedCachesAndLeftoversOfDeadOwnersGo(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis();
        List<Path> caches = new ArrayList<>();
        for (int i = 0; i < AotCache.KEEP + 3; i++) {
            Path c = Files.writeString(dir.resolve("worker-" + i + ".aot"), "cache " + i);
            Files.setLastModifiedTime(c, FileTime.fromMillis(now - (i + 1) * 60_000L));
            caches.add(c);
        }
        Path oldLeftover = Files.writeString(dir.resolve("worker-x.aot.tmp-1-2.config"), "x");
        Files.setLastModifiedTime(oldLeftover, FileTime.fromMillis(now - 2 * 86_400_000L));
        Path liveOwners = Files.writeString(AotCache.trainingFile(dir.resolve("worker-y.aot")), "y");
        Files.setLastModifiedTime(liveOwners, FileTime.fromMillis(now - 2 * 86_400_000L));
        Path unrelated = Files.writeString(dir.resolve("notes.txt"), "mine");
        Path used = caches.getLast(); // the oldest, but the pool starting now uses it

        AotCache.markUsedAndPrune(used);

        assertThat(used).exists();
        for (int i = 0; i < caches.size() - 1; i++) {
            // the used one is now the newest, so only KEEP - 1 of the others stay: the most recent
            assertThat(Files.exists(caches.get(i))).as("cache %d", i).isEqualTo(i < AotCache.KEEP - 1);
        }
        assertThat(oldLeftover).doesNotExist();
        assertThat(liveOwners).as("a live owner's training file, however old").exists();
        assertThat(unrelated).exists();
    }
}
