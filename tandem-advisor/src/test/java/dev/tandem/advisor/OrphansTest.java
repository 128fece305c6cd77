package dev.tandem.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void theVerdictWarnsOfChildProcessesLeftBehind() {
        String text = Conductor.orphansText(255);
        assertTrue(text.startsWith("the task leaves child processes behind: 255 were still running"), text);
    }
}
