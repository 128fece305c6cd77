package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's start in the node's own JVM ({@code tandem node} calls {@link Node#start}): an address of this
 * machine works, and whatever keeps Hazelcast from starting or joining ends in one line of the node's own,
 * not Hazelcast's log lines and a stack trace.
 */
@Timeout(120)
class NodeStartTest {
    @TempDir
    Path dir;

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        }
    }

    private Node.Settings settings(String bind, int port, List<String> join, String clusterName) {
        return new Node.Settings(bind, port, join, clusterName, null, 2, 0, dir.resolve("cache"), false, false);
    }

    private static String randomName(String prefix) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return prefix + HexFormat.of().formatHex(random);
    }

    /** What Hazelcast logged (through the root logger's handlers) while {@code action} ran. */
    private static List<String> hazelcastLines(ThrowingRunnable action) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLoggerName() != null && r.getLoggerName().startsWith("com.hazelcast")) {
                    lines.add(r.getLevel() + " " + r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        try {
            action.run();
        } finally {
            root.removeHandler(h);
        }
        return lines;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Was: {@code --bind 127.0.0.2} (on lo, 127.0.0.0/8) failed: "No matching network interface found". */
    @Test
    void aNodeBoundToALoopbackAddressOtherThan127001FoundNoMatchingInterface() throws Exception {
        InetAddress address = InetAddress.getByName("127.0.0.2");
        int port = freePort(address);
        try (Node node = Node.start(settings("127.0.0.2", port, List.of(), randomName("t-")))) {
            assertThat(node.name()).isEqualTo("127.0.0.2:" + port);
            assertThat(node.clusterSize()).isEqualTo(1);
        }
    }

    /** Was: two SEVERE lines from Hazelcast and its exception's stack trace (61 lines in all). */
    @Test
    void aNodeHazelcastCouldNotStartLoggedSevereLinesAndThrewItsOwnException() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
            int port = taken.getLocalPort();
            List<String> logged = hazelcastLines(() -> assertThatThrownBy(
                            () -> Node.start(settings("127.0.0.1", port, List.of(), randomName("t-"))))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the node could not start on 127.0.0.1:" + port
                            + " (--bind 127.0.0.1 --port " + port + "): ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                    // a local cluster, reading it, starts its nodes again on other ports
                    .satisfies(e -> assertThat(LocalNodes.portTaken(e.getMessage()))
                            .as(e.getMessage())
                            .isTrue()));
            assertThat(logged).isEmpty();
        }
    }

    /**
     * Was: a node whose {@code --join} seed runs another cluster name logged Hazelcast's warning, said it was
     * "alone in the cluster so far (the nodes of --join join it as they start)" and waited for ever; the seed
     * logged a Hazelcast warning ("Received an invalid join request").
     */
    @Test
    void aNodeWhoseSeedRunsAnotherClusterNameRanOnAloneForEver() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        String name = randomName("t-");
        int port = freePort(loopback);
        CountDownLatch seedSaidSo = new CountDownLatch(1);
        String seedLine = "[tandem node] node 127.0.0.1:" + port
                + " asked to join with another cluster name (--cluster-name): not let in";
        PrintStream out = System.out;
        System.setOut(new PrintStream(out, true) {
            @Override
            public void println(String line) {
                super.println(line);
                if (seedLine.equals(line)) {
                    seedSaidSo.countDown();
                }
            }
        });
        try (Node seed = Node.start(settings("127.0.0.1", freePort(loopback), List.of(), name))) {
            List<String> logged = hazelcastLines(() -> assertThatThrownBy(
                            () -> Node.start(settings("127.0.0.1", port, List.of(seed.name()), "other")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("refused to run alone: the node at " + seed.name() + " (--join) runs another cluster"
                            + " name than 'other' (--cluster-name other); give every node and caller of a cluster the"
                            + " same --cluster-name, or leave that node out of --join"));
            assertThat(seedSaidSo.await(30, TimeUnit.SECONDS))
                    .as("the seed's line")
                    .isTrue();
            assertThat(logged).noneMatch(l -> l.contains("different cluster"));
            assertThat(seed.clusterSize()).isEqualTo(1);
            assertThat(freePortIs(loopback, port))
                    .as("the refused node let its port go")
                    .isTrue();
        } finally {
            System.setOut(out);
        }
    }

    private static boolean freePortIs(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
