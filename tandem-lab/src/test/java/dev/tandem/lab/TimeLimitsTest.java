package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Tandem;
import dev.tandem.measure.Pace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time limits scale with the machine's measured speed (issue 13). The regression: {@code --self-check}
 * started its worker JVMs under Tandem's fixed 30 s start timeout, whatever the machine's pace.
 */
class TimeLimitsTest {
    /** A wait bounded by a number typed into the code rather than by a {@link Pace.Limit}. */
    private static final Pattern FIXED = Pattern.compile(
            "(waitFor|await|join|get|awaitTermination|sleep)\\(\\s*\\d[\\d_]*L?\\s*,\\s*TimeUnit\\.(SECONDS|MINUTES|HOURS)"
                    + "|(waitFor|await|join|sleep|get)\\(\\s*Duration\\.of(Seconds|Minutes|Millis)\\(\\s*\\d"
                    + "|nanoTime\\(\\)\\s*\\+\\s*TimeUnit\\.(SECONDS|MINUTES)\\.toNanos\\(\\s*\\d");

    @Test
    void selfCheckWorkerStartTimeoutStretchesWithTheMeasuredPace(@TempDir Path tmp) {
        Pace busy = new Pace(0.25);
        for (String executor : List.of("processes", "processes-shm", "cluster")) {
            assertThat(PoolProbe.builder(executor, tmp, busy).options().workerStartTimeout())
                    .as(executor)
                    .isEqualTo(Pace.Limit.WORKER_START.quiet().multipliedBy(4));
        }
        assertThat(PoolProbe.builder("threads", tmp, busy).options().mode().isolated())
                .as("a thread pool has no worker JVM to start")
                .isFalse();
    }

    @Test
    void everyLabPoolWithWorkerJvmsStretchesItsStartTimeoutUnlessOneWasChosen() {
        Pace busy = new Pace(0.5);
        assertThat(Bench.paced(Tandem.processes(2), busy).options().workerStartTimeout())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(Bench.paced(Tandem.hybrid(1, 2), busy).options().workerStartTimeout())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(Bench.paced(Tandem.processes(1).workerStartTimeout(Duration.ofSeconds(5)), busy)
                        .options()
                        .workerStartTimeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(Bench.paced(Tandem.threads(2), busy).options().mode().isolated())
                .isFalse();
    }

    @Test
    void noWaitInTheLabOrTheAdvisorIsBoundedByAFixedNumber() throws IOException {
        List<String> fixed = new ArrayList<>();
        for (String module : List.of("../tandem-lab", "../tandem-advisor", "../tandem-measure")) {
            Path src = Path.of(module, "src", "main", "java");
            assertThat(src).as("sources of " + module).isDirectory();
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (FIXED.matcher(lines.get(i)).find()) {
                            fixed.add(f.getFileName() + ":" + (i + 1) + ": "
                                    + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertThat(fixed).as("waits with a fixed bound; use a Pace.Limit").isEmpty();
    }
}
