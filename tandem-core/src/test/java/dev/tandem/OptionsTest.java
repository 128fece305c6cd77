package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Options are checked once, when the pool is built, and every message names the value and the fix. */
class OptionsTest {

    @Test
    void badCountsNameTheValue() {
        assertThatThrownBy(() -> Tandem.threads(0).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be >= 1, was 0");
        assertThatThrownBy(() -> Tandem.processes(-2).options()).hasMessage("processes must be >= 1, was -2");
        assertThatThrownBy(() -> Tandem.hybrid(2, 0).options())
                .hasMessage("threadsPerProcess must be between 1 and 10000, was 0");
        assertThatThrownBy(() -> Tandem.processes(1).maxTasksPerWorker(0))
                .hasMessageContaining("maxTasksPerWorker must be >= 1, was 0");
    }

    @Test
    void badDurationsNameTheValueAndTheFix() {
        assertThatThrownBy(() -> Tandem.threads(1).taskTimeout(Duration.ZERO).options())
                .hasMessageContaining("taskTimeout must be positive, was 0 s")
                .hasMessageContaining("omit it");
        assertThatThrownBy(() -> Tandem.processes(1)
                        .restartLimit(-1, Duration.ofSeconds(1))
                        .options())
                .hasMessage("maxRestarts must be >= 0, was -1");
        assertThatThrownBy(() -> Tandem.processes(1)
                        .restartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                        .options())
                .hasMessageContaining("maxRestartBackoff must be >= restartBackoff");
    }

    /** Issue 9 (robustness §4): a first backoff longer than the window alone failed the pool. */
    @Test
    void aBackoffLongerThanTheRestartWindowIsRefusedNamingBoth() {
        assertThatThrownBy(() -> Tandem.processes(1)
                        .restartBackoff(Duration.ofSeconds(20), Duration.ofSeconds(40))
                        .options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("restartBackoff's initial delay (20 s)")
                .hasMessageContaining("restartLimit's window (10 s)");
    }

    /** Issue 9 (robustness §6d): jvmOptions((String) null) said only "NullPointerException: null". */
    @Test
    void aNullInAListOptionIsNamed() {
        assertThatThrownBy(() -> Tandem.processes(1).jvmOptions((String) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("jvmOptions must not contain null, was [null]");
        assertThatThrownBy(() -> Tandem.processes(1).jvmOptions((String[]) null))
                .hasMessage("jvmOptions must not be null");
        assertThatThrownBy(() -> Tandem.processes(1).classPath("a.jar", null))
                .hasMessage("classPath must not contain null, was [a.jar, null]");
        assertThatThrownBy(() -> Tandem.processes(1).allowClasses((String) null))
                .hasMessage("allowClasses must not contain null, was [null]");
        assertThatThrownBy(() -> Tandem.processes(1).taskTimeout(null)).hasMessageContaining("taskTimeout");
        assertThatThrownBy(() -> Tandem.processes(1).workerStartTimeout(null))
                .hasMessageContaining("workerStartTimeout");
        assertThatThrownBy(() -> Tandem.processes(1).restartLimit(1, null)).hasMessageContaining("restartLimit");
        assertThatThrownBy(() -> Tandem.processes(1).restartBackoff(null, Duration.ZERO))
                .hasMessageContaining("restartBackoff");
        assertThatThrownBy(() -> Tandem.processes(1).transport(null)).hasMessageContaining("transport");
        assertThatThrownBy(() -> Tandem.processes(1).initializer(null)).hasMessageContaining("initializer");
    }

    @Test
    void processOnlyOptionsAreRefusedForThreadPoolsInsteadOfIgnored() {
        assertThatThrownBy(() -> Tandem.threads(2).jvmOptions("-Xmx1g").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[jvmOptions] apply only to process, hybrid and cluster pools")
                .hasMessageContaining("Tandem.processes(n)");
    }

    @Test
    void inheritingSystemPropertiesIsAnIsolatedModesOption() {
        assertThatThrownBy(() ->
                        Tandem.virtualThreads().inheritSystemProperties(false).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[inheritSystemProperties] apply only to process, hybrid and cluster pools");
        assertThat(Tandem.hybrid(1, 2).inheritSystemProperties(false).options().inheritSystemProperties())
                .isFalse();
    }

    @Test
    void theClassPathCannotBeSetThroughJvmOptions() {
        assertThatThrownBy(() -> Tandem.processes(1).jvmOptions("-cp", "x.jar").options())
                .hasMessageContaining("must not set the class path");
    }

    @Test
    void defaultsAreSensibleAndVisible() {
        PoolOptions o = Tandem.hybrid(3, 4).options();
        assertThat(o.mode()).isEqualTo(Mode.HYBRID);
        assertThat(o.parallelism()).isEqualTo(12);
        assertThat(o.taskTimeout()).isNull();
        assertThat(o.workerStartTimeout()).isPositive();
        assertThat(o.poisonThreshold()).isEqualTo(3);
        assertThat(o.transport()).isEqualTo(Transport.SOCKET);
        assertThat(o.inheritSystemProperties()).isTrue();
        assertThat(Tandem.virtualThreads().options().parallelism()).isEqualTo(Integer.MAX_VALUE);
    }
}
