package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The default worker heap: sized from memory and workers, with a floor and a cap; options win. */
class WorkerHeapTest {
    private static final long GIB = 1L << 30;

    @Test
    void halfTheMemoryIsSharedByTheWorkersWithAQuarterAsCapAndAGibibyteAsFloor() {
        assertThat(WorkerHeap.defaultBytes(24 * GIB, 2)).isEqualTo(6 * GIB);
        assertThat(WorkerHeap.defaultBytes(24 * GIB, 1))
                .as("capped at a quarter")
                .isEqualTo(6 * GIB);
        assertThat(WorkerHeap.defaultBytes(24 * GIB, 8)).isEqualTo(24 * GIB / 16);
        assertThat(WorkerHeap.defaultBytes(24 * GIB, 64)).as("the floor").isEqualTo(GIB);
        assertThat(WorkerHeap.defaultBytes(GIB, 4))
                .as("a small machine: half of it")
                .isEqualTo(GIB / 2);
    }

    @Test
    void theLastHeapOptionWinsAsOnTheCommandLine() {
        assertThat(WorkerHeap.maxBytes(List.of("-Xmx6037m", "-Xms8m"))).isEqualTo(6037L << 20);
        assertThat(WorkerHeap.maxBytes(List.of("-Xmx6037m", "-Xmx2g"))).isEqualTo(2 * GIB);
        assertThat(WorkerHeap.maxBytes(List.of("-Xmx6037m", "-XX:MaxHeapSize=1073741824")))
                .isEqualTo(GIB);
        assertThat(WorkerHeap.maxBytes(List.of("-Xmx6037m", "-XX:MaxRAMPercentage=50")))
                .as("a percentage: unknown")
                .isZero();
        assertThat(WorkerHeap.parseSize("512K")).isEqualTo(512L << 10);
        assertThat(WorkerHeap.parseSize("oops")).isZero();
    }

    @Test
    void aPoolsWorkersGetTheDefaultFirstSoThatTheUsersOptionWins() {
        List<String> options = WorkerLauncher.jvmOptions(
                Tandem.processes(2).jvmOptions("-Xmx300m").options());
        assertThat(options.getFirst()).startsWith("-Xmx");
        assertThat(WorkerHeap.maxBytes(options)).isEqualTo(300L << 20);
        assertThat(WorkerHeap.maxBytes(
                        WorkerLauncher.jvmOptions(Tandem.processes(2).options())))
                .isGreaterThanOrEqualTo(Math.min(GIB, WorkerHeap.totalMemory() / 2));
    }
}
