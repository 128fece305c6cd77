package dev.tandem.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A task that starts a process and returns left one per call behind the advisor (255 sleeps after one run). */
@Timeout(30)
class OrphansTest {

    @Test
    void aChildStartedDuringTheRunIsKilledAndCounted() throws Exception {
        Process exempt = new ProcessBuilder("sleep", "60").start();
        try {
            Orphans orphans = Orphans.watch();
            Process left = new ProcessBuilder("sleep", "987").start();
            assertEquals(
                    List.of(left.pid()),
                    orphans.left().stream().map(ProcessHandle::pid).toList());
            assertEquals(1, orphans.reap());
            left.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(left.isAlive(), "the task's child outlived the run");
            assertTrue(exempt.isAlive(), "a process running before the run is not the run's to end");
            assertEquals(0, orphans.reap());
        } finally {
            exempt.destroyForcibly();
        }
    }

    @Test
    void aChildOfAWorkerJvmOutlivedTheWorkerAndThenTheRun() throws Exception {
        // ext.Spawner under processes(2): the sleeps of lost worker JVMs passed to init, out of reach
        Orphans orphans = Orphans.watch();
        Process worker = new ProcessBuilder("sh", "-c", "sleep 987 & echo $!; wait").start();
        long pid;
        try (BufferedReader out = worker.inputReader()) {
            pid = Long.parseLong(out.readLine().trim());
        }
        ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
        orphans.note();
        worker.destroyForcibly();
        worker.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(child.isAlive(), "the worker's child outlives the worker");
        assertEquals(1, orphans.reap());
        child.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(child.isAlive());
    }

    @Test
    void theVerdictWarnsOfChildProcessesLeftBehind() {
        String text = Conductor.orphansText(255);
        assertTrue(text.startsWith("the task leaves child processes behind: 255 were still running"), text);
    }
}
