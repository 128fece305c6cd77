package dev.tandem.benchmarks.core;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How much memory does a worker JVM hold: idle after its first task, and after it churned 2 GiB of
 * short-lived garbage? Memory is not a JMH question, so this is a plain program: five fresh workers,
 * resident set size (RSS) and proportional set size (PSS) from {@code /proc}, medians printed.
 *
 * <pre>
 * java -cp tandem-benchmarks/target/benchmarks.jar dev.tandem.benchmarks.core.WorkerMemory [JVM options...]
 * java --enable-native-access=ALL-UNNAMED -Dtransport=SHARED_MEMORY -cp ... WorkerMemory
 * </pre>
 */
public final class WorkerMemory {
    private WorkerMemory() {}

    /**
     * Runs the measurement.
     *
     * @param args extra worker JVM options to compare, if any
     * @throws Exception if a worker failed
     */
    public static void main(String[] args) throws Exception {
        int runs = 5;
        long[] idleRss = new long[runs];
        long[] idlePss = new long[runs];
        long[] churnRss = new long[runs];
        for (int r = 0; r < runs; r++) {
            try (TaskPool pool = Tandem.processes(1)
                    .jvmOptions(args)
                    .transport(Transport.valueOf(System.getProperty("transport", "SOCKET")))
                    .start()) {
                long pid = pool.workerPids().getFirst();
                pool.submit(() -> 1).get();
                idleRss[r] = kib(pid, "status", "VmRSS:");
                idlePss[r] = kib(pid, "smaps_rollup", "Pss:");
                for (int i = 0; i < 8; i++) { // 8 x 256 MiB of 1 KiB arrays
                    pool.submit(() -> {
                                long sum = 0;
                                for (int k = 0; k < (1 << 18); k++) {
                                    byte[] garbage = new byte[1024];
                                    sum += garbage.length;
                                }
                                return sum;
                            })
                            .get();
                }
                churnRss[r] = kib(pid, "status", "VmRSS:");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "idle worker: RSS median %.1f MiB %s, PSS median %.1f MiB%n",
                median(idleRss) / 1024.0,
                mib(idleRss),
                median(idlePss) / 1024.0);
        System.out.printf(
                Locale.ROOT,
                "after churning 2 GiB: RSS median %.1f MiB %s%n",
                median(churnRss) / 1024.0,
                mib(churnRss));
    }

    private static long kib(long pid, String file, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String mib(long[] values) {
        return Arrays.toString(Arrays.stream(values)
                .mapToObj(v -> String.format(Locale.ROOT, "%.1f", v / 1024.0))
                .toArray());
    }
}
