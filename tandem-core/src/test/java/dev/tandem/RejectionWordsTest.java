package dev.tandem;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 (robustness §6b, §6c): a pool that no longer runs refuses work in the same plain words in
 * every mode. Thread modes gave the JDK's raw message, naming ThreadTaskPool$TimedTask and dumping a
 * map's inputs; process modes said "the pool is stop".
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RejectionWordsTest {
    private static final String WORDS = "the pool is (shut down|stopped|terminated): no new tasks are accepted after"
            + " shutdown\\(\\), shutdownNow\\(\\) or close\\(\\)";

    private static void refusesInPlainWords(TaskPool pool) {
        assertThatThrownBy(() -> pool.map(x -> x + 1, List.of(1, 2, 3)))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageMatching(WORDS);
        assertThatThrownBy(() -> pool.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageMatching(WORDS);
        assertThatThrownBy(() -> pool.execute((Runnable & Serializable) () -> {}))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageMatching(WORDS);
    }

    @Test
    void threadPoolsRefuseAfterShutdownWithoutInternalNames() {
        for (Tandem.Builder b : List.of(Tandem.threads(2), Tandem.virtualThreads())) {
            try (TaskPool pool = b.start()) {
                pool.shutdown();
                refusesInPlainWords(pool);
            }
        }
    }

    @Test
    void processPoolsSayStoppedNotStop() throws Exception {
        try (TaskPool pool = Tandem.processes(1).aotCache(false).start()) {
            pool.shutdownNow();
            refusesInPlainWords(pool);
            pool.awaitTermination(60, TimeUnit.SECONDS);
            refusesInPlainWords(pool);
        }
    }
}
