package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a local cluster's nodes are started (again on new ports when one was taken) and stopped:
 * promptly, the AOT cache's training node included.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalNodesTest {
    /**
     * What broke: the first {@code close()} of a local cluster waited (up to 60 s) for its first node
     * to write the nodes' AOT cache as it exited. Now close returns while that node still writes, and
     * the cache is published once it exited cleanly. The node here is a stand-in that ends only when
     * told to, so close could not return if it waited for it.
     */
    @Test
    void closeDoesNotWaitForTheNodeWritingTheAotCacheAndPublishesTheCacheWhenThatNodeExits(@TempDir Path dir)
            throws Exception {
        Path cache = dir.resolve("node-test.aot");
        Path training =
                dir.resolve("node-test.aot.tmp-" + ProcessHandle.current().pid() + "-1");
        Path told = dir.resolve("told");
        Process trainer =
                new ProcessBuilder("sh", "-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done", told.toString()).start();
        try {
            LocalNodes nodes =
                    new LocalNodes(List.of(new LocalNodes.Child(1, 0, trainer)), new NodeAotCache(cache, training));
            nodes.close();
            assertThat(trainer.isAlive())
                    .as("close() returned while the node still wrote the cache")
                    .isTrue();
            assertThat(nodes.trainedFuture()).isNotDone();
            Files.writeString(training, "the cache");
            Files.writeString(told, "exit");
            nodes.trainedFuture().get(30, TimeUnit.SECONDS);
            assertThat(trainer.exitValue()).isZero();
            assertThat(cache).hasContent("the cache");
            assertThat(training).doesNotExist();
        } finally {
            trainer.destroyForcibly();
        }
    }

    /**
     * What broke with two test JVMs: a node's port, free when picked, was taken (by another local
     * cluster's node) before the node bound it a second later, and the whole start failed. Now the
     * nodes start again on new ports. Here this test holds the port the first attempt gives node 2.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aNodeWhosePortWasTakenBeforeItBoundItMakesTheNodesStartAgainOnNewPorts(@TempDir Path cache) throws Exception {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        String name = "tandem-test-" + HexFormat.of().formatHex(random, 0, 6);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<List<Integer>> picked = new ArrayList<>();
            LocalNodes.PortPicker ports = n -> {
                List<Integer> p = new ArrayList<>(LocalNodes.freePorts(n));
                if (picked.isEmpty()) {
                    p.set(n - 1, taken.getLocalPort());
                }
                picked.add(p);
                return p;
            };
            LocalNodes nodes = LocalNodes.start(2, name, secret, TimeUnit.SECONDS.toNanos(150), cache, false, ports);
            try {
                assertThat(picked).as("ports picked per attempt").hasSize(2);
                assertThat(nodes.addresses())
                        .hasSize(2)
                        .containsExactlyElementsOf(picked.get(1).stream()
                                .map(p -> "127.0.0.1:" + p)
                                .toList());
                assertThat(nodes.children()).allMatch(c -> c.process.isAlive());
            } finally {
                nodes.close();
            }
            for (LocalNodes.Child c : nodes.children()) {
                assertThat(c.awaitOutputEnd(30, TimeUnit.SECONDS)).isTrue();
            }
            // What was noisy: each node of a local cluster printed Hazelcast's "Terminating forcefully..."
            // warning as it stopped, into the caller's output.
            assertThat(nodes.tails())
                    .as("the nodes' output as they stopped")
                    .doesNotContain("Terminating forcefully")
                    .contains("[tandem node] node 127.0.0.1:"); // each says so as the other joins or leaves
        }
    }
}
