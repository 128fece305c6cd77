package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.Mode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Tandem.localCluster(n)} end to end: it starts its nodes, runs tasks on them, and stops them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalClusterTest {
    @Test
    void aLocalClusterRunsTasksInWorkerJvmsOfItsNodesAndLeavesNoProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        try (TaskPool pool = Tandem.localCluster(2).start()) {
            assertThat(pool.mode()).isEqualTo(Mode.CLUSTER);
            Future<Long> pid = pool.submit(() -> ProcessHandle.current().pid());
            assertThat(pid.get()).isNotEqualTo(self);
            List<Long> squares = pool.map(x -> (long) x * x, List.of(1, 2, 3));
            assertThat(squares).containsExactly(1L, 4L, 9L);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }
}
