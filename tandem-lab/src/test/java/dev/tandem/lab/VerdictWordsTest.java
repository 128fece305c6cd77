package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The words follow the numbers, by one rule ({@link Contrast}) wherever two costs are compared. The
 * regressions: the verdict's overhead row said "a switch costs about the same" of 1.67x while the
 * switching section said "clearly dearer"; the sharing verdict said "Shared memory avoids the copy:
 * 50.2 ms for 16 MiB" while the copy took 29.5 ms.
 */
class VerdictWordsTest {
    private static final Stats THREAD = Stats.of(List.of(4.5, 4.55, 4.6, 4.65, 4.7));
    private static final Stats PROCESS = Stats.of(List.of(7.5, 7.6, 7.7, 7.8, 7.9));

    @Test
    void aSwitchOnePointSevenTimesDearerIsClearlyDearerInTheVerdictRowAndTheSwitchingSectionAlike() {
        Contrast c = Contrast.of(THREAD, PROCESS);
        assertThat(c).isEqualTo(Contrast.CLEARLY_DEARER);
        String sentence = SwitchingExperiment.switchCost(c, PROCESS.median() / THREAD.median());
        assertThat(sentence).contains("clearly dearer than a thread switch").doesNotContain("about the same");
    }

    @Test
    void theContrastFollowsTheNumbersEitherWay() {
        assertThat(Contrast.of(PROCESS, THREAD)).isEqualTo(Contrast.CLEARLY_CHEAPER);
        assertThat(Contrast.of(THREAD, Stats.of(List.of(4.5, 4.6, 4.65, 4.7, 4.8))))
                .isEqualTo(Contrast.SAME);
        assertThat(Contrast.of(THREAD, Stats.of(List.of(5.4, 5.42, 5.45, 5.5, 5.52))))
                .isEqualTo(Contrast.CLOSE);
        assertThat(Contrast.of(THREAD, Stats.of(List.of(6.2, 6.3, 6.4, 6.5, 6.6))))
                .isEqualTo(Contrast.DEARER);
    }

    @Test
    void sharedMemorySlowerThanTheCopyIsNotSaidToAvoidIt() {
        Stats copy = Stats.of(List.of(29.0, 29.3, 29.5, 29.8, 30.0));
        Stats shm = Stats.of(List.of(49.0, 49.8, 50.2, 50.6, 51.0));
        String text = SharingExperiment.sharedMemory(Contrast.of(copy, shm), 50.2, 29.5, 1.0, "16 MiB");
        assertThat(text)
                .doesNotContain("avoids the copy")
                .contains("slower than the copy")
                .contains("clearly dearer than the copy");
        String faster = SharingExperiment.sharedMemory(Contrast.of(shm, copy), 29.5, 50.2, 1.0, "16 MiB");
        assertThat(faster).startsWith("Shared memory avoids the copy");
    }
}
