package dev.tandem;

import dev.tandem.cluster.Node;
import dev.tandem.cluster.TestNodes;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The whole {@link TaskPool} contract ({@link PoolContractTest}) on the cluster mode: two node JVMs
 * on 127.0.0.1, started once for the class as {@code Tandem.localCluster(2)} starts its nodes, with a
 * random cluster name and secret; each test's pool is a caller with one worker JVM of one thread on
 * each node ({@code perNode(1, 1)}, parallelism 2).
 */
class ClusterContractTest extends PoolContractTest {
    private TestNodes nodes;

    @BeforeAll
    void startNodes() throws IOException {
        nodes = TestNodes.start(2, Node.Settings.defaultCacheDir());
        NoStrayProcesses.KEPT.addAll(nodes.pids());
    }

    @AfterAll
    void stopNodes() throws IOException {
        if (nodes != null) {
            nodes.close();
            NoStrayProcesses.KEPT.removeAll(nodes.pids());
        }
    }

    @Override
    Stream<Arguments> modes() {
        return Stream.of(Arguments.of(Mode.CLUSTER, Transport.SOCKET));
    }

    @Override
    Tandem.Builder builder(Mode mode, Transport transport) {
        return nodes.caller();
    }
}
