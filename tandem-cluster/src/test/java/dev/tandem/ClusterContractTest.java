package dev.tandem;

import dev.tandem.cluster.Node;
import dev.tandem.cluster.TestNodes;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The whole {@link TaskPool} contract ({@link PoolContractTest}) on the cluster mode: two node JVMs
 * on 127.0.0.1, started once for the class as {@code Tandem.localCluster(2)} starts its nodes, with a
 * random cluster name and secret; each test's pool is a caller with one worker JVM of one thread on
 * each node ({@code perNode(1, 1)}, parallelism 2); the tests that only run tasks share one such
 * pool, whose worker JVMs on the nodes are kept while it lives.
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
        closeSharedPools(); // before the nodes: JUnit runs this class's @AfterAll before its parent's
        if (nodes != null) {
            nodes.close();
            NoStrayProcesses.KEPT.removeAll(nodes.pids());
        }
    }

    @Override
    Stream<Arguments> modes() {
        return Stream.of(Arguments.of(Mode.CLUSTER, Transport.SOCKET));
    }

    /**
     * {@return the worker JVMs of the nodes, which the shared pool's sessions started} Each test
     * before it ended with no other process of the nodes left (NoStrayProcesses).
     */
    @Override
    Set<Long> processesToKeep(TaskPool pool) {
        Set<Long> kept = new HashSet<>();
        for (long node : nodes.pids()) {
            ProcessHandle.of(node).ifPresent(h -> h.descendants().forEach(d -> kept.add(d.pid())));
        }
        return kept;
    }

    /**
     * {@return the shared pool's builder: without the workers' AOT cache} A node's first session
     * trains that cache with a worker that retires after {@code AotTraining.TASKS} tasks; a
     * replacement would be a process none of the shared pool's tests started, a stray.
     */
    @Override
    Tandem.Builder sharedBuilder(Mode mode, Transport transport) {
        return builder(mode, transport).aotCache(false);
    }

    @Override
    Tandem.Builder builder(Mode mode, Transport transport) {
        return nodes.caller();
    }
}
