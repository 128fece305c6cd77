package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 (robustness §1): a planned exit (close, shutdown, recycle) of a worker that does not exit
 * after EXIT (a shutdown hook that blocks for ever, a process frozen by SIGSTOP) hung {@code close()}
 * for ever, piled up recycled workers, and left them alive after the caller died. Now the worker's
 * watchdog halts it after a grace, the caller kills its process tree a little later, and a worker
 * whose caller died halts even inside {@link System#exit}.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PlannedExitTest {
    /** Far above the grace (5 s, then the caller's kill at 7 s), for a loaded machine. */
    private static final long BOUND_SECONDS = 90;

    Transport transport() {
        return Transport.SOCKET;
    }

    /** A task that leaves a shutdown hook that never ends; returns its worker's pid. */
    static long hangAtExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("HOOK-RUNNING");
            System.out.flush();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return ProcessHandle.current().pid();
    }

    /** Closes {@code pool} on another thread and fails unless that ends within the bound. */
    private static void closeWithinBound(TaskPool pool) throws Exception {
        CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);
        try {
            closing.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("close() did not return within " + BOUND_SECONDS + " s: " + pool, e);
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    private static void assertEnded(List<Long> pids) throws Exception {
        for (long pid : pids) {
            ProcessHandle h = ProcessHandle.of(pid).orElse(null);
            if (h != null) {
                h.onExit().get(BOUND_SECONDS, TimeUnit.SECONDS); // the pool reaped it: it is gone already
            }
        }
    }

    /** Something a test does to a fresh pool before it closes it; returns the pids to see end. */
    private interface Setup {
        List<Long> apply(TaskPool pool) throws Exception;
    }

    /**
     * Closes every pool at once, each on a thread of its own (their graces run side by side, not one
     * after another), and fails unless every close ends within the bound.
     */
    private static void closeAllWithinBound(List<TaskPool> pools) throws Exception {
        Executor ownThread = r -> Thread.ofPlatform().daemon().name("close").start(r);
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (TaskPool pool : pools) {
            closing.add(CompletableFuture.runAsync(pool::close, ownThread));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        for (int i = 0; i < pools.size(); i++) {
            try {
                closing.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("close() did not return within " + BOUND_SECONDS + " s: " + pools.get(i), e);
            }
            assertThat(pools.get(i).isTerminated()).isTrue();
        }
    }

    private static List<Long> hookedWorker(TaskPool pool) throws Exception {
        return List.of(pool.submit(PlannedExitTest::hangAtExit).get(BOUND_SECONDS, TimeUnit.SECONDS));
    }

    private static List<Long> frozenWorkers(TaskPool pool) throws Exception {
        List<Long> pids = new ArrayList<>(pool.workerPids());
        for (long pid : pids) {
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
            assertThat(stop.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(stop.exitValue()).isZero();
        }
        return pids;
    }

    /**
     * Both kinds of worker that do not exit when asked, stuck in a shutdown hook and frozen by
     * SIGSTOP, in processes and hybrid mode: four pools, closed at once, and every worker ended.
     */
    @Test
    void closeEndsWorkersStuckInAShutdownHookOrFrozen() throws Exception {
        List<TaskPool> pools = new ArrayList<>();
        try {
            List<Long> pids = new ArrayList<>();
            for (Setup setup : List.<Setup>of(PlannedExitTest::hookedWorker, PlannedExitTest::frozenWorkers)) {
                for (Tandem.Builder builder : List.of(Tandem.processes(1), Tandem.hybrid(2, 2))) {
                    TaskPool pool =
                            builder.transport(transport()).aotCache(false).start();
                    pools.add(pool);
                    pids.addAll(setup.apply(pool));
                }
            }
            closeAllWithinBound(pools);
            assertEnded(pids);
        } finally {
            for (TaskPool pool : pools) {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void recycledWorkersStuckInAShutdownHookDoNotPileUp() throws Exception {
        TaskPool pool = Tandem.processes(1)
                .maxTasksPerWorker(1)
                .transport(transport())
                .aotCache(false)
                .start();
        List<Long> pids = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                pids.add(pool.submit(PlannedExitTest::hangAtExit).get(BOUND_SECONDS, TimeUnit.SECONDS));
            }
            assertThat(pids).doesNotHaveDuplicates();
            // Every recycled worker ends within its grace, while the pool runs on.
            assertEnded(pids.subList(0, 4));
            closeWithinBound(pool);
            assertEnded(pids);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWorkerStuckInItsExitDoesNotOutliveItsKilledCaller() throws Exception {
        List<String> cmd = List.of(
                System.getProperty("java.home") + "/bin/java",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                HookedCaller.class.getName(),
                transport().name());
        Process caller = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8));
            long pid = -1;
            String line;
            while ((line = out.readLine()) != null && !line.contains("HOOK-RUNNING")) {
                System.out.println("[hooked caller] " + line);
                if (line.startsWith("PID ")) {
                    pid = Long.parseLong(line.substring(4).strip());
                }
            }
            assertThat(line).as("the worker's hook ran").isNotNull();
            assertThat(pid).isPositive();
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            caller.destroyForcibly().waitFor();
            ProcessFailureTest.awaitExitOrZombie(worker, System.nanoTime(), TimeUnit.SECONDS.toNanos(BOUND_SECONDS));
        } finally {
            caller.destroyForcibly();
            caller.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
