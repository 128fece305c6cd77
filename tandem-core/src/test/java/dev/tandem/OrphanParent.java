package dev.tandem;

import java.util.concurrent.CountDownLatch;

/**
 * Main class of a JVM that starts a process pool, prints its workers' pids and then waits forever:
 * the orphan test kills this JVM with SIGKILL and checks that the workers exit by themselves.
 */
public final class OrphanParent {
    private OrphanParent() {}

    public static void main(String[] args) throws Exception {
        TaskPool pool = Tandem.processes(2).start();
        System.out.println("PIDS "
                + pool.workerPids().stream()
                        .map(String::valueOf)
                        .reduce((a, b) -> a + "," + b)
                        .orElseThrow());
        System.out.flush();
        new CountDownLatch(1).await(); // the workload: wait to be killed
    }
}
