package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.Node;
import dev.tandem.cluster.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed (SIGKILL) or frozen (SIGSTOP, then SIGCONT) while it runs a task: the task fails
 * with {@link NodeLostException} naming the node, how the loss was seen and whether the task may
 * still run there, or runs again on the other node with {@code retriesOnWorkerLoss}; a frozen node
 * that comes back stops the abandoned attempt, starts none of those queued behind it, and takes new
 * work; a pool left without nodes waits for them up to its cluster limit, then fails naming the
 * nodes lost. Each test starts its own nodes (they get killed) and stops them; the nodes' output is printed if a test fails.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NodeLossTest {
    /**
     * A caller with the default {@code nodeFailureTimeout} (10 s): a shorter one lets a loaded
     * machine's pauses (a caller starved of CPU for seconds) end sessions no test meant to end.
     */
    static Tandem.Builder cluster(TestNodes nodes) {
        return nodes.caller();
    }

    @Test
    void aNodeKilledMidTaskFailsItsTaskWithNodeLostExceptionAndTheOtherNodeGoesOn() throws Exception {
        try (TestNodes nodes = TestNodes.start(2, Node.Settings.defaultCacheDir());
                RunningSignal signal = new RunningSignal();
                TaskPool pool = cluster(nodes).start()) {
            RunningSignal.Signal s = signal.signal();
            List<Future<Long>> running = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                running.add(pool.submit(() -> {
                    s.running();
                    RunningSignal.blockUntilStopped();
                    return 0L;
                }));
            }
            signal.awaitRunning(60);
            signal.awaitRunning(60);
            Process killed = nodes.processes().get(0);
            killed.destroyForcibly();
            String name = nodes.seeds()[0];
            // Wait (bounded) for the first of them to end: the task of the killed node.
            Future<Long> ended = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ended == null && System.nanoTime() < deadline) {
                for (Future<Long> f : running) {
                    try {
                        f.get(100, TimeUnit.MILLISECONDS);
                        ended = f;
                    } catch (ExecutionException e) {
                        ended = f;
                    } catch (TimeoutException e) {
                        // still running
                    }
                }
            }
            assertThat(ended).as("a task ended").isNotNull();
            NodeLostException lost = (NodeLostException) Assertions.assertThrows(ExecutionException.class, ended::get)
                    .getCause();
            Future<Long> survivor = running.get(0) == ended ? running.get(1) : running.get(0);
            assertThat(lost).isNotNull();
            assertThat(lost.node()).contains(name);
            assertThat(lost.mayStillRun()).isFalse();
            assertThat(lost.getMessage()).contains(name).contains(lost.detection());
            assertThat(survivor).as("the task on the other node runs on").isNotNull();
            assertThat(survivor.isDone()).isFalse();
            survivor.cancel(true);
            assertThat(pool.submit(() -> 5).get(60, TimeUnit.SECONDS)).isEqualTo(5);
        }
    }

    @Test
    void withRetriesATaskOfAKilledNodeRunsAgainOnTheOtherNode() throws Exception {
        try (TestNodes nodes = TestNodes.start(2, Node.Settings.defaultCacheDir());
                RunningSignal signal = new RunningSignal();
                TaskPool pool = cluster(nodes).retriesOnWorkerLoss(2).start()) {
            RunningSignal.Signal s = signal.signal();
            List<Future<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int n = i;
                tasks.add(pool.submit(() -> {
                    s.running();
                    new CountDownLatch(1).await(2, TimeUnit.SECONDS);
                    return "done " + n;
                }));
            }
            signal.awaitRunning(60);
            signal.awaitRunning(60);
            nodes.processes().get(0).destroyForcibly();
            assertThat(tasks.get(0).get(90, TimeUnit.SECONDS)).isEqualTo("done 0");
            assertThat(tasks.get(1).get(90, TimeUnit.SECONDS)).isEqualTo("done 1");
        }
    }

    /**
     * A pool whose only node is killed, with retries: the task waits for a node (it is retried, not
     * failed), and when none comes back within the cluster's limit (workerStartTimeout + 4 x
     * nodeFailureTimeout, here 15 + 8 s) the pool fails with {@link PoolFailedException} naming the
     * cluster, the node lost and how. Nothing stays pending.
     */
    @Test
    void aPoolLeftWithoutNodesWaitsItsClusterLimitThenFailsNamingTheNodesLost() throws Exception {
        try (TestNodes nodes = TestNodes.start(1, Node.Settings.defaultCacheDir());
                RunningSignal signal = new RunningSignal();
                TaskPool pool = cluster(nodes)
                        .retriesOnWorkerLoss(3)
                        .nodeFailureTimeout(Duration.ofSeconds(2))
                        .workerStartTimeout(Duration.ofSeconds(15))
                        .restartLimit(1, Duration.ofMinutes(1)) // the second failed start fails the pool
                        .start()) {
            RunningSignal.Signal s = signal.signal();
            Future<Long> f = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0L;
            });
            signal.awaitRunning(60);
            nodes.processes().get(0).destroyForcibly();
            ExecutionException e =
                    Assertions.assertThrows(ExecutionException.class, () -> f.get(120, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(PoolFailedException.class);
            assertThat(e.getCause().getMessage())
                    .contains("no node of cluster '" + nodes.name() + "'")
                    .contains("workerStartTimeout + 4 x nodeFailureTimeout = 23000 ms")
                    .contains("nodes lost: node " + nodes.seeds()[0])
                    .contains("its connection closed");
            Assertions.assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
        }
    }

    /**
     * Fencing: a frozen node's session holds the running task and, behind it, tasks sent ahead (the
     * prefetch window of short tasks). The caller declares the node lost: the running attempt fails
     * as maybe still running, the queued ones go back to the queue and run on the other node. When
     * the node comes back, its caller's lease has run out: it stops the running attempt and starts
     * none of the queued ones (each task leaves a file named after the node and worker that ran it).
     */
    @Test
    void aFrozenNodeFailsItsTaskAsMaybeStillRunningAndStartsNoneOfItsAbandonedAttemptsWhenItComesBack(@TempDir Path dir)
            throws Exception {
        try (TestNodes nodes = TestNodes.start(2, Node.Settings.defaultCacheDir());
                RunningSignal signal = new RunningSignal()) {
            Path started = dir.resolve("started");
            Path finished = dir.resolve("finished");
            String startedName = started.toString();
            String finishedName = finished.toString();
            String dirName = dir.toString();
            RunningSignal.Signal s = signal.signal();
            long nodePid;
            try (TaskPool pool = cluster(nodes).start()) {
                // Short tasks first, so that the conductor sends tasks ahead of the running one.
                List<Task<Integer>> warm = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    warm.add(() -> 0);
                }
                for (Future<Integer> w : pool.invokeAll(warm)) {
                    w.get();
                }
                Future<Integer> f = pool.submit(() -> {
                    ProcessHandle self = ProcessHandle.current();
                    Files.writeString(
                            Path.of(startedName), self.parent().orElseThrow().pid() + " " + self.pid());
                    s.running();
                    new CountDownLatch(1).await(90, TimeUnit.SECONDS); // stopped long before
                    Files.writeString(Path.of(finishedName), "ran to its end");
                    return 1;
                });
                signal.awaitRunning(60);
                String[] pids = Files.readString(started).split(" ");
                nodePid = Long.parseLong(pids[0]);
                long workerPid = Long.parseLong(pids[1]);
                assertThat(nodes.pids()).contains(nodePid);
                signal("STOP", nodePid);
                NodeLostException lost;
                List<Future<Long>> queued = new ArrayList<>();
                try {
                    for (int i = 0; i < 8; i++) {
                        int n = i;
                        queued.add(pool.submit(() -> {
                            long node = ProcessHandle.current()
                                    .parent()
                                    .orElseThrow()
                                    .pid();
                            Files.writeString(Path.of(dirName, "queued-" + n + "-on-" + node), "started");
                            return node;
                        }));
                    }
                    ExecutionException e = Assertions.assertThrows(ExecutionException.class, f::get);
                    lost = (NodeLostException) e.getCause();
                    for (Future<Long> q : queued) {
                        assertThat(q.get(120, TimeUnit.SECONDS))
                                .as("a queued task runs on the node that was not frozen")
                                .isNotEqualTo(nodePid);
                    }
                } finally {
                    signal("CONT", nodePid);
                }
                assertThat(lost.mayStillRun()).isTrue();
                assertThat(lost.getMessage()).contains("may still be running");
                // Back from its freeze, the node finds its caller's lease run out and stops the attempt.
                ProcessHandle.of(workerPid).ifPresent(w -> w.onExit().join());
                assertThat(finished).doesNotExist();
            }
            try (TaskPool again = cluster(nodes).start()) {
                List<Task<Long>> tasks = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    tasks.add(() -> {
                        new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS);
                        return ProcessHandle.current().parent().orElseThrow().pid();
                    });
                }
                List<Long> ran = new ArrayList<>();
                for (Future<Long> r : again.invokeAll(tasks)) {
                    ran.add(r.get());
                }
                assertThat(ran).as("both nodes take work").containsAll(nodes.pids());
            }
            // The node that came back took new work above; none of the abandoned attempts ran there.
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("queued-")))
                        .hasSize(8)
                        .noneMatch(n -> n.endsWith("-on-" + nodePid));
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
