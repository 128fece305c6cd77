package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;

/**
 * <b>sharing</b>: hand a block of 1 KiB to 256 MiB to a task that reads every byte, three ways: a thread
 * pool task gets a reference to the caller's array (shared heap); a process pool task gets a copy
 * through the task channel (serialized, sent, deserialized); a process pool task gets the name of a
 * shared-memory array ({@code dev.tandem.ipc}) that already holds the data, and attaches it. Latency is from
 * submit to result, including the read; throughput is bytes over latency. Each result is checked
 * against the checksum computed here.
 */
final class SharingExperiment implements Experiment {
    static final List<String> VARIANTS = List.of("heap", "copy", "shm");
    static final List<String> VARIANT_LABELS = List.of(
            "threads: shared heap",
            "processes: copy through the channel",
            "processes: shared memory (SharedByteArray)");

    @Override
    public String id() {
        return "sharing";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Sharing: handing data to a task",
                "Threads share data easily because they see one heap; processes have separate memory, so passing data "
                        + "between them (IPC) costs more.",
                "线程之间可以轻易地共享数据，它们位于同一进程空间……进程拥有各自独立的内存空间，所以它们之间的通信（如IPC）需要更多的开销。");
    }

    static long[] sizes(boolean quick) {
        return quick
                ? new long[] {1L << 10, 64L << 10, 1L << 20, 16L << 20}
                : new long[] {1L << 10, 16L << 10, 256L << 10, 4L << 20, 64L << 20, 256L << 20};
    }

    static String sizeLabel(long bytes) {
        return bytes >= 1L << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    @Override
    public int steps(Bench bench) {
        return sizes(bench.quick()).length;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        long[] sizes = sizes(bench.quick());
        long max = sizes[sizes.length - 1];
        long workerHeapMiB = Math.max(256, (3 * max >> 20) + 128);
        s.method = String.format(
                Locale.ROOT,
                "For each size, one warm-up hand-off, then %d timed ones (3 from 64 MiB up) per variant: "
                        + "Tandem.threads(1) with the array captured by the task; Tandem.processes(1) (worker -Xmx%dm) with the "
                        + "array captured and so serialized; and Tandem.processes(1) with the data in a shared-memory array "
                        + "(dev.tandem.ipc.SharedByteArray) whose handle the task carries and attaches. The task sums the data as longs; the sum is checked. Data: seeded pseudo-random bytes.",
                bench.repeats(),
                workerHeapMiB);
        Random random = bench.random();
        TaskPool threads = Tandem.threads(1).start();
        TaskPool processes = null;
        try {
            try {
                processes = Bench.start(Tandem.processes(1)
                        .forwardOutput(false)
                        .jvmOptions(bench.workerJvmOptions("-Xmx" + workerHeapMiB + "m")
                                .toArray(String[]::new)));
            } catch (Bench.Unavailable e) {
                s.note("The two process variants were not measured: " + e.getMessage());
            }
            boolean copyBroken = false;
            boolean shmBroken = false;
            for (long size : sizes) {
                bench.step(sizeLabel(size));
                byte[] data = data(size, random.nextLong());
                long expected = SharedMemoryHandoff.Checksum.sum(data);
                int repeats = size >= 64L << 20 ? 3 : bench.repeats();
                Map<String, Object> p = Map.of("bytes", size);
                s.add(
                        "heap." + size,
                        "shared heap, " + sizeLabel(size),
                        "ms",
                        time(threads, new SumArray(data), expected, repeats),
                        p);
                if (processes != null && !copyBroken) {
                    try {
                        s.add(
                                "copy." + size,
                                "copy through the channel, " + sizeLabel(size),
                                "ms",
                                time(processes, new SumArray(data), expected, repeats),
                                p);
                    } catch (ExecutionException | RuntimeException e) {
                        copyBroken = true;
                        s.note("Copying " + sizeLabel(size)
                                + " through the channel failed, so larger sizes were skipped: "
                                + Units.firstLine(String.valueOf(e.getCause() == null ? e : e.getCause())));
                    }
                }
                if (processes != null && !shmBroken) {
                    try (SharedMemoryHandoff shm = SharedMemoryHandoff.create(size)) {
                        shm.write(data);
                        s.add(
                                "shm." + size,
                                "shared memory, " + sizeLabel(size),
                                "ms",
                                time(processes, shm.sumTask(), expected, repeats),
                                p);
                    } catch (ExecutionException | IOException | RuntimeException e) {
                        shmBroken = true;
                        s.note("Shared memory at " + sizeLabel(size) + " failed, so larger sizes were skipped: "
                                + Units.firstLine(String.valueOf(e.getCause() == null ? e : e.getCause())));
                    }
                }
            }
        } finally {
            threads.close();
            if (processes != null) {
                processes.close();
            }
        }
        chart(s, sizes);
        verdict(s, sizes);
    }

    /** Pseudo-random bytes from a seed, fast enough for 256 MiB. */
    static byte[] data(long size, long seed) {
        byte[] b = new byte[(int) size];
        MemorySegment seg = MemorySegment.ofArray(b);
        long x = seed | 1;
        long words = size / 8;
        for (long i = 0; i < words; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, x);
        }
        return b;
    }

    private static List<Double> time(TaskPool pool, Task<Long> task, long expected, int repeats) throws Exception {
        check(pool.submit(task).get(), expected);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            long sum = pool.submit(task).get();
            ms.add((System.nanoTime() - t0) / 1e6);
            check(sum, expected);
        }
        return ms;
    }

    private static void check(long sum, long expected) {
        if (sum != expected) {
            throw new IllegalStateException("the task saw different data: checksum " + sum + ", expected " + expected);
        }
    }

    /** Sums an array the task captured: a reference in thread mode, a copy in process mode. */
    record SumArray(byte[] data) implements Task<Long> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() {
            return SharedMemoryHandoff.Checksum.sum(data);
        }
    }

    private void chart(Section s, long[] sizes) {
        ObjectNode o = Charts.base("Hand data to a task and read it (ms, log scale)");
        List<String> labels = new ArrayList<>();
        for (long size : sizes) {
            labels.add(sizeLabel(size));
        }
        // Each size in the middle of its band: at the axis' ends (boundaryGap false) the first size's label met
        // the log axis' lowest tick ("1 KiB" over "0.1") in Chromium 156's fonts.
        Charts.categoryAxis(o, "xAxis", labels);
        Charts.valueAxis(o, "yAxis", "submit to result (ms)", true);
        for (int v = 0; v < VARIANTS.size(); v++) {
            List<Double> ms = new ArrayList<>();
            for (long size : sizes) {
                ms.add(s.median(VARIANTS.get(v) + "." + size));
            }
            Charts.categoryLine(o, VARIANT_LABELS.get(v), ms);
        }
        Charts.obj(o, "grid").put("right", 36);
        s.chart = o;
        s.chartCaption = "Medians of the hand-off latency per size (each step on the axis is a larger block); the task "
                + "reads every byte in all three variants.";
    }

    private void verdict(Section s, long[] sizes) {
        List<List<String>> rows = new ArrayList<>();
        for (long size : sizes) {
            List<String> row = new ArrayList<>();
            row.add(sizeLabel(size));
            for (String v : VARIANTS) {
                double ms = s.median(v + "." + size);
                row.add(Units.num(ms, "ms")
                        + (Double.isNaN(ms) ? "" : " (" + Units.num(size / (ms / 1000) / (1 << 30)) + " GiB/s)"));
            }
            row.add(Units.ratio(s.median("copy." + size) / s.median("heap." + size)));
            row.add(Units.ratio(s.median("shm." + size) / s.median("heap." + size)));
            rows.add(row);
        }
        s.tables.add(new Table(
                "Latency (median) and throughput per size",
                List.of(
                        "size",
                        "threads: shared heap",
                        "processes: copy",
                        "processes: shared memory",
                        "copy / heap",
                        "shared memory / heap"),
                rows));

        long small = sizes[0];
        long big = sizes[sizes.length - 1];
        long largestCopied = big;
        while (largestCopied > small && Double.isNaN(s.median("copy." + largestCopied))) {
            largestCopied >>= 4;
        }
        double heapSmall = s.median("heap." + small);
        double copySmall = s.median("copy." + small);
        double heapBig = s.median("heap." + largestCopied);
        double copyBig = s.median("copy." + largestCopied);
        double shmBig = s.median("shm." + largestCopied);
        if (Double.isNaN(copySmall)) {
            double heapMax = s.median("heap." + big);
            s.verdict(
                    Outcome.NOT_MEASURED,
                    "Only the thread variant was measured (" + Units.num(heapMax, "ms") + " for " + sizeLabel(big)
                            + "); without process mode there is nothing to compare it with.");
            s.headline = "threads only: " + sizeLabel(big) + " in " + Units.num(heapMax, "ms");
            return;
        }
        double ratioSmall = copySmall / heapSmall;
        double ratioBig = copyBig / heapBig;
        double copyRate = largestCopied / ((copyBig - heapBig) / 1000) / (1 << 30);
        StringBuilder v = new StringBuilder(String.format(
                Locale.ROOT,
                "Handing %s to a thread takes %s; copying it to a worker JVM takes "
                        + "%s (%s), mostly the round trip of the channel. At %s the thread still takes %s (it reads the caller's own "
                        + "array), while the copy takes %s (%s): serializing, sending and deserializing moves about %s GiB/s. ",
                // quoted as the section's table shows them: a number flagged as noise says so where it is quoted
                sizeLabel(small),
                s.quote("heap." + small),
                s.quote("copy." + small),
                Units.ratio(ratioSmall),
                sizeLabel(largestCopied),
                s.quote("heap." + largestCopied),
                s.quote("copy." + largestCopied),
                Units.ratio(ratioBig),
                Units.num(copyRate)));
        if (!Double.isNaN(shmBig)) {
            v.append(sharedMemory(
                    Contrast.of(s.stats("copy." + largestCopied), s.stats("shm." + largestCopied)),
                    shmBig,
                    copyBig,
                    heapBig,
                    sizeLabel(largestCopied)));
        }
        s.compares("heap." + small, "copy." + small);
        s.compares("heap." + largestCopied, "copy." + largestCopied);
        Stats heapStats = s.stats("heap." + largestCopied);
        Stats copyStats = s.stats("copy." + largestCopied);
        boolean clear = ratioSmall > 2 && ratioBig > 2 && heapStats.separatedFrom(copyStats);
        s.verdict(clear ? Outcome.SUPPORTED : ratioBig > 1 ? Outcome.MIXED : Outcome.REFUTED, v.toString());
        s.headline = String.format(
                Locale.ROOT,
                "%s: heap %s, copy %s (%s)%s",
                sizeLabel(largestCopied),
                Units.num(heapBig, "ms"),
                Units.num(copyBig, "ms"),
                Units.ratio(ratioBig),
                Double.isNaN(shmBig) ? "" : ", shared memory " + Units.num(shmBig, "ms"));
    }

    /**
     * {@return the sentence on shared memory against the copy, following {@link Contrast}: it says that
     * shared memory avoids the copy only if it was measured cheaper (once it said so of 50.2 ms against a
     * 29.5 ms copy)}
     */
    static String sharedMemory(Contrast c, double shm, double copy, double heap, String size) {
        String lead = c.cheaper()
                ? "Shared memory avoids the copy"
                : c.dearer()
                        ? "Shared memory was slower than the copy here"
                        : "Shared memory did not beat the copy here";
        return String.format(
                Locale.ROOT,
                "%s: %s for %s against %s copied (shared memory was %s the copy; %s the thread's time), so processes "
                        + "can share data without a copy, but only explicitly and only as bytes, not objects.",
                lead,
                Units.num(shm, "ms"),
                size,
                Units.num(copy, "ms"),
                c.words,
                Units.ratio(shm / heap));
    }
}
