package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A local cluster's node copied Hazelcast's warnings to its caller's output (fresh user, session 16:
 * "[node 2] WARNING: ... Suspecting Member ...", "Removing connection ...") after the caller had
 * reported the loss they describe. A JVM started with the nodes' {@link LocalNodes#NODE_FLAGS}
 * prints Hazelcast's errors, not its warnings, and Tandem's own lines as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalNodeLoggingTest {
    /** Logs as a node's Hazelcast and Tandem would, with whatever logging its flags configure. */
    public static void main(String[] args) {
        Logger.getLogger("com.hazelcast.internal.cluster.impl.ClusterHeartbeatManager")
                .warning("Suspecting Member [127.0.0.1]:5702 because it has not sent any heartbeats");
        Logger.getLogger("com.hazelcast.instance.impl.Node").severe("a Hazelcast error");
        Logger.getLogger("dev.tandem.cluster").info("a Tandem line");
    }

    @Test
    void aLocalNodesHazelcastWarningsReachedTheCallersOutput() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(
                LocalNodes.NODE_FLAGS.stream().filter(f -> f.startsWith("-D")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalNodeLoggingTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(out)
                .as(out)
                .doesNotContain("Suspecting Member")
                .contains("SEVERE: a Hazelcast error")
                .contains("INFO: a Tandem line");
    }
}
