package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeathReport}: how a worker's end is put into words, from its exit code, stderr and crash log. */
class DeathReportTest {
    @Test
    void exitCodesAbove128NameTheirSignalAndOthersNone() {
        assertThat(DeathReport.signal(137)).isEqualTo("SIGKILL");
        assertThat(DeathReport.signal(143)).isEqualTo("SIGTERM");
        assertThat(DeathReport.signal(139)).isEqualTo("SIGSEGV");
        assertThat(DeathReport.signal(128 + 20)).isEqualTo("signal 20");
        assertThat(DeathReport.signal(128)).isNull();
        assertThat(DeathReport.signal(3)).isNull();
        assertThat(DeathReport.signal(128 + 65)).as("not a signal number").isNull();
        assertThat(DeathReport.signal(null)).isNull();
    }

    @Test
    void anOutOfMemoryErrorInTheTailWinsOverTheExitCodeAndSaysHowToRaiseTheHeap() {
        assertThat(DeathReport.hint(
                        3, "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", null))
                .startsWith("OutOfMemoryError")
                .contains("jvmOptions(\"-Xmx1g\")");
    }

    @Test
    void aNativeCrashIsNamedByItsLogOrItsBanner() {
        assertThat(DeathReport.hint(134, "", "/tmp/hs_err_pid1.log")).startsWith("native crash");
        assertThat(DeathReport.hint(6, "# A fatal error has been detected by the Java Runtime Environment:", null))
                .startsWith("native crash");
    }

    @Test
    void eachExitCodeGetsItsLikelyCause() {
        assertThat(DeathReport.hint(null, "", null)).isEqualTo("the worker's control channel broke");
        assertThat(DeathReport.hint(0, "", null)).contains("System.exit(0)");
        assertThat(DeathReport.hint(137, null, null)).contains("SIGKILL").contains("OOM killer");
        assertThat(DeathReport.hint(143, "", null)).contains("SIGTERM");
        assertThat(DeathReport.hint(128 + 10, "", null)).isEqualTo("138: killed by signal 10");
        assertThat(DeathReport.hint(42, "", null)).contains("System.exit(42)").contains("Runtime.halt(42)");
    }

    @Test
    void theCrashLogIsTakenFromTheTailElseFromTheErrorFolder(@TempDir Path dir) throws Exception {
        String tail = "#\n# An error report file with more information is saved as:\n# /var/tmp/hs_err_pid77.log\n";
        assertThat(DeathReport.crashLog(77, tail, dir)).isEqualTo("/var/tmp/hs_err_pid77.log");
        assertThat(DeathReport.crashLog(78, "", dir)).as("none written").isNull();
        Path log = Files.writeString(dir.resolve("hs_err_pid78.log"), "crash");
        assertThat(DeathReport.crashLog(78, null, dir)).isEqualTo(log.toString());
    }
}
