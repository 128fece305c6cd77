package dev.tandem.it.app;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.Transport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A tiny application: runs one task in a worker JVM and prints both process ids, as
 * {@code tandem-launch caller=<pid> worker=<pid> answer=42}. The task is a lambda of this class that
 * calls {@link Work}, so the worker must load the application's own classes, not only Tandem's.
 * Exits with 1 if the task ran in the caller's JVM. The argument {@code shm} picks the shared-memory
 * transport.
 */
public final class Main {
    private Main() {}

    /**
     * Runs the task.
     *
     * @param args {@code shm} for the shared-memory transport, or nothing
     * @throws Exception if the pool or the task failed
     */
    public static void main(String[] args) throws Exception {
        Transport transport = args.length > 0 && args[0].equals("shm") ? Transport.SHARED_MEMORY : Transport.SOCKET;
        long caller = ProcessHandle.current().pid();
        try (TaskPool pool = Tandem.processes(1)
                .transport(transport)
                .workerStartTimeout(Duration.ofMinutes(2))
                .start()) {
            Work.Answer answer = pool.submit(() -> Work.answer(6, 7)).get(2, TimeUnit.MINUTES);
            System.out.println(
                    "tandem-launch caller=" + caller + " worker=" + answer.pid() + " answer=" + answer.value());
            if (answer.pid() == caller) {
                System.exit(1);
            }
        }
    }
}
