package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared fixture copies every component, and each {@code with...} changes only its own. */
class TrialFixtureTest {
    private static final Advice.Trial T = TrialFixture.ran(
                    "processes(2)", Mode.PROCESSES, 2, 1, false, 900, 9_000_000, 60_000, 58L << 20)
            .withSamples(RulesTest.tight(900))
            .build();

    @Test
    void aCopyIsEqualToItsOriginal() {
        assertThat(TrialFixture.of(T).build()).isEqualTo(T);
    }

    @Test
    void eachWithChangesOnlyItsOwnComponent() {
        assertThat(TrialFixture.of(T).withCallers(7).build())
                .usingRecursiveComparison()
                .ignoringFields("concurrency")
                .isEqualTo(T);
        Advice.Trial racy = TrialFixture.of(T).withResults(400, 37).build();
        assertThat(racy.resultsDiffering()).isEqualTo(37);
        assertThat(racy)
                .usingRecursiveComparison()
                .ignoringFields("resultsCompared", "resultsDiffering")
                .isEqualTo(T);
        Advice.Trial failing = TrialFixture.of(T)
                .withFailures(2, "WorkerLostException", "lost")
                .build();
        assertThat(failing.failureKinds()).containsEntry("WorkerLostException", 2L);
        assertThat(failing)
                .usingRecursiveComparison()
                .ignoringFields("failed", "failureKinds", "firstFailure")
                .isEqualTo(T);
        assertThat(TrialFixture.of(T).withSamples(List.of(1.0)).build().throughputSamples())
                .containsExactly(1.0);
    }
}
