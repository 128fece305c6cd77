package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.measure.Load;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The busy-machine banner of the lab's report. */
class BusyBannerTest {
    @TempDir
    Path dir;

    /**
     * Fresh user: "1 experiment was repeated because their verdict would have rested on noise" named none; only
     * the lab's stderr said it was scaling. The banner names the repeated and the inconclusive sections.
     */
    @Test
    void theBannerCountedTheRepeatedExperimentsWithoutNamingThem() {
        Section scaling = new Section("scaling", "Scaling", "claim", "原文");
        scaling.repeatedBecause = "threads(2): IQR 80 %";
        scaling.verdict(Outcome.SUPPORTED, "decided");
        Section sharing = new Section("sharing", "Sharing", "claim", "原文");
        sharing.verdict(Outcome.INCONCLUSIVE, "Inconclusive (machine busy): ...");
        Section races = new Section("races", "Races", "claim", "原文");
        races.verdict(Outcome.SUPPORTED, "decided");
        Load busy = new Load(60, 2, 3.0, 4.0, 1.0, 1.2, 0);
        LabOptions options = new LabOptions(List.of("scaling", "sharing", "races"), true, 42, dir, null, false);
        String banner =
                new ReportWriter(options, Instant.now(), 60, busy, List.of(scaling, sharing, races), null).busyBanner();
        assertThat(banner)
                .contains("1 experiment (scaling) was repeated because")
                .contains("1 verdict (sharing) is inconclusive");
    }
}
