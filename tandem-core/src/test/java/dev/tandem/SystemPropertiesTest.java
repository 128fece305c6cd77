package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 §8: a caller started with {@code -Duser.timezone=Asia/Tokyo -Duser.language=de
 * -Duser.country=DE -Dapp.profile=x} got {@code Asia/Tokyo de_DE x 1.234.567,50} from a task in
 * {@code threads(1)} but {@code Etc/UTC en null 1,234,567.50} in {@code processes(1)}. Workers now
 * inherit the caller's command-line properties and its time zone and locale, in every isolated mode
 * and over both transports, unless {@code inheritSystemProperties(false)}. The caller is a child JVM
 * ({@link PropertiesCaller}).
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SystemPropertiesTest {
    private static final String TRICKY = "a \"quoted\" \\back\\slash\nnew line, tab\t, été #1";

    @Test
    void aTaskAnswersTheSameInEveryModeAndOverBothTransports() throws Exception {
        String output = ChildCaller.run(
                List.of(
                        "-Duser.timezone=Asia/Tokyo",
                        "-Duser.language=de",
                        "-Duser.country=DE",
                        "-Dapp.profile=x",
                        "-Dapp.tricky=" + TRICKY,
                        "-Dapp.changed=before",
                        "-Dtandem.token=not-passed",
                        "-Dfile.encoding=UTF-8",
                        "-Dsun.jnu.encoding=UTF-8"),
                PropertiesCaller.class,
                200);
        String expected =
                String.join(" | ", "Asia/Tokyo", "de_DE", "x", "1.234.567,50", TRICKY.replace("\n", "\\n"), "after");
        assertThat(answer(output, "threads")).isEqualTo(expected);
        for (Transport transport : Transport.values()) {
            assertThat(answer(output, "processes " + transport)).isEqualTo(expected);
            assertThat(answer(output, "hybrid " + transport)).isEqualTo(expected);
            assertThat(answer(output, "not inherited " + transport))
                    .as("inheritSystemProperties(false)")
                    .contains(" | null | ")
                    .doesNotContain("after");
            assertThat(answer(output, "worker command " + transport))
                    .as("the properties travel in an argument file, not on the worker's command line")
                    .doesNotContain("app.profile")
                    .doesNotContain("not-passed")
                    .contains("-Dstdout.encoding=");
        }
    }

    private static String answer(String output, String mode) {
        return output.lines()
                .filter(l -> l.startsWith(mode + ": "))
                .map(l -> l.substring(mode.length() + 2))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no answer for " + mode + " in:\n" + output));
    }
}
