package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The resources section's words against its numbers. The regressions: a headline that compared a
 * process's PSS with a thread's RSS, a spawn time measured on {@code true} and said of {@code cat}, and
 * counts written with a decimal ("14.0 OS threads").
 */
class ResourcesWordsTest {
    private static Section measured() {
        ResourcesExperiment e = new ResourcesExperiment();
        Section s = e.section();
        Map<String, Object> p = Map.of();
        s.add("create.platform", "create a platform thread", "µs", List.of(60.0, 61.0, 62.0), p);
        s.add("create.virtual", "create a virtual thread", "µs", List.of(1.0, 1.1, 1.2), p);
        s.add("rss.platform", "RSS growth per parked platform thread", "KiB", List.of(140.0, 141.0, 142.0), p);
        s.add("pss.platform", "PSS growth per parked platform thread", "KiB", List.of(70.0, 71.0, 72.0), p);
        s.add("rss.virtual", "RSS growth per parked virtual thread", "KiB", List.of(2.0, 2.1, 2.2), p);
        s.add("pss.virtual", "PSS growth per parked virtual thread", "KiB", List.of(1.0, 1.1, 1.2), p);
        s.add("heap.virtual", "heap per parked virtual thread", "KiB", List.of(1.0, 1.1, 1.2), p);
        s.add("osThreads.platform", "OS threads per platform thread", "threads", List.of(1.0, 1.0, 1.0), p);
        s.add("osThreads.virtual", "OS threads per virtual thread", "threads", List.of(0.0, 0.0, 0.0), p);
        s.add("create.jvm", "spawn a bare JVM", "ms", List.of(80.0, 81.0, 82.0), p);
        s.add("rss.jvm", "RSS of a bare idle JVM", "MiB", List.of(40.0, 41.0, 42.0), p);
        s.add("pss.jvm", "PSS of a bare idle JVM", "MiB", List.of(30.0, 31.0, 32.0), p);
        s.add("osThreads.jvm", "OS threads of a bare JVM", "threads", List.of(14.0, 14.0, 14.0), p);
        s.add("fds.jvm", "open files of a bare JVM", "files", List.of(6.0, 6.0, 6.0), p);
        s.add("create.process", "spawn 'true' until it exited", "µs", List.of(900.0, 910.0, 920.0), p);
        s.add("rss.process", "RSS of cat waiting for input", "MiB", List.of(1.5, 1.6, 1.7), p);
        s.add("pss.process", "PSS of cat waiting for input", "MiB", List.of(0.1, 0.11, 0.12), p);
        s.add("osThreads.process", "OS threads of cat", "threads", List.of(1.0, 1.0, 1.0), p);
        s.add("fds.process", "open files of cat", "files", List.of(3.0, 3.0, 3.0), p);
        e.table(s);
        e.verdict(s);
        return s;
    }

    @Test
    void theHeadlineQuotedPssForAProcessAndRssForAThread() {
        Section s = measured();
        // one measure on both sides, named: the thread's PSS (71 KiB), not its RSS (141 KiB)
        assertThat(s.headline)
                .contains("31.0 MiB PSS vs platform thread 71.0 KiB PSS")
                .doesNotContain("141");
        assertThat(s.verdict).contains("(71.0 KiB PSS per thread)").doesNotContain("RSS per");
        assertThat(s.tables.getFirst().rows().getFirst().get(2)).startsWith("71.0 KiB PSS");
    }

    @Test
    void theSpawnOfTrueWasSaidToBeTheSpawnOfCat() {
        Section s = measured();
        assertThat(s.verdict)
                .contains("(cat waiting for input)")
                .contains("to spawn and exit ('true'")
                .doesNotContain("(cat) costs");
        List<String> process = s.tables.getFirst().rows().getLast();
        assertThat(process.get(1)).contains("'true'");
        assertThat(process.get(2)).contains("cat");
    }

    @Test
    void countsWereWrittenWithADecimal() {
        Section s = measured();
        assertThat(s.verdict).contains("14 OS threads, 6 open files").doesNotContain("14.0");
        assertThat(s.tables.getFirst().rows())
                .allSatisfy(row -> assertThat(row.get(3) + " " + row.get(4)).doesNotContainPattern("\\d\\.0\\b"));
    }
}
