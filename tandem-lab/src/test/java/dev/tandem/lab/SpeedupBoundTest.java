package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Load;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every speed-up the lab reports against one worker is bounded by what is physically possible: an IO-bound
 * speed-up of 4 workers was quoted at 10× (the bound existed only for CPU-bound work).
 */
class SpeedupBoundTest {
    private static Section scaling() {
        Section s = new Section("scaling", "scaling", "claim", "原文");
        s.verdict = "measured";
        s.load = new Load(10, 2, 0.5, 0.5, 1.0, 0.1, 0);
        return s;
    }

    private static void time(Section s, String key, double millis) {
        s.add(key, key, "ms", List.of(millis, millis * 1.01, millis * 0.99), Map.of("workers", 1));
    }

    @Test
    void anIoBoundSpeedUpAboveItsWorkersWasQuotedAsAResult() {
        Section s = scaling();
        time(s, "time.VIRTUAL_THREADS.io.1", 100);
        time(s, "time.VIRTUAL_THREADS.io.4", 10); // 10x with 4 workers: impossible
        time(s, "time.THREADS.io.1", 100);
        time(s, "time.THREADS.io.4", 26); // 3.85x with 4 workers: possible
        ScalingExperiment.speedups(s, List.of(1, 4));
        assertThat(s.artefact("speedup.VIRTUAL_THREADS.io.4")).isTrue();
        assertThat(s.ratio("speedup.VIRTUAL_THREADS.io.4")).endsWith("(artefact)");
        assertThat(s.problems())
                .as("an artefact is a problem: the lab repeats the experiment, then calls it inconclusive")
                .anySatisfy(p -> assertThat(p).contains("4 workers"));
        assertThat(s.artefact("speedup.THREADS.io.4")).isFalse();
    }

    @Test
    void aCpuBoundSpeedUpIsBoundedByTheCoresAndTheWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        Section s = scaling();
        time(s, "time.THREADS.cpu.1", 100);
        // (cores + 1) workers, each CPU-bound: at most min(workers, cores) times faster
        time(s, "time.THREADS.cpu." + (cores + 1), 100.0 / (1.2 * cores));
        ScalingExperiment.speedups(s, List.of(1, cores + 1));
        assertThat(s.artefact("speedup.THREADS.cpu." + (cores + 1))).isTrue();
    }

    /**
     * Fresh user (session 16): "while threads ran 2 CPU-bound workers, other processes took 0.616 of 2 CPUs …,
     * leaving 1.38: too few to show a speed-up of 1.40×" made the scaling verdict inconclusive beside a table showing
     * threads at 1.93×. A speed-up that showed despite the load was not kept from showing by it.
     */
    @Test
    void aSpeedUpThatShowedDespiteTheLoadWasCalledTooFewCpusToShow() {
        Load busy = new Load(10, 2, 6.9, 7.3, 1.0, 0.616, 0);
        assertThat(ScalingExperiment.contention("threads", 2, 2, busy, 1.93)).isNull();
        assertThat(ScalingExperiment.contention("processes", 2, 2, busy, 1.11))
                .startsWith("while processes ran 2 CPU-bound workers, other processes took 0.616 of 2 CPUs")
                .endsWith("too few to show a speed-up of 1.40×");
        assertThat(ScalingExperiment.contention("processes", 2, 2, busy, Double.NaN))
                .isNotNull();
        assertThat(ScalingExperiment.contention("processes", 2, 2, new Load(10, 2, 0.5, 0.5, 1.9, 0.05, 0), 1.11))
                .isNull();
        assertThat(ScalingExperiment.contention("threads", 2, 2, null, 1.11)).isNull();
    }
}
