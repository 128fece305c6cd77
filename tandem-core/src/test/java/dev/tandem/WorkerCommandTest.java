package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.WorkerLaunch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line a worker JVM is started with. No process is started. */
class WorkerCommandTest {
    /**
     * A worker's planned exit used to ask its JVM (through the diagnostic MXBean, which loads the
     * management classes: 140–240 ms on a loaded machine) whether it writes an AOT cache; the caller,
     * which asked for the cache, now says so on the command line.
     */
    @Test
    void aWorkerAskedItsJvmAtEveryExitWhetherItWritesAnAotCacheInsteadOfBeingTold() {
        PoolOptions options = Tandem.processes(1).options();
        WorkerLauncher launcher = new WorkerLauncher(options, null, ReplyDecoder.of(options, BulkLane.off()));
        try {
            String told = "-D" + WorkerLaunch.WRITES_AOT_CACHE_PROPERTY + "=true";
            List<String> training = launcher.command(1, Path.of("worker.aot"));
            assertThat(training).contains("-XX:AOTCacheOutput=worker.aot", told);
            assertThat(training.indexOf(told)).isLessThan(training.indexOf(WorkerLaunch.MAIN_CLASS));
            assertThat(launcher.command(2, null))
                    .doesNotContain(told)
                    .noneMatch(a -> a.startsWith("-XX:AOTCacheOutput"));
        } finally {
            launcher.close();
        }
    }
}
