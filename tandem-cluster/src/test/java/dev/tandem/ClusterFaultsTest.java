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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
                    .hasMessageContaining("started with another --secret-file");
        } finally {
            Files.deleteIfExists(wrong);
        }
    }

    /** Counts the records Hazelcast's loggers publish at WARNING or above while it is installed. */
    static final class HazelcastRecords extends Handler implements AutoCloseable {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final Logger hazelcast = Logger.getLogger("com.hazelcast");

        HazelcastRecords() {
            hazelcast.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                seen.add(r.getLoggerName() + ": " + r.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            hazelcast.removeHandler(this);
        }
    }

    /**
     * What broke: a seed with nothing listening made start() wait its whole start timeout (30 s by
     * default; 10 min here) while Hazelcast logged two warnings per connection attempt, a few hundred
     * in all, before its one line. A refused connection on every seed is definite: the start fails
     * within seconds, naming the seed and what to do, and Hazelcast says nothing. (Was also: a caller
     * told to check "this --cluster-name", a flag of the nodes.)
     */
    @Test
    void aSeedWithNothingListeningFailsTheStartWithinSecondsWithoutHazelcastsLogLines() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        try (HazelcastRecords records = new HazelcastRecords()) {
            WorkerStartException e = Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> Assertions.assertThrows(
                            WorkerStartException.class,
                            () -> Tandem.cluster("127.0.0.1:" + free)
                                    .workerStartTimeout(Duration.ofMinutes(10))
                                    .start()),
                    "start() waited for a seed where nothing listens");
            assertThat(e)
                    .hasMessageContaining("cannot connect to cluster 'tandem'")
                    .hasMessageContaining("nothing listens at 127.0.0.1:" + free + " (connection refused)")
                    .hasMessageContaining("tandem node");
            assertThat(records.seen).as("Hazelcast's own lines").isEmpty();
        }
    }

    /**
     * What broke: a caller whose cluster name the nodes rejected (they run another --cluster-name)
     * waited its whole start timeout, the nodes' rejection repeated at every attempt. It fails within
     * seconds, naming the address, the name and clusterName(...).
     */
    @Test
    void aCallerWithAnotherClusterNameFailsTheStartWithinSecondsNamingClusterName() {
        String other = "not-" + nodes.name();
        try (HazelcastRecords records = new HazelcastRecords()) {
            WorkerStartException e = Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> Assertions.assertThrows(
                            WorkerStartException.class,
                            () -> cluster()
                                    .clusterName(other)
                                    .workerStartTimeout(Duration.ofMinutes(10))
                                    .start()),
                    "start() waited for nodes that reject its cluster name");
            assertThat(e)
                    .hasMessageContaining(nodes.seeds()[0] + " rejected the cluster name '" + other + "'")
                    .hasMessageContaining("clusterName(...)");
            assertThat(records.seen).as("Hazelcast's own lines").isEmpty();
        }
    }

    /**
     * What broke: a node started without the cluster's secret (or with another one) joined it
     * silently: Hazelcast's Community Edition does not authenticate members. Such a node now refuses
     * to serve as it joins: one line naming --secret-file and what to do, exit code 2; the nodes
     * there say so in one line each and keep serving. Both kinds run at once here.
     */
    @Test
    void aNodeWithoutTheSecretOrWithAnotherThatJoinsRefusesToServeAndExitsWithCode2(@TempDir Path dir)
            throws Exception {
        Path other = dir.resolve("other.key");
        Files.writeString(
                other,
                "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n",
                StandardOpenOption.CREATE_NEW);
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        List<Process> rogues = new ArrayList<>();
        List<Path> errs = List.of(dir.resolve("none.err"), dir.resolve("other.err"));
        try {
            for (int i = 0; i < 2; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                List<String> command = new ArrayList<>();
                command.add(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(Node.JVM_FLAGS);
                command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
                command.addAll(List.of(Node.class.getName(), "--port", Integer.toString(port)));
                command.addAll(List.of("--join", nodes.seeds()[0], "--cluster-name", nodes.name()));
                command.addAll(List.of("--cache", dir.resolve("cache").toString()));
                if (i == 1) {
                    command.addAll(List.of("--secret-file", other.toString()));
                }
                rogues.add(new ProcessBuilder(command)
                        .redirectOutput(dir.resolve(i + ".out").toFile())
                        .redirectError(errs.get(i).toFile())
                        .start());
            }
            for (int i = 0; i < 2; i++) {
                Process rogue = rogues.get(i);
                assertThat(rogue.waitFor(90, TimeUnit.SECONDS))
                        .as(
                                "node %d stopped; its output:%n%s%nthe nodes':%n%s",
                                i, Files.readString(errs.get(i)), nodes.tails())
                        .isTrue();
                String err = Files.readString(errs.get(i));
                assertThat(rogue.exitValue()).as(err).isEqualTo(2);
                assertThat(err)
                        .contains("tandem node: refused to join cluster '" + nodes.name() + "' at ")
                        .contains(i == 0 ? "has a secret and this one has none" : "has another secret")
                        .contains("--secret-file");
            }
            assertThat(nodes.tails()).contains("but has no secret and this one has one (--secret-file): refused");
            try (TaskPool pool = cluster().start()) {
                assertThat(pool.submit(() -> 9).get()).isEqualTo(9);
            }
        } finally {
            for (Process rogue : rogues) {
                rogue.destroyForcibly();
                rogue.waitFor(10, TimeUnit.SECONDS);
            }
        }
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
