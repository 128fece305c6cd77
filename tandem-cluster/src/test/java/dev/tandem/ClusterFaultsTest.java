package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Node;
import dev.tandem.cluster.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures that leave the nodes standing, on two nodes shared by the class (with a class-path cache
 * of their own): a worker JVM that dies on a node, a task past its timeout, a wrong or missing
 * secret, an altered class-path cache, and a caller killed while its task runs. Each ends in a
 * typed exception, or (the dead caller) in its workers stopped, within a bound.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFaultsTest {
    private Path cache;
    private TestNodes nodes;

    @BeforeAll
    void startNodes() throws IOException {
        cache = Files.createTempDirectory("tandem-cluster-cache");
        nodes = TestNodes.start(2, cache);
        NoStrayProcesses.KEPT.addAll(nodes.pids());
    }

    @AfterAll
    void stopNodes() throws IOException {
        if (nodes != null) {
            nodes.close();
            NoStrayProcesses.KEPT.removeAll(nodes.pids());
        }
        try (Stream<Path> files = Files.walk(cache)) {
            for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A caller with the default {@code nodeFailureTimeout} (10 s), as in NodeLossTest: none of these
     * cases waits for a lease to run out, and 5 s let a caller starved of CPU lose its session (a
     * build of two modules at a time on a loaded machine: "task #1 was cancelled on node").
     */
    private Tandem.Builder cluster() {
        return nodes.caller();
    }

    @Test
    void aWorkerJvmThatDiesOnANodeIsAWorkerLostExceptionNamingTheNodeAndTheNodeReplacesIt() throws Exception {
        try (TaskPool pool = cluster().start()) {
            Future<Integer> exits = pool.submit(() -> {
                System.exit(3);
                return 0;
            });
            ExecutionException e = Assertions.assertThrows(ExecutionException.class, exits::get);
            assertThat(e.getCause()).isExactlyInstanceOf(WorkerLostException.class);
            WorkerLostException lost = (WorkerLostException) e.getCause();
            assertThat(lost.exitCode()).hasValue(3);
            assertThat(lost.node()).isPresent();
            assertThat(List.of(nodes.seeds())).contains(lost.node().orElseThrow());
            assertThat(lost.getMessage()).contains("on node " + lost.node().orElseThrow());
            assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
        }
    }

    /**
     * Issue 9 (map): on nodes too, a batch whose outputs outgrow a node worker's heap stops early
     * (the bound runs in the node's worker JVM) and a batch lost with its worker is split in the
     * caller down to the input that kills it alone, which the failure names.
     */
    @Test
    void aMapOnNodesStopsGrowingBatchesEarlyAndNamesTheInputThatKillsItsWorker() {
        try (TaskPool pool = cluster().jvmOptions("-Xmx64m").start()) {
            List<byte[]> out = pool.map(
                    x -> new byte[x < 500 ? 16 : 1 << 20],
                    IntStream.range(0, 560).boxed().toList());
            assertThat(out).hasSize(560);
            assertThat(out.get(559)).hasSize(1 << 20);
            assertThatThrownBy(() -> pool.map(
                            x -> x == 150 ? new long[16 << 20].length : x,
                            IntStream.range(0, 300).boxed().toList()))
                    .isInstanceOfSatisfying(TaskExecutionException.class, e -> {
                        assertThat(e.inputIndex()).isEqualTo(150);
                        assertThat(e.getCause()).isInstanceOf(WorkerLostException.class);
                    });
        }
    }

    @Test
    void aTaskPastItsTimeoutFailsWithTaskTimeoutExceptionAndTheNodeKillsItsWorker() throws Exception {
        try (TaskPool pool = cluster().taskTimeout(Duration.ofMillis(500)).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            Future<Long> spins = pool.submit(() -> {
                s.running();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return ProcessHandle.current().pid();
            });
            signal.awaitRunning(60);
            ExecutionException e = Assertions.assertThrows(ExecutionException.class, spins::get);
            assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("timed out");
            assertThat(pool.submit(() -> 8).get()).isEqualTo(8);
        }
    }

    @Test
    void aWrongSecretFailsTheStartAtOnceNamingTheSecret() throws IOException {
        Path wrong = Files.createTempFile(
                "tandem-wrong",
                ".key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(wrong, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
            // A refusal is definite: start() does not wait out the (long) start timeout.
            assertThatThrownBy(() -> cluster()
                            .secretFile(wrong)
                            .workerStartTimeout(Duration.ofMinutes(10))
                            .start())
                    .isInstanceOf(WorkerStartException.class)
                    .hasMessageContaining("refused this caller's secret")
                    .hasMessageContaining(wrong.toString())
                    .hasMessageContaining("with another --secret-file, or without one");
        } finally {
            Files.deleteIfExists(wrong);
        }
    }

    /** Was: a caller told to check "this --cluster-name", a flag of the nodes; a caller sets clusterName(...). */
    @Test
    void aSeedWithNothingListeningFailsTheStartNamingTheCallersOwnClusterNameOption() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        assertThatThrownBy(() -> Tandem.cluster("127.0.0.1:" + free)
                        .workerStartTimeout(Duration.ofSeconds(2))
                        .start())
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("cannot connect to cluster")
                .hasMessageContaining("127.0.0.1:" + free)
                .hasMessageContaining("clusterName(...) here");
    }

    @Test
    void aCallerWithoutTheSecretFailsTheStartAtOnce() {
        assertThatThrownBy(() -> Tandem.cluster(nodes.seeds())
                        .clusterName(nodes.name())
                        .workerStartTimeout(Duration.ofMinutes(10))
                        .start())
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("refused this caller's secret")
                .hasMessageContaining("no secret")
                .hasMessageContaining("give this caller the same file (secretFile(path))")
                .hasMessageNotContaining("another --secret-file");
    }

    @Test
    void anAlteredClassPathCacheIsRefusedAtStartNamingTheEntry() throws Exception {
        try (TaskPool pool = cluster().start()) {
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1); // the class path is now cached
        }
        Path victim;
        try (Stream<Path> jars = Files.list(cache)) {
            victim = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        byte[] original = Files.readAllBytes(victim);
        Files.write(victim, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        try {
            assertThatThrownBy(() -> cluster().start())
                    .isInstanceOf(WorkerStartException.class)
                    .hasMessageContaining(victim.getFileName().toString().replace(".jar", ""))
                    .hasMessageContaining("does not match");
        } finally {
            Files.write(victim, original);
        }
        try (TaskPool pool = cluster().start()) {
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
    }

    @Test
    void aKilledCallersWorkersAreStoppedByTheNodes(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("worker.pid");
        try (RunningSignal signal = new RunningSignal()) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Node.JVM_FLAGS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), DyingCaller.class.getName()));
            command.addAll(List.of(nodes.name(), nodes.secretFile().toString(), pidFile.toString()));
            command.add(Integer.toString(signal.signal().port()));
            command.addAll(List.of(nodes.seeds()));
            Process caller = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("caller.out").toFile())
                    .start();
            try {
                signal.awaitRunning(90);
                ProcessHandle worker = ProcessHandle.of(Long.parseLong(Files.readString(pidFile)))
                        .orElseThrow();
                caller.destroyForcibly(); // SIGKILL: the caller says nothing more
                // Its lease runs out after its nodeFailureTimeout; the node then kills its workers.
                worker.onExit().get(90, TimeUnit.SECONDS);
                assertThat(worker.isAlive()).isFalse();
                for (long pid : nodes.pids()) {
                    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                            .hasValue(true);
                }
            } finally {
                caller.destroyForcibly();
                caller.waitFor(10, TimeUnit.SECONDS);
                System.out.println(Files.readString(dir.resolve("caller.out")));
            }
        }
    }
}
