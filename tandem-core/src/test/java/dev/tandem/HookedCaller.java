package dev.tandem;

import java.util.concurrent.CountDownLatch;

/**
 * Main class of a caller JVM whose worker is stuck in a shutdown hook: it prints its worker's pid,
 * shuts the pool down (the worker gets EXIT and blocks in the hook) and waits to be killed. The test
 * kills it with SIGKILL once the hook runs and checks that the worker does not outlive it.
 *
 * @see PlannedExitTest
 */
public final class HookedCaller {
    private HookedCaller() {}

    public static void main(String[] args) throws Exception {
        TaskPool pool = Tandem.processes(1)
                .transport(Transport.valueOf(args[0]))
                .aotCache(false)
                .start();
        long pid = pool.submit(PlannedExitTest::hangAtExit).get();
        System.out.println("PID " + pid);
        System.out.flush();
        pool.shutdown();
        new CountDownLatch(1).await(); // wait to be killed
    }
}
