package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Node;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's {@code --max-processes} is a limit, and a caller is not made to wait on a limit: a pool that a
 * node cannot take while other pools run there fails its start at once, naming the node, what holds it and
 * what to do.
 */
@Timeout(value = 100, unit = TimeUnit.SECONDS)
class FullNodeTest {
    /**
     * Was: with a node's {@code --max-processes 2} held by another pool, {@code start()} of a
     * {@code perNode(1)} pool waited silently for 70 s (its limit for a pool without nodes), then failed with
     * "room for 0 more worker processes"; the docs say limits are not waited on.
     */
    @Test
    void aStartOnANodeOtherPoolsFillWaitedSilentlyForItsLimit(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String name = "tandem-full-" + port;
        Set<ProcessHandle> before = ProcessHandle.current().descendants().collect(Collectors.toSet());
        try (Node node = Node.start(new Node.Settings(
                        "127.0.0.1", port, List.of(), name, null, 2, 0, dir.resolve("cache"), false, false));
                TaskPool first = Tandem.cluster(node.name())
                        .clusterName(name)
                        .perNode(2, 1)
                        .start()) {
            assertThat(first.submit(() -> 1).get()).isEqualTo(1);
            long began = System.nanoTime();
            // the limit it waited for would be 2 min + 4 x 10 s, past this test's timeout
            assertThatThrownBy(() -> Tandem.cluster(node.name())
                            .clusterName(name)
                            .perNode(1, 1)
                            .workerStartTimeout(Duration.ofMinutes(2))
                            .start()
                            .close())
                    .isInstanceOf(WorkerStartException.class)
                    .hasMessageContaining("node " + node.name() + " is full: running pools (of ")
                    .hasMessageContaining(
                            "hold 2 of its 2 worker processes (--max-processes 2), and this pool asks for 1")
                    .hasMessageContaining("a node does not queue pools");
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(30));
            assertThat(first.submit(() -> 2).get()).isEqualTo(2);
        }
        // the node stopped its workers (they were its children, in this JVM): none is left behind
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            if (!before.contains(p)) {
                assertThat(p.onExit().get(30, TimeUnit.SECONDS).isAlive())
                        .as("pid %d", p.pid())
                        .isFalse();
            }
        }
    }
}
