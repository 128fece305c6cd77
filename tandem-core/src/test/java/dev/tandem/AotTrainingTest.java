package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who trains an AOT cache, and what becomes of the training. */
class AotTrainingTest {
    @TempDir
    Path dir;

    @Test
    void oneTrainerPerCacheAndNoneOnceItExists() throws Exception {
        Path cache = dir.resolve("worker-abc.aot");
        AotTraining first = AotTraining.claim(cache).orElseThrow();
        assertThat(AotTraining.claim(cache)).isEmpty();
        Files.write(first.output(), new byte[] {1, 2, 3});
        first.finish(0);
        assertThat(cache).exists().hasSize(3);
        assertThat(first.output()).doesNotExist();
        assertThat(AotTraining.claim(cache)).isEmpty(); // the cache exists
    }

    @Test
    void aFailedTrainingPublishesNothingAndFreesTheSlot() throws Exception {
        Path cache = dir.resolve("worker-def.aot");
        AotTraining t = AotTraining.claim(cache).orElseThrow();
        Files.write(t.output(), new byte[] {1});
        t.finish(137);
        t.finish(0); // only the first call acts
        assertThat(cache).doesNotExist();
        assertThat(t.output()).doesNotExist();
        AotTraining again = AotTraining.claim(cache).orElseThrow();
        again.finish(null);
    }

    @Test
    void noTrainingWithoutACacheLocation() {
        assertThat(AotTraining.claim(null)).isEmpty();
    }
}
