package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void numbersHaveAboutThreeSignificantDigits() {
        assertThat(Units.num(1234.5)).isEqualTo("1,235");
        assertThat(Units.num(12.34)).isEqualTo("12.3");
        assertThat(Units.num(1.685)).isEqualTo("1.69");
        assertThat(Units.num(0.01234)).isEqualTo("0.0123");
        assertThat(Units.num(Double.NaN, "ms")).isEqualTo("n/a");
    }

    @Test
    void ratiosUseTheSamePrecisionEverywhere() {
        assertThat(Units.ratio(76_640.4)).isEqualTo("76,640×");
        assertThat(Units.ratio(1.685)).isEqualTo("1.69×");
        assertThat(Units.ratio(0.5)).isEqualTo("0.50×");
        assertThat(Units.ratio(Double.POSITIVE_INFINITY)).isEqualTo("n/a");
    }

    @Test
    void sizesAndDurationsReadAsPeopleWriteThem() {
        assertThat(Units.bytes(200L << 20)).isEqualTo("200 MiB");
        assertThat(Units.nanos(15_000)).isEqualTo("15.0 µs");
        assertThat(Units.nanos(1_500_000_000L)).isEqualTo("1.50 s");
        // a week was "604,800 s"
        assertThat(Units.nanos(604_800_000_000_000L)).isEqualTo("7 d");
        assertThat(Units.nanos(5_400_000_000_000L)).isEqualTo("1.50 h");
        assertThat(Units.nanos(3_600_000_000_000L)).isEqualTo("1 h");
        assertThat(Units.nanos(90_000_000_000L)).isEqualTo("90.0 s");
        // a value echoed in a message: PT-0.003S and PT5S were Duration.toString()
        assertThat(Units.duration(Duration.ofMillis(-3))).isEqualTo("-3 ms");
        assertThat(Units.duration(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(Units.duration(Duration.ofMillis(1500))).isEqualTo("1.50 s");
        assertThat(Units.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(Units.count(1, "task", "tasks")).isEqualTo("1 task");
        assertThat(Units.count(1_000, "task", "tasks")).isEqualTo("1,000 tasks");
        assertThat(Units.parseBytes("512m")).isEqualTo(512L << 20);
        assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.parseDuration("-3ms")).isEqualTo(Duration.ofMillis(-3));
    }

    @Test
    void unreadableInputIsQuotedAsTyped() {
        assertThatThrownBy(() -> Units.parseDuration("soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'soon' is not a duration; write it like 30s, 250ms, 200us or 1m30s");
        assertThatThrownBy(() -> Units.parseBytes("lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'lots' is not a size");
    }

    @Test
    void aDurationWithoutAUnitIsRefusedNotReadAsSeconds() {
        assertThatThrownBy(() -> Units.parseDuration("50"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'50' has no unit; write it like 50ms or 50s");
        assertThatThrownBy(() -> Units.parseDuration("2.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no unit");
        assertThatThrownBy(() -> Units.parseDuration("x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }

    @Test
    void compoundDurationsLike1m30sWereRefused() {
        assertThat(Units.parseDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Units.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Units.parseDuration("2.5S")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Units.parseDuration("1s500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("-1m30s")).isEqualTo(Duration.ofSeconds(-90));
        assertThatThrownBy(() -> Units.parseDuration("30s1m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from the largest down");
        assertThatThrownBy(() -> Units.parseDuration("1m30"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no unit");
        assertThatThrownBy(() -> Units.parseDuration("1m 30s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }

    @Test
    void aHugeDurationWasCalledNoDurationInsteadOfBeingOutOfRange() {
        assertThat(Units.parseDuration("9999999999999999999s")).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(Units.parseDuration("-9999999999999999999s")).isNegative();
    }

    @Test
    void aSlowRateWasPrintedAsAStringOfZerosPerSecond() {
        assertThat(Units.rate(0.000556)).isEqualTo("2.00/h");
        assertThat(Units.rate(0.5)).isEqualTo("30.0/min");
        assertThat(Units.rate(12_400)).isEqualTo("12,400/s");
        assertThat(Units.rate(3.5)).isEqualTo("3.50/s");
        assertThat(Units.rate(0)).isEqualTo("0/s");
    }

    @Test
    void anAbbreviatedFailureWasCutMidWord() {
        // "worker 3 [...] visor.Calls$Call)": the middle cut at fixed offsets halved a class name
        String failure = "WorkerLostException: worker 3 (pid 4242) ended with exit code 3 while running task 17"
                + " (dev.tandem.advisor.Calls$Call)";
        String s = Units.abbreviate(failure, 60);
        assertThat(s).isEqualTo("WorkerLostException: worker 3 (pid 4242) ended with exit\u2026");
        assertThat(Units.abbreviate("short", 60)).isEqualTo("short");
    }

    /**
     * Was: a reason quoted in a verdict, cut in its middle, read "it runs several tasks in one worker JVM, [...] this
     * machine: 1.00 s); it was killed), which would take those tasks down together".
     */
    @Test
    void anAbbreviationPutAnEditorsMarkAndHalfAClauseIntoASentence() {
        String reason = "it runs several tasks in one worker JVM, and a call did not return in the probe (a call was"
                + " still running (call #40, counting from 1), and the probe had made no progress for 13.8 s)";
        String s = Units.abbreviate(reason, 120);
        assertThat(s).doesNotContain("[...]").endsWith("#40\u2026))").hasSizeLessThanOrEqualTo(122);
        assertThat(s.chars().filter(c -> c == '(').count())
                .isEqualTo(s.chars().filter(c -> c == ')').count());
        assertThat(reason).startsWith(s.substring(0, s.indexOf('\u2026')));
        // a single long word is cut as is, its bracket closed
        assertThat(Units.abbreviate("x (" + "y".repeat(100), 20)).isEqualTo("x (" + "y".repeat(16) + "\u2026)");
    }

    /** Was: "14.0 OS threads", "6.0 files": counts read as whole numbers. */
    @Test
    void countsWereWrittenWithADecimal() {
        assertThat(Units.num(14.0, "threads")).isEqualTo("14 threads");
        assertThat(Units.num(6.0, "files")).isEqualTo("6 files");
        assertThat(Units.num(2.5, "threads")).isEqualTo("2.50 threads");
        assertThat(Units.whole(14.0)).isEqualTo("14");
        assertThat(Units.whole(Double.NaN)).isEqualTo("n/a");
        assertThat(Units.num(14.0, "ms")).isEqualTo("14.0 ms");
    }

    /** Was: lab --compare showed the earlier run's start as 2026-12-02T15:33:23.123456789Z. */
    @Test
    void anEarlierRunsStartWasShownAsARawInstant() {
        assertThat(Units.when("2026-12-02T15:33:23.123456789Z")).isEqualTo("2026-12-02 15:33:23 UTC");
        assertThat(Units.when("1764689603000")).isEqualTo("2025-12-02 15:33:23 UTC");
        assertThat(Units.when("yesterday")).isEqualTo("yesterday");
    }

    /** Was: "1.23e-05" and "1.2e-03×": %.3g and %.2g switch to scientific notation below 0.0001. */
    @Test
    void aTinyNumberWasWrittenInScientificNotation() {
        assertThat(Units.num(0.0000123)).isEqualTo("0.0000123");
        assertThat(Units.num(0.5)).isEqualTo("0.500");
        assertThat(Units.ratio(0.00123)).isEqualTo("0.0012×");
        assertThat(Units.num(0.0000123, "threads")).doesNotContain("e-");
    }

    /** Was: "36,200 ms" and "0.0500 ms": a time or a size stayed in the unit it was measured in. */
    @Test
    void aTimeOrSizeWasNotScaledToAUnitThatReadsWell() {
        assertThat(Units.num(36_200, "ms")).isEqualTo("36.2 s");
        assertThat(Units.num(0.05, "ms")).isEqualTo("50.0 µs");
        assertThat(Units.num(999.96, "µs")).isEqualTo("1.00 ms");
        assertThat(Units.num(14.0, "ms")).isEqualTo("14.0 ms");
        assertThat(Units.num(-2_500, "ns")).isEqualTo("-2.50 µs");
        assertThat(Units.num(0, "ms")).isEqualTo("0 ms");
        assertThat(Units.num(2_048, "MiB")).isEqualTo("2.00 GiB");
        assertThat(Units.num(0.5, "KiB")).isEqualTo("512 B");
        assertThat(Units.num(12, "%")).isEqualTo("12.0 %");
    }

    /** Was: "1.69 x" for a ratio metric, where every other ratio read "1.69×". */
    @Test
    void aRatioMetricWasWrittenWithAnXAndASpace() {
        assertThat(Units.num(1.685, "x")).isEqualTo("1.69×");
        assertThat(Units.num(0.5, "×")).isEqualTo("0.50×");
    }

    /** Was: "1 tasks", "1 processes". */
    @Test
    void oneOfACountWasWrittenInThePlural() {
        assertThat(Units.num(1, "tasks")).isEqualTo("1 task");
        assertThat(Units.num(1, "processes")).isEqualTo("1 process");
        assertThat(Units.num(1, "switches")).isEqualTo("1 switch");
        assertThat(Units.num(1, "threads")).isEqualTo("1 thread");
        assertThat(Units.num(2, "tasks")).isEqualTo("2 tasks");
        assertThat(Units.num(0, "tasks")).isEqualTo("0 tasks");
    }

    @Test
    void aRangeReadsInOneUnit() {
        assertThat(Units.range(900, 18_000, "ns")).isEqualTo("0.900–18.0 µs");
        assertThat(Units.range(12, 18, "µs")).isEqualTo("12.0–18.0 µs");
        assertThat(Units.range(1.2, 1.5, "x")).isEqualTo("1.20–1.50×");
        assertThat(Units.range(2, 3, "tasks")).isEqualTo("2–3 tasks");
        assertThat(Units.range(Double.NaN, 3, "ms")).isEqualTo("n/a");
    }

    /** Was: "0.400 µs" for a cost inside a spread of 2 µs, read as a finding. */
    @Test
    void aCostAtNoiseLevelWasPrintedAsAFinding() {
        assertThat(Units.cost(0.4, 2, "µs")).isEqualTo("~0 (noise)");
        assertThat(Units.cost(-1.5, 2, "µs")).isEqualTo("~0 (noise)");
        assertThat(Units.cost(5, 2, "µs")).isEqualTo("5.00 µs");
    }

    /** Was: "'1m30' has no unit; write it like 1m30ms or 1m30s": a minute thirty is 1m30s. */
    @Test
    void aCompoundDurationWithoutItsLastUnitWasToldToEndInMs() {
        assertThatThrownBy(() -> Units.parseDuration("1m30"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write it like 1m30s")
                .hasMessageNotContaining("1m30ms");
        assertThatThrownBy(() -> Units.parseDuration("1h30")).hasMessageContaining("write it like 1h30m");
        assertThatThrownBy(() -> Units.parseDuration("1m30", d -> true, "30s"))
                .hasMessageContaining("write it like 1m30s")
                .hasMessageNotContaining("1m30ms");
    }

    /** Was: 512 read as 512 bytes. */
    @Test
    void aSizeWithoutAUnitWasReadAsBytes() {
        assertThatThrownBy(() -> Units.parseBytes("512"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'512' has no unit; write it like 512m or 512g (the units are b, k, m, g and t, in either"
                        + " case, also written KiB, MiB, GiB, TiB)");
        assertThat(Units.parseBytes("0")).isZero();
        assertThat(Units.parseBytes("4096b")).isEqualTo(4096);
        assertThat(Units.parseBytes("512MiB")).isEqualTo(512L << 20);
    }

    /** Was: {@code 1t} (the JVM's -Xmx1t) was "not a size": t was no unit here. */
    @Test
    void aSizeInTebibytesWasNotASize() {
        assertThat(Units.parseBytes("1t")).isEqualTo(1L << 40);
        assertThat(Units.parseBytes("1T")).isEqualTo(1L << 40);
        assertThat(Units.parseBytes("2TiB")).isEqualTo(2L << 40);
        assertThat(Units.parseBytes("1tb")).isEqualTo(1L << 40);
        // every suffix the JVM takes, in either case, and their IEC names
        assertThat(Units.parseBytes("64K")).isEqualTo(64L << 10);
        assertThat(Units.parseBytes("64k")).isEqualTo(64L << 10);
        assertThat(Units.parseBytes("512M")).isEqualTo(512L << 20);
        assertThat(Units.parseBytes("2G")).isEqualTo(2L << 30);
        assertThat(Units.parseBytes("2 GiB")).isEqualTo(2L << 30);
        assertThat(Units.parseBytes("1.5g")).isEqualTo(3L << 29);
        assertThat(Units.parseBytes("0m")).isZero();
        assertThat(Units.parseBytes("99999999999t")).isEqualTo(Long.MAX_VALUE);
        // not sizes: each refused naming the value as typed and the units
        for (String bad : List.of("1x", "1b2k", "t", ".", "", "1kk", "-1g", "1 t b", "1ti", "NaNg")) {
            assertThatThrownBy(() -> Units.parseBytes(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + bad + "' is not a size; write it like 512m, 2g or 64k (the units are b, k, m, g"
                            + " and t, in either case, also written KiB, MiB, GiB, TiB)");
        }
        assertThatThrownBy(() -> Units.parseBytes("lots", "512m or 2g"))
                .hasMessageStartingWith("'lots' is not a size; write it like 512m or 2g (");
    }
}
