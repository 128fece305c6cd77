package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import dev.tandem.ipc.SegmentHandle;
import dev.tandem.ipc.SharedLongArray;
import dev.tandem.measure.Charts;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * <b>races</b>: two workers each add 1 to a shared counter K times, started together. Threads share
 * the heap, so an unsynchronized {@code counter++} loses updates, and atomics or locks fix it at a
 * price per increment. Processes cannot race on a heap they do not share: each increments its own
 * copy and the caller's counter never moves. To share, they must map memory explicitly, and then
 * the race is back unless they use atomic operations on it.
 */
final class RacesExperiment implements Experiment {
    /** Elements of the shared array, a cache line (8 longs) apart: the counter, the arrivals, the stop flag. */
    static final int SLOT = 8;

    static final int COUNTER = 0;
    static final int ARRIVALS = SLOT;
    static final int STOP = 2 * SLOT;

    static final List<String> VARIANTS = List.of(
            "plain", "volatile", "atomic", "adder", "synchronized", "lock", "processCopy", "shmPlain", "shmAtomic");
    static final List<String> LABELS = List.of(
            "threads: plain field ++",
            "threads: volatile field ++",
            "threads: AtomicLong",
            "threads: LongAdder",
            "threads: synchronized",
            "threads: ReentrantLock",
            "processes: each its own copy",
            "processes: shared memory, read then write",
            "processes: shared memory, atomic getAndAdd");

    @Override
    public String id() {
        return "races";
    }

    @Override
    public Section section() {
        return new Section(
                id(),
                "Races: one counter, two workers",
                "Multithreaded programs need more synchronization and mutual exclusion to avoid race conditions and "
                        + "deadlocks; processes, with their own memory, are simpler to program.",
                "多线程程序通常比多进程程序更复杂，需要更多的同步和互斥机制来避免条件竞争和死锁。进程因为拥有独立的内存空间，编程和调试通常更简单些。");
    }

    @Override
    public int steps(Bench bench) {
        return 2;
    }

    private static int repeats(Bench bench) {
        return bench.quick() ? 3 : 5;
    }

    @Override
    public void run(Bench bench, Section s) throws Exception {
        long k = bench.quick() ? 2_000_000 : 10_000_000;
        long window = bench.quick() ? 40 : 100;
        s.method = String.format(
                Locale.ROOT,
                "Two workers start together (a barrier; across processes, an arrival counter in shared "
                        + "memory), then each adds 1 to one shared counter and 1 to a private tally, until told to stop %d ms later; "
                        + "lost updates = 1 - shared counter / sum of the tallies. A time window, rather than a fixed count, keeps "
                        + "both workers running at the same time however busy the machine is. Threads: Tandem.threads(2) with six "
                        + "ways to increment a field of one object. Processes: Tandem.processes(2) with a captured counter (copied "
                        + "to each worker, which counts %,d times), then a counter in a dev.tandem.ipc.SharedLongArray that both "
                        + "attach. %d repeats after a warm-up.",
                window,
                k,
                repeats(bench));
        bench.step("threads");
        try (TaskPool pool = Tandem.threads(2).start()) {
            for (int v = 0; v < 6; v++) {
                List<Double> lost = new ArrayList<>();
                List<Double> ns = new ArrayList<>();
                for (int r = -1; r < repeats(bench); r++) {
                    double[] res = threadRace(pool, VARIANTS.get(v), window);
                    if (r >= 0) {
                        lost.add(res[0]);
                        ns.add(res[1]);
                    }
                }
                add(s, v, lost, ns, window);
            }
        }
        bench.step("processes");
        try (TaskPool pool = Bench.start(Tandem.processes(2)
                .forwardOutput(false)
                .jvmOptions(bench.workerJvmOptions().toArray(String[]::new)))) {
            List<Double> lost = new ArrayList<>();
            List<Double> ns = new ArrayList<>();
            List<Double> callerSaw = new ArrayList<>();
            for (int r = -1; r < repeats(bench); r++) {
                long[] counter = {0};
                Future<long[]> a = pool.submit(new CountCopy(counter, k));
                Future<long[]> b = pool.submit(new CountCopy(counter, k));
                long[] ra = a.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
                long[] rb = b.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
                if (r >= 0) {
                    lost.add(100.0 * (1 - (ra[0] + rb[0]) / (2.0 * k)));
                    ns.add((ra[1] + rb[1]) / 2.0 / k);
                    callerSaw.add((double) counter[0]);
                }
            }
            add(s, 6, lost, ns, window);
            s.add(
                    "callerCounter.processCopy",
                    "the caller's own counter after both workers counted",
                    "count",
                    callerSaw,
                    Map.of());
            for (int v = 7; v < 9; v++) {
                List<Double> l = new ArrayList<>();
                List<Double> n = new ArrayList<>();
                int alone = 0;
                for (int r = -1; r < repeats(bench); r++) {
                    double[] res = shmRace(pool, v == 8, window);
                    if (r >= 0) {
                        l.add(res[0]);
                        n.add(res[1]);
                        alone += res[2] < 2 ? 1 : 0;
                    }
                }
                add(s, v, l, n, window);
                if (alone > 0) {
                    s.note(LABELS.get(v) + ": in " + alone + " of " + repeats(bench)
                            + " runs the two workers never met at the start and counted one after the other.");
                }
            }
        } catch (Bench.Unavailable e) {
            s.note("The process variants were not measured: " + e.getMessage());
        }
        chart(s);
        verdict(s);
    }

    private static void add(Section s, int v, List<Double> lost, List<Double> ns, long window) {
        Map<String, Object> p = Map.of("variant", VARIANTS.get(v), "windowMillis", window, "workers", 2);
        s.add("lost." + VARIANTS.get(v), "lost updates, " + LABELS.get(v), "%", lost, p);
        s.add("ns." + VARIANTS.get(v), "time per increment, " + LABELS.get(v), "ns", ns, p);
    }

    /** The shared object of the thread variants. */
    static final class Counters {
        long plain;
        volatile long vol;
        final AtomicLong atomic = new AtomicLong();
        final LongAdder adder = new LongAdder();
        long guarded;
        final ReentrantLock lock = new ReentrantLock();
        volatile boolean stop;
    }

    /** {@return [lost %, ns per increment]} */
    private static double[] threadRace(TaskPool pool, String variant, long windowMillis) throws Exception {
        Counters c = new Counters();
        CyclicBarrier start = new CyclicBarrier(3);
        long rendezvous = Pace.measure().limit(Pace.Limit.RENDEZVOUS).toNanos();
        Task<long[]> body = () -> {
            start.await(rendezvous, TimeUnit.NANOSECONDS);
            long t0 = System.nanoTime();
            long mine = 0;
            switch (variant) {
                case "plain" -> {
                    while (!c.stop) {
                        c.plain++;
                        mine++;
                    }
                }
                case "volatile" -> {
                    while (!c.stop) {
                        c.vol++;
                        mine++;
                    }
                }
                case "atomic" -> {
                    while (!c.stop) {
                        c.atomic.incrementAndGet();
                        mine++;
                    }
                }
                case "adder" -> {
                    while (!c.stop) {
                        c.adder.increment();
                        mine++;
                    }
                }
                case "synchronized" -> {
                    while (!c.stop) {
                        synchronized (c) {
                            c.guarded++;
                        }
                        mine++;
                    }
                }
                case "lock" -> {
                    while (!c.stop) {
                        c.lock.lock();
                        try {
                            c.guarded++;
                        } finally {
                            c.lock.unlock();
                        }
                        mine++;
                    }
                }
                default -> throw new IllegalArgumentException(variant);
            }
            return new long[] {mine, System.nanoTime() - t0};
        };
        Future<long[]> a = pool.submit(body);
        Future<long[]> b = pool.submit(body);
        start.await(rendezvous, TimeUnit.NANOSECONDS);
        Thread.sleep(windowMillis); // the measurement window, not a wait for an event
        c.stop = true;
        long[] ra = a.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
        long[] rb = b.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
        long total = switch (variant) {
            case "plain" -> c.plain;
            case "volatile" -> c.vol;
            case "atomic" -> c.atomic.get();
            case "adder" -> c.adder.sum();
            default -> c.guarded;
        };
        double counted = ra[0] + rb[0];
        return new double[] {100.0 * (1 - total / counted), (ra[1] + rb[1]) / counted};
    }

    /** {@return [lost %, ns per increment, workers that met at the start (2 if both did)]} */
    private static double[] shmRace(TaskPool pool, boolean atomic, long windowMillis) throws Exception {
        try (SharedLongArray shared = SharedLongArray.create(3 * SLOT)) {
            long rendezvous = Pace.measure().limit(Pace.Limit.RENDEZVOUS).toNanos();
            Future<long[]> a = pool.submit(new CountShared(shared.handle(), atomic, rendezvous));
            Future<long[]> b = pool.submit(new CountShared(shared.handle(), atomic, rendezvous));
            long deadline = System.nanoTime() + rendezvous;
            while (shared.getAcquire(ARRIVALS) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling for both workers to arrive, bounded by the deadline
            }
            Thread.sleep(windowMillis); // the measurement window
            shared.setRelease(STOP, 1);
            long[] ra = a.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
            long[] rb = b.get(Pace.measure().limit(Pace.Limit.ROUND_TRIP).toNanos(), TimeUnit.NANOSECONDS);
            double counted = ra[0] + rb[0];
            long total = shared.getAcquire(COUNTER);
            return new double[] {100.0 * (1 - total / counted), (ra[1] + rb[1]) / counted, ra[2] + rb[2]};
        }
    }

    /** Counts on the worker's own copy of the caller's counter; returns {@code [count, nanos]}. */
    record CountCopy(long[] counter, long k) implements Task<long[]> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public long[] call() {
            long t0 = System.nanoTime();
            for (long i = 0; i < k; i++) {
                counter[0]++;
            }
            return new long[] {counter[0], System.nanoTime() - t0};
        }
    }

    /**
     * Counts on a counter in a shared array until the stop flag is set; returns {@code [own increments,
     * nanos, 1 if it met the other worker at the start]}; waits for the other up to {@code rendezvousNanos}
     * (the caller's {@link Pace.Limit#RENDEZVOUS}).
     */
    record CountShared(SegmentHandle handle, boolean atomic, long rendezvousNanos) implements Task<long[]> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public long[] call() {
            try (SharedLongArray s = SharedLongArray.attach(handle)) {
                s.getAndAdd(ARRIVALS, 1);
                long deadline = System.nanoTime() + rendezvousNanos;
                boolean together = true;
                while (s.getAcquire(ARRIVALS) < 2) {
                    if (System.nanoTime() > deadline) {
                        together = false;
                        break;
                    }
                    Thread.onSpinWait();
                }
                long t0 = System.nanoTime();
                long mine = 0;
                if (atomic) {
                    while (s.getAcquire(STOP) == 0) {
                        s.getAndAdd(COUNTER, 1);
                        mine++;
                    }
                } else {
                    while (s.getAcquire(STOP) == 0) {
                        // an acquire read, then a release write: each reaches memory, but the pair is not atomic
                        s.setRelease(COUNTER, s.getAcquire(COUNTER) + 1);
                        mine++;
                    }
                }
                return new long[] {mine, System.nanoTime() - t0, together ? 1 : 0};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    void chart(Section s) {
        ObjectNode o = Charts.base("Lost updates and cost per increment");
        ArrayNode xs = o.putArray("xAxis");
        Charts.valueAxis(xs.addObject(), false, "lost updates (%)", false)
                .put("min", 0)
                .put("max", 100)
                .put("position", "bottom");
        Charts.valueAxis(xs.addObject(), false, "ns per increment (dots, log scale)", true)
                .put("position", "top")
                .putObject("splitLine")
                .put("show", false);
        List<String> labels = LABELS.stream()
                .map(l -> l.replace("threads: ", "T: ")
                        .replace("processes: ", "P: ")
                        .replace("shared memory, ", "shm, ")
                        .replace("atomic getAndAdd", "getAndAdd"))
                .toList();
        Charts.categoryAxis(o, "yAxis", labels).put("inverse", true);
        List<Double> lost = VARIANTS.stream().map(v -> s.median("lost." + v)).toList();
        Charts.labelledBars(
                o,
                "lost updates (%)",
                lost,
                lost.stream().map(x -> Units.num(x, "%")).toList(),
                "right");
        // Below 0.1 ns the JIT removed the loop (each worker's private counter): not a cost worth drawing.
        ObjectNode cost = Charts.bars(
                o,
                "ns per increment",
                VARIANTS.stream()
                        .map(v -> s.median("ns." + v))
                        .map(x -> x > 0.1 ? x : Double.NaN)
                        .toList());
        cost.put("type", "scatter").put("xAxisIndex", 1).put("symbolSize", 11);
        Charts.obj(o, "grid").put("top", Charts.NAME_ROOM).put("right", 44).put("bottom", Charts.NAME_ROOM);
        o.put("_height", 440);
        s.chart = o;
        // a dot left out is named, never dropped silently (fresh user: "P: each its own copy" had no dot and no word)
        List<String> undrawn = new ArrayList<>();
        for (int i = 0; i < VARIANTS.size(); i++) {
            double ns = s.median("ns." + VARIANTS.get(i));
            if (!Double.isNaN(ns) && !(ns > 0.1)) {
                undrawn.add(labels.get(i) + " (" + Units.num(ns, "ns") + ")");
            }
        }
        s.chartCaption =
                "T: two threads, P: two worker JVMs. Bars: share of the 2 × K increments that were lost (median). "
                        + "Dots: time per increment (top axis, log scale)."
                        + (undrawn.isEmpty()
                                ? ""
                                : " No dot for " + String.join(", ", undrawn) + ": below 0.1 ns per increment the JIT "
                                        + "removed the loop over a counter no other thread sees, so there is no cost to draw.");
    }

    /**
     * {@return how often the unsynchronized threads lost updates, in words: "lost updates in 1 of 3 repeats
     * (up to 1.17 %; median 0 %)", or "lost no update in 3 repeats"}
     */
    static String lossText(Section s, String variant) {
        List<Double> samples = s.metric("lost." + variant).map(Metric::samples).orElse(List.of());
        long losing = samples.stream().filter(x -> x > 0).count();
        if (losing == 0) {
            return "lost no update in " + samples.size() + " repeats";
        }
        double max = samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return "lost updates in " + losing + " of " + samples.size() + " repeats (up to " + Units.num(max, "%")
                + "; median " + Units.num(s.median("lost." + variant), "%") + ")";
    }

    /**
     * The verdict. One lost update proves the race (the count is exact, not a timing), so the claim is
     * supported when any repeat of an unsynchronized variant lost one, and the headline and the verdict say
     * in how many repeats and how much (was: "supported" over a headline of "lost 0 %", the median, while one
     * repeat of three had lost 1.17 %). No repeat losing any is inconclusive: the race needs both threads on
     * a CPU at the same instant.
     */
    void verdict(Section s) {
        List<List<String>> rows = new ArrayList<>();
        for (int v = 0; v < VARIANTS.size(); v++) {
            double ns = s.median("ns." + VARIANTS.get(v));
            rows.add(List.of(
                    LABELS.get(v),
                    Units.num(s.median("lost." + VARIANTS.get(v)), "%"),
                    ns < 0.1 ? Units.num(ns, "ns") + " (the JIT folded the loop)" : Units.num(ns, "ns")));
        }
        s.tables.add(new Table(
                "Lost updates and time per increment (medians)", List.of("variant", "lost", "per increment"), rows));
        double lostAtomic = s.median("lost.atomic");
        double lostLock = s.median("lost.lock");
        double lostSync = s.median("lost.synchronized");
        double nsVol = s.median("ns.volatile");
        double nsAtomic = s.median("ns.atomic");
        double nsAdder = s.median("ns.adder");
        double nsLock = s.median("ns.lock");
        double maxVol = s.metric("lost.volatile").map(m -> m.stats().max()).orElse(Double.NaN);
        double maxPlain = s.metric("lost.plain").map(m -> m.stats().max()).orElse(Double.NaN);
        boolean raced = maxVol > 0 || maxPlain > 0;
        boolean fixed = lostAtomic == 0 && lostLock == 0 && lostSync == 0 && s.median("lost.adder") == 0;
        StringBuilder v = new StringBuilder(String.format(
                Locale.ROOT,
                "Two threads sharing a counter %s with volatile ++ and %s with plain ++%s. AtomicLong, "
                        + "LongAdder, synchronized and ReentrantLock lost %s, at %s, %s, %s and %s per increment against %s "
                        + "unsynchronized. ",
                lossText(s, "volatile"),
                lossText(s, "plain"),
                raced
                        ? ": one lost update proves the race, a read-modify-write that is not atomic losing updates"
                                + " whenever the two threads run at the same instant (a repeat that lost nothing had them"
                                + " take turns on one CPU)"
                        : "; no update was lost in this run, which proves nothing: the race needs the "
                                + "two threads to run at the same instant",
                fixed ? "none" : "some (unexpected)",
                Units.num(nsAtomic, "ns"),
                Units.num(nsAdder, "ns"),
                Units.num(s.median("ns.synchronized"), "ns"),
                Units.num(nsLock, "ns"),
                Units.num(nsVol, "ns")));
        double callerSaw = s.median("callerCounter.processCopy");
        double shmPlain = s.median("lost.shmPlain");
        double shmAtomic = s.median("lost.shmAtomic");
        Outcome outcome;
        if (Double.isNaN(callerSaw)) {
            v.append("Process mode was not measured.");
            outcome = raced && fixed ? Outcome.MIXED : Outcome.INCONCLUSIVE;
        } else {
            v.append(String.format(
                    Locale.ROOT,
                    "Two processes lost %s: each counted on its own copy, and the caller's counter stayed at %s, "
                            + "so there is no race because nothing is shared. Sharing a counter explicitly through shared memory brings the "
                            + "race back (%s lost when each adds with an acquire read, then a release write) until the processes use atomic operations (%s lost). "
                            + "Processes avoid accidental races, not the need for synchronization once they share.",
                    Units.num(s.median("lost.processCopy"), "%"),
                    Units.num(callerSaw),
                    Units.num(shmPlain, "%"),
                    Units.num(shmAtomic, "%")));
            outcome = raced && fixed && s.median("lost.processCopy") == 0 ? Outcome.SUPPORTED : Outcome.MIXED;
        }
        if (!raced) {
            // no update lost: the threads never ran at the same instant (a busy machine runs them in turns),
            // which proves nothing either way
            outcome = Outcome.INCONCLUSIVE;
        }
        s.verdict(outcome, v.toString());
        // both unsynchronized figures: one alone could read "lost 0 %" while the other lost updates
        s.headline = String.format(
                Locale.ROOT,
                "unsynchronized threads %s (volatile ++), %s (plain ++); atomics %s at %s/op; processes:"
                        + " no race until they share memory (%s lost)",
                lossText(s, "volatile"),
                lossText(s, "plain"),
                fixed ? "lost none" : "lost some (unexpected)",
                Units.num(nsAtomic, "ns"),
                Units.num(shmPlain, "%"));
    }
}
