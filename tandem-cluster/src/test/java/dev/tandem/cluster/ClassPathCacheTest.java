package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's class-path cache, without a node: what a session's use changes on its entries. */
class ClassPathCacheTest {
    private static String put(ClassPathCache cache, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String digest = ClassPathShipment.sha256(bytes);
        cache.upload(digest, 0, bytes, true);
        return digest;
    }

    private static void setTimes(Path p, long modifiedMillis, long accessMillis) throws Exception {
        Files.getFileAttributeView(p, BasicFileAttributeView.class)
                .setTimes(FileTime.fromMillis(modifiedMillis), FileTime.fromMillis(accessMillis), null);
    }

    /**
     * What broke: each session set its entries' last-modified time, which a worker's AOT cache is
     * keyed on (and which the JDK checks when it maps one), so every session's first worker trained
     * a new cache, the session's close waited for the JDK to write it, and no worker of a node ever
     * started from one. A use is now its last-access time.
     */
    @Test
    void aSessionsUseChangedItsEntriesModifiedTimeSoEverySessionRetrainedTheWorkersAotCache(@TempDir Path dir)
            throws Exception {
        ClassPathCache cache = new ClassPathCache(dir.resolve("cp"), 1 << 20);
        String d = put(cache, "an entry");
        Path p = cache.path(d);
        setTimes(p, 1_000_000L, 1_000_000L);
        cache.touch(List.of(d));
        assertThat(Files.getLastModifiedTime(p).toMillis()).isEqualTo(1_000_000L);
        assertThat(ClassPathCache.lastUsed(p)).isGreaterThan(1_000_000L);
        assertThat(cache.missing(List.of(d), List.of("an entry"))).isEmpty();
    }

    /** The least recently used entry goes first, whatever the entries' modified times say. */
    @Test
    void pruneDropsTheLeastRecentlyUsedEntryNotTheOldestWritten(@TempDir Path dir) throws Exception {
        ClassPathCache cache = new ClassPathCache(dir.resolve("cp"), 15);
        String older = put(cache, "written first");
        String newer = put(cache, "written later");
        setTimes(cache.path(older), 1_000_000L, 1_000_000L);
        setTimes(cache.path(newer), 2_000_000L, 1_000_000L);
        cache.touch(List.of(older));
        cache.prune(Set.of());
        assertThat(cache.path(older)).exists();
        assertThat(cache.path(newer)).doesNotExist();
    }
}
