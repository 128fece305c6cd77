package dev.tandem;

import dev.tandem.ipc.SharedByteArray;
import dev.tandem.ipc.SharedLongArray;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of a caller JVM that {@link SharedArrayByReferenceTest} kills: it makes a shared array,
 * gets one its worker made, lends both to a task that never ends, prints
 * {@code PIDS caller,worker... path path} and waits to be killed.
 */
public final class SharedArrayCaller {
    private SharedArrayCaller() {}

    public static void main(String[] args) throws Exception {
        TaskPool pool = Tandem.processes(1).start();
        SharedByteArray mine = SharedByteArray.create(1 << 20);
        SharedLongArray made = pool.submit(() -> SharedLongArray.create(4)).get();
        pool.submit(() -> {
            new CountDownLatch(1).await(); // the workload: run until the caller is killed
            return mine.get(0) + made.get(0);
        });
        StringBuilder line = new StringBuilder("PIDS " + ProcessHandle.current().pid());
        for (long p : pool.workerPids()) {
            line.append(',').append(p);
        }
        line.append(' ')
                .append(mine.handle().path())
                .append(' ')
                .append(made.handle().path());
        System.out.println(line);
        System.out.flush();
        new CountDownLatch(1).await(); // wait to be killed
    }
}
