package dev.tandem.benchmarks.core;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.Transport;
import dev.tandem.WorkerLostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 9 §1's chaos target: 200,000 small tasks while a random worker is SIGKILLed every 250–500
 * ms. Prints the time they took, the kills, and the tasks lost (failed with
 * {@link WorkerLostException}); exits with 1 if more tasks were lost than were running on the
 * killed workers (one per kill in process mode, T per kill in hybrid mode), or any task failed
 * otherwise. Time is reported, not checked: the target (90 s) is for a quiet machine.
 *
 * <pre>
 * java -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.core.ChaosKill processes 2
 * java -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.core.ChaosKill hybrid 2 2
 * java -Dtransport=SHARED_MEMORY --enable-native-access=ALL-UNNAMED -cp ... ChaosKill processes 2
 * java -Dtasks=20000 -cp ... ChaosKill processes 2
 * </pre>
 */
public final class ChaosKill {
    private ChaosKill() {}

    /**
     * Runs the chaos.
     *
     * @param args {@code processes P} or {@code hybrid P T}
     * @throws Exception if the pool could not start
     */
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "processes";
        int p = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int t = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int tasks = Integer.getInteger("tasks", 200_000);
        Tandem.Builder b = mode.equals("hybrid") ? Tandem.hybrid(p, t) : Tandem.processes(p);
        int slots = mode.equals("hybrid") ? t : 1;
        b.transport(Transport.valueOf(System.getProperty("transport", "SOCKET")));
        AtomicInteger kills = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        try (TaskPool pool = b.start()) {
            Thread killer = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!done.get()) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(random.nextLong(250, 501));
                    } catch (InterruptedException e) {
                        return;
                    }
                    List<Long> pids = pool.workerPids();
                    if (!pids.isEmpty() && !done.get()) {
                        long pid = pids.get(random.nextInt(pids.size()));
                        ProcessHandle.of(pid).ifPresent(h -> {
                            if (h.destroyForcibly()) {
                                kills.incrementAndGet();
                            }
                        });
                    }
                }
            });
            long start = System.nanoTime();
            killer.start();
            List<Future<Integer>> futures = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                int n = i;
                futures.add(pool.submit(() -> n + 1));
            }
            int ok = 0;
            int lost = 0;
            int other = 0;
            for (int i = 0; i < tasks; i++) {
                try {
                    if (futures.get(i).get() == i + 1) {
                        ok++;
                    } else {
                        other++;
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof WorkerLostException) {
                        lost++;
                    } else {
                        other++;
                        if (other <= 3) {
                            e.getCause().printStackTrace();
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            done.set(true);
            killer.interrupt();
            killer.join();
            boolean bounded = lost <= (long) kills.get() * slots && other == 0;
            System.out.printf(
                    Locale.ROOT,
                    "%s %d%s %s: %d tasks in %.1f s, %d kills, %d lost (bound %d), %d failed otherwise: %s%n",
                    mode,
                    p,
                    mode.equals("hybrid") ? "x" + t : "",
                    System.getProperty("transport", "SOCKET"),
                    tasks,
                    seconds,
                    kills.get(),
                    lost,
                    (long) kills.get() * slots,
                    other,
                    bounded ? "OK" : "LOSS BOUND EXCEEDED");
            if (!bounded) {
                System.exit(1);
            }
        }
    }
}
