package dev.tandem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Main class of a caller JVM whose shared-memory segments go to a 3 MiB tmpfs
 * ({@code -Ddev.tandem.ipc.dir}): room for one worker's channel (two 1 MiB rings), not two. It prints
 * one line per outcome for {@link SharedMemoryFullPoolTest}.
 */
public final class FullShmCaller {
    private static final int KIB_700 = 700 << 10;

    private FullShmCaller() {}

    public static void main(String[] args) throws Exception {
        // Two workers do not fit: the pool does not start, and says why.
        start("processes(2)", Tandem.processes(2));
        start("hybrid(2, 2)", Tandem.hybrid(2, 2));
        // One fits, and works.
        try (TaskPool pool = shm(Tandem.processes(1)).start()) {
            System.out.println("ROUND-TRIPS " + roundTrips(pool));
        }
        // A replacement that does not fit (a retiring worker still holds its channel) fails the
        // pool at once with restartLimit(0, ...): every future completes, with a typed failure.
        try (TaskPool pool = shm(Tandem.processes(1))
                .maxTasksPerWorker(1)
                .restartLimit(0, Duration.ofMinutes(5))
                .start()) {
            System.out.println("REPLACEMENT " + roundTrips(pool));
        }
        System.out.println("DONE");
    }

    private static Tandem.Builder shm(Tandem.Builder builder) {
        return builder.transport(Transport.SHARED_MEMORY).aotCache(false).forwardOutput(false);
    }

    private static void start(String name, Tandem.Builder builder) {
        try (TaskPool pool = shm(builder).start()) {
            System.out.println("STARTED " + name + " " + pool);
        } catch (WorkerStartException e) {
            System.out.println("START-FAILED " + name + ": " + oneLine(e));
        }
    }

    /** {@return what became of eight 700 KiB round trips: the size of each, or its failure} */
    private static List<String> roundTrips(TaskPool pool) throws InterruptedException {
        List<Future<byte[]>> futures = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] input = new byte[KIB_700];
            try {
                futures.add(pool.submit(() -> input));
            } catch (RuntimeException e) {
                outcomes.add("rejected " + oneLine(e));
            }
        }
        for (Future<byte[]> f : futures) {
            try {
                outcomes.add(String.valueOf(f.get(60, TimeUnit.SECONDS).length));
            } catch (ExecutionException e) {
                outcomes.add("failed " + oneLine(e.getCause()));
            } catch (TimeoutException e) {
                outcomes.add("HANG: not complete after 60 s");
            }
        }
        return outcomes;
    }

    private static String oneLine(Throwable e) {
        return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
    }
}
