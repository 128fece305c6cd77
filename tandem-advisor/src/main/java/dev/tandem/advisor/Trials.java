package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.Tandem;
import dev.tandem.Task;
import dev.tandem.TaskExecutionException;
import dev.tandem.TaskFunction;
import dev.tandem.TaskPool;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plans the trials of one run and runs each under a hard deadline.
 *
 * <h2>What a trial measures</h2>
 * A trial starts one pool, warms it up, then measures. In the measured phase {@code concurrency}
 * caller threads (platform threads when at most 64, woken directly when a result arrives; virtual
 * threads beyond) each submit one {@link Call}, wait for its result, and submit
 * the next: a closed loop, so latency is submit-to-result without a queue of the advisor's making,
 * and the pool is never short of work. Each {@link Call} times the task inside the worker; latency
 * minus that time is the overhead of dispatch, serialization and IPC. In isolated modes the result
 * is serialized in the worker and deserialized here, as a real caller would. A batched trial hands
 * the inputs to {@link TaskPool#map} instead. A {@link ProcStat.Sampler} reads the CPU and memory
 * of the caller and every worker JVM meanwhile.
 *
 * <h2>Bounds</h2>
 * Every trial ends by its deadline plus a short grace: callers stop submitting at the deadline, wait
 * for a result no longer than the grace, then the pool is stopped with {@code shutdownNow} and a
 * bounded {@code awaitTermination}, in a {@code finally}. Pools carry a task timeout, so a runaway
 * task is interrupted (threads) or its worker killed (processes). A task that leaks is run in this
 * JVM only up to a call cap computed from the probe's heap growth.
 *
 * <p>Not thread-safe: one run at a time.
 */
final class Trials {
    /** Heap growth per call, after full GC, above which a task counts as leaking. */
    static final long LEAK_BYTES_PER_CALL = 16 << 10;
    /** Calls shorter than this are tiny: per-task dispatch is a large share of them. */
    static final long TINY_TASK_NANOS = 100_000;

    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Subject subject;
    private final Subject.Instance inst;
    private final Advice.Probe probe;
    private final Advisor.Options options;
    private final long leakCapCalls;
    private int[] baselineHashes;
    private byte[] baselineState;
    private String processesUnavailable;

    Trials(Subject subject, Subject.Instance inst, Advice.Probe probe, Advisor.Options options, int inProcessTrials) {
        this.subject = subject;
        this.inst = inst;
        this.probe = probe;
        this.options = options;
        if (probe.retainedBytesPerCall() >= LEAK_BYTES_PER_CALL && inProcessTrials > 0) {
            Runtime rt = Runtime.getRuntime();
            long headroom = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            this.leakCapCalls = Math.max(8, headroom / 8 / probe.retainedBytesPerCall() / inProcessTrials);
        } else {
            this.leakCapCalls = Long.MAX_VALUE;
        }
    }

    /**
     * One trial to run.
     *
     * @param mode the model
     * @param workers threads or worker JVMs (0 for virtual threads)
     * @param threadsPerWorker tasks per worker JVM at once
     * @param concurrency callers in flight (ignored when batched)
     * @param batched through {@code map}
     */
    record Plan(Mode mode, int workers, int threadsPerWorker, int concurrency, boolean batched) {
        String label() {
            return Trials.label(mode, workers, threadsPerWorker, batched ? 0 : concurrency, batched);
        }

        int parallelism() {
            return mode == Mode.VIRTUAL_THREADS ? concurrency : workers * threadsPerWorker;
        }
    }

    static String label(Mode mode, int workers, int threadsPerWorker, int concurrency, boolean batched) {
        String base = switch (mode) {
            case THREADS -> "threads(" + workers + ")";
            case VIRTUAL_THREADS -> concurrency > 0 ? "virtual(" + concurrency + ")" : "virtual threads";
            case PROCESSES -> "processes(" + workers + ")";
            case HYBRID -> "hybrid(" + workers + "x" + threadsPerWorker + ")";
            case CLUSTER -> "localCluster(perNode " + workers + "x" + threadsPerWorker + ")";
        };
        return batched ? base + "+map" : base;
    }

    /** Threads a blocking task needs to keep the cores busy: cores / CPU share, within bounds. */
    static int blockingThreads(int cores, double cpuShare) {
        double share = cpuShare < 0 ? 1 : Math.max(cpuShare, 0.004);
        return (int) Math.max(2L * cores, Math.min(256, Math.round(cores / share)));
    }

    /** The trials worth running for this task on this machine. */
    static List<Plan> plan(Advice.Probe probe, int cores, int inputs) {
        boolean inProcess = !probe.jvmEnded();
        boolean copyable = probe.serializationError() == null;
        double cpu = probe.cpuShare() < 0 ? 1 : probe.cpuShare();
        boolean blocking = cpu < 0.5;
        boolean tiny = probe.medianCallNanos() >= 0 && probe.medianCallNanos() < TINY_TASK_NANOS;
        int many = Math.min(inputs, blockingThreads(cores, cpu));
        int virtual = Math.max(1, Math.min(inputs, blocking ? Math.min(1024, 4 * many) : 4 * cores));
        Set<Plan> plans = new LinkedHashSet<>();
        if (inProcess) {
            plans.add(new Plan(Mode.THREADS, 1, 1, 1, false));
            plans.add(new Plan(Mode.THREADS, cores, 1, cores, false));
            if (blocking && many > cores) {
                plans.add(new Plan(Mode.THREADS, many, 1, many, false));
            }
            plans.add(new Plan(Mode.VIRTUAL_THREADS, 0, 1, virtual, false));
            plans.add(new Plan(Mode.THREADS, cores, 1, 0, true));
        }
        if (copyable) {
            if (!inProcess) {
                plans.add(new Plan(Mode.PROCESSES, 1, 1, 1, false));
            }
            plans.add(new Plan(Mode.PROCESSES, cores, 1, cores, false));
            int p = Math.max(1, cores / 2);
            int t = blocking ? Math.max(2, Math.min(256, many / p)) : Math.max(2, cores / p);
            plans.add(new Plan(Mode.HYBRID, p, t, p * t, false));
            if (tiny && inProcess) {
                plans.add(new Plan(Mode.PROCESSES, cores, 1, 0, true));
            }
        }
        return List.copyOf(plans);
    }

    /** Runs one trial within {@code sliceNanos} (plus a short grace). Never throws for the task's sake. */
    Advice.Trial run(Plan plan, long sliceNanos) {
        Outcome out = new Outcome(plan);
        if (plan.mode().isolated() && processesUnavailable != null) {
            return out.skip(processesUnavailable);
        }
        if (plan.mode().isolated() && probe.serializationError() != null) {
            return out.skip("cannot copy the task to a worker JVM: " + probe.serializationError());
        }
        if (!plan.mode().isolated() && probe.jvmEnded()) {
            return out.skip("not run in the advisor's JVM: in the probe, " + probe.endedHow());
        }
        long sliceEnd = System.nanoTime() + sliceNanos;
        TaskPool pool;
        long t0 = System.nanoTime();
        try {
            pool = builder(plan).start();
        } catch (UnsupportedOperationException e) {
            processesUnavailable =
                    "this tandem-core cannot start " + plan.mode() + " pools yet (" + e.getMessage() + ")";
            return out.skip(processesUnavailable);
        } catch (RuntimeException e) {
            return out.skip("the pool did not start: " + Units.abbreviate(e.getMessage(), 300));
        }
        try {
            out.poolStartNanos = System.nanoTime() - t0;
            long left = Math.max(TimeUnit.MILLISECONDS.toNanos(300), sliceEnd - System.nanoTime());
            long warmup = Math.min(left / 4, TimeUnit.MILLISECONDS.toNanos(1500));
            int n = inst.inputs().size();
            boolean capped = !plan.mode().isolated() && leakCapCalls < n;
            if (capped) {
                n = (int) leakCapCalls;
                out.notes.add("capped at " + n + " calls per phase: the task retains "
                        + Units.bytes(probe.retainedBytesPerCall()) + " per call, which piles up in this JVM");
            }
            long measureStart;
            if (plan.batched()) {
                mapPhase(pool, plan, capped ? Math.max(1, n / 4) : n, System.nanoTime() + warmup, null);
                measureStart = System.nanoTime();
                try (ProcStat.Sampler sampler = new ProcStat.Sampler(pool::workerPids)) {
                    mapPhase(pool, plan, n, measureStart + (left - warmup), out);
                    out.sampled(sampler);
                }
            } else {
                phase(pool, plan, capped ? Math.max(1, n / 4) : n, System.nanoTime() + warmup, null);
                measureStart = System.nanoTime();
                try (ProcStat.Sampler sampler = new ProcStat.Sampler(pool::workerPids)) {
                    phase(pool, plan, n, measureStart + (left - warmup), out);
                    out.sampled(sampler);
                }
            }
            return out.toTrial();
        } finally {
            stop(pool, out);
        }
    }

    private Tandem.Builder builder(Plan plan) {
        Tandem.Builder b = switch (plan.mode()) {
            case THREADS -> Tandem.threads(plan.workers());
            case VIRTUAL_THREADS -> Tandem.virtualThreads();
            case PROCESSES -> Tandem.processes(plan.workers());
            case HYBRID -> Tandem.hybrid(plan.workers(), plan.threadsPerWorker());
            case CLUSTER -> Tandem.localCluster(1).perNode(plan.workers(), plan.threadsPerWorker());
        };
        long longest = probe.maxCallNanos() > 0 ? probe.maxCallNanos() : TimeUnit.SECONDS.toNanos(1);
        long timeout = Math.clamp(20 * longest, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(10));
        b.taskTimeout(Duration.ofNanos(timeout));
        if (plan.mode().isolated()) {
            b.forwardOutput(false);
            b.restartLimit(200, Duration.ofSeconds(10));
            b.restartBackoff(Duration.ofMillis(1), Duration.ofMillis(100));
            if (options.heapPerTaskBytes() > 0) {
                b.jvmOptions("-Xmx" + (options.heapPerTaskBytes() >> 20) + "m");
            }
            List<String> extra = extraWorkerClassPath();
            if (!extra.isEmpty()) {
                b.classPath(extra.toArray(String[]::new));
            }
        }
        return b;
    }

    private List<String> extraWorkerClassPath() {
        Set<String> own = Set.of(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator));
        return subject.extraClassPath().stream().filter(e -> !own.contains(e)).toList();
    }

    private static void stop(TaskPool pool, Outcome out) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(3, TimeUnit.SECONDS)) {
                out.notes.add("the pool did not terminate within 3 s of shutdownNow: a task ignores interrupts");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- submit-per-task phase ---------------------------------------------------------------

    private void phase(TaskPool pool, Plan plan, int n, long deadline, Outcome out) {
        boolean isolated = plan.mode().isolated();
        AtomicInteger next = new AtomicInteger();
        int clients = Math.max(1, Math.min(plan.concurrency(), n));
        Recorder[] recorders = new Recorder[clients];
        int[] hashes = out != null && !isolated ? new int[n] : null;
        byte[] state = hashes == null ? null : new byte[n];
        List<Thread> threads = new ArrayList<>(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Recorder r = recorders[c] = new Recorder();
            // Few callers are platform threads, woken directly when a result arrives; many are virtual.
            Thread.Builder builder = clients <= 64 ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
            threads.add(builder.name("tandem-advise-caller-" + c)
                    .start(() -> callerLoop(pool, isolated, next, n, deadline, r, hashes, state)));
        }
        long end = joinAll(threads, deadline + GRACE_NANOS, pool);
        if (out == null) {
            return;
        }
        for (Recorder r : recorders) {
            out.merge(r);
        }
        out.seconds = Math.max(1, Math.max(end, out.lastDone) - start) / 1e9;
        if (hashes != null) {
            if (plan.mode() == Mode.THREADS && plan.workers() == 1) {
                baselineHashes = hashes;
                baselineState = state;
            } else if (baselineHashes != null) {
                for (int i = 0; i < Math.min(n, baselineHashes.length); i++) {
                    if (state[i] == 1 && baselineState[i] == 1) {
                        out.resultsCompared++;
                        if (hashes[i] != baselineHashes[i]) {
                            out.resultsDiffering++;
                        }
                    }
                }
            }
        }
    }

    private void callerLoop(
            TaskPool pool,
            boolean isolated,
            AtomicInteger next,
            int n,
            long deadline,
            Recorder r,
            int[] hashes,
            byte[] state) {
        List<Object> inputs = inst.inputs();
        while (!Thread.currentThread().isInterrupted()) {
            int i = next.getAndIncrement();
            if (i >= n || System.nanoTime() >= deadline) {
                return;
            }
            Call call = new Call(inst.fn(), inputs.get(i % inputs.size()), i, isolated);
            long submitted = System.nanoTime();
            Future<Sample> f;
            try {
                f = pool.submit(call);
            } catch (RejectedExecutionException e) {
                r.fail(e);
                return;
            }
            try {
                Sample s = f.get(Math.max(1, deadline + GRACE_NANOS - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (s.result() != null) {
                    decode(s.result());
                }
                long done = System.nanoTime();
                r.ok(submitted, done, s);
                if (hashes != null && s.comparable()) {
                    hashes[i] = s.resultHash();
                    state[i] = 1;
                }
            } catch (ExecutionException e) {
                r.fail(e.getCause());
            } catch (TimeoutException e) {
                f.cancel(true);
                r.fail(new TimeoutException("no result by the end of the trial"));
                return;
            } catch (CancellationException e) {
                return;
            } catch (InterruptedException e) {
                f.cancel(true);
                return;
            } catch (RuntimeException e) {
                r.fail(e);
            }
        }
    }

    /** Joins the threads by {@code until}; past it stops the pool so they return. Returns when the last ended. */
    private static long joinAll(List<Thread> threads, long until, TaskPool pool) {
        try {
            for (Thread t : threads) {
                long left = until - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    pool.shutdownNow();
                    for (Thread u : threads) {
                        u.interrupt();
                    }
                    for (Thread u : threads) {
                        u.join(Duration.ofSeconds(5));
                    }
                    break;
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("advisor interrupted during a trial");
            ce.initCause(e);
            throw ce;
        }
        return System.nanoTime();
    }

    private Object decode(byte[] bytes) {
        try (ObjectInputStream in = new LoaderInputStream(new ByteArrayInputStream(bytes), subject.loader())) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot decode the task's result in the caller: " + e, e);
        }
    }

    // ---- map phase ---------------------------------------------------------------------------

    private void mapPhase(TaskPool pool, Plan plan, int n, long deadline, Outcome out) {
        List<Object> inputs = inst.inputs();
        long[] yielded = new long[1];
        Iterable<Object> lazy = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return yielded[0] < n && System.nanoTime() < deadline;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return inputs.get((int) (yielded[0]++ % inputs.size()));
            }
        };
        TaskFunction<Object, Object> fn = plan.mode().isolated() ? new Encoded(inst.fn()) : inst.fn();
        Recorder r = new Recorder();
        long[] done = new long[1];
        long start = System.nanoTime();
        Thread runner = Thread.ofVirtual().name("tandem-advise-map").start(() -> {
            try {
                List<Object> results = pool.map(fn, lazy);
                r.okCount(results.size());
            } catch (TaskExecutionException e) {
                r.okCount(e.inputIndex());
                r.fail(e.getCause());
            } catch (RuntimeException e) {
                r.fail(e);
            }
            done[0] = System.nanoTime();
        });
        joinAll(List.of(runner), deadline + GRACE_NANOS, pool);
        if (out != null) {
            out.merge(r);
            out.seconds = Math.max(1, (done[0] == 0 ? System.nanoTime() : done[0]) - start) / 1e9;
            if (r.failed > 0) {
                out.notes.add("map stops at the first failure");
            }
        }
    }

    // ---- data collected by one trial -------------------------------------------------------

    /** What one caller thread saw; merged after it ended (join gives the happens-before). */
    private static final class Recorder {
        private long[] latency = new long[64];
        private long[] task = new long[64];
        private int n;
        private long okExtra;
        private long failed;
        private final Map<String, Long> kinds = new TreeMap<>();
        private String firstFailure;
        private long lastDone;

        void ok(long submitted, long done, Sample s) {
            if (n == latency.length) {
                latency = Arrays.copyOf(latency, n * 2);
                task = Arrays.copyOf(task, n * 2);
            }
            latency[n] = done - submitted;
            task[n] = s.endNanos() - s.startNanos();
            n++;
            lastDone = done;
        }

        void okCount(long count) {
            okExtra += count;
        }

        void fail(Throwable t) {
            Throwable c = Subject.unwrap(t);
            failed++;
            kinds.merge(c.getClass().getSimpleName(), 1L, Long::sum);
            if (firstFailure == null) {
                firstFailure = ProbeWorker.oneLine(String.valueOf(c));
            }
        }
    }

    /** The trial being built. */
    private final class Outcome {
        final Plan plan;
        final List<String> notes = new ArrayList<>();
        long[] latency = new long[0];
        long[] task = new long[0];
        long okExtra;
        long failed;
        final Map<String, Long> kinds = new TreeMap<>();
        String firstFailure;
        double seconds;
        long lastDone;
        long poolStartNanos = -1;
        long callerUser = -1;
        long callerSystem = -1;
        long workerUser;
        long workerSystem;
        long callerRss = -1;
        List<Long> workerRss = List.of();
        long resultsCompared;
        long resultsDiffering;

        Outcome(Plan plan) {
            this.plan = plan;
        }

        void merge(Recorder r) {
            int old = latency.length;
            latency = Arrays.copyOf(latency, old + r.n);
            task = Arrays.copyOf(task, old + r.n);
            System.arraycopy(r.latency, 0, latency, old, r.n);
            System.arraycopy(r.task, 0, task, old, r.n);
            okExtra += r.okExtra;
            failed += r.failed;
            r.kinds.forEach((k, v) -> kinds.merge(k, v, Long::sum));
            if (firstFailure == null) {
                firstFailure = r.firstFailure;
            }
            lastDone = Math.max(lastDone, r.lastDone);
        }

        void sampled(ProcStat.Sampler s) {
            s.close();
            callerUser = s.callerUser();
            callerSystem = s.callerSystem();
            callerRss = s.callerMaxRss();
            workerUser = s.workerUser();
            workerSystem = s.workerSystem();
            workerRss = s.workerMaxRss();
        }

        Advice.Trial skip(String why) {
            return new Advice.Trial(
                    plan.label(),
                    plan.mode(),
                    plan.workers(),
                    plan.threadsPerWorker(),
                    plan.batched() ? 0 : plan.concurrency(),
                    plan.batched(),
                    why,
                    0,
                    0,
                    Map.of(),
                    null,
                    0,
                    0,
                    -1,
                    -1,
                    -1,
                    -1,
                    -1,
                    -1,
                    -1,
                    -1,
                    0,
                    0,
                    -1,
                    List.of(),
                    -1,
                    0,
                    0,
                    List.of());
        }

        Advice.Trial toTrial() {
            long completed = latency.length + okExtra;
            long[] lat = latency.clone();
            Arrays.sort(lat);
            long[] own = task.clone();
            Arrays.sort(own);
            long[] over = new long[latency.length];
            for (int i = 0; i < over.length; i++) {
                over[i] = Math.max(0, latency[i] - task[i]);
            }
            Arrays.sort(over);
            long taskMedian = own.length > 0 ? Stats.percentile(own, 50) : probe.medianCallNanos();
            return new Advice.Trial(
                    plan.label(),
                    plan.mode(),
                    plan.workers(),
                    plan.threadsPerWorker(),
                    plan.batched() ? 0 : plan.concurrency(),
                    plan.batched(),
                    null,
                    completed,
                    failed,
                    kinds,
                    firstFailure,
                    seconds,
                    seconds > 0 ? completed / seconds : 0,
                    Stats.percentile(lat, 50),
                    Stats.percentile(lat, 90),
                    Stats.percentile(lat, 99),
                    lat.length == 0 ? -1 : lat[lat.length - 1],
                    taskMedian,
                    over.length == 0 ? -1 : Stats.percentile(over, 50),
                    callerUser,
                    callerSystem,
                    workerUser,
                    workerSystem,
                    callerRss,
                    workerRss,
                    poolStartNanos,
                    resultsCompared,
                    resultsDiffering,
                    notes);
        }
    }

    // ---- what crosses to the worker and back -------------------------------------------------

    /**
     * The task the advisor submits: applies the user's function to one input and times it where it
     * runs. In isolated modes it serializes the result itself, so that the caller can decode it
     * with the user's class loader.
     */
    record Call(TaskFunction<Object, Object> fn, Object input, int index, boolean copyResult) implements Task<Sample> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Sample call() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            Object result = fn.apply(input);
            long end = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();
            boolean comparable = result != null && ProbeWorker.comparable(result);
            int hash = result == null ? 0 : Arrays.deepHashCode(new Object[] {result});
            return new Sample(
                    index,
                    start,
                    end,
                    c0 < 0 || c1 < 0 ? -1 : c1 - c0,
                    copyResult ? Trials.encode(result) : null,
                    hash,
                    comparable || result == null);
        }
    }

    /**
     * What a {@link Call} returns.
     *
     * @param index the input's index
     * @param startNanos {@code System.nanoTime()} when the task began, in the JVM that ran it
     * @param endNanos when it ended
     * @param cpuNanos CPU time of the task's thread, or -1
     * @param result the serialized result in isolated modes, else null
     * @param resultHash a hash of the result, to compare runs
     * @param comparable whether the hash reflects the value
     */
    record Sample(
            int index, long startNanos, long endNanos, long cpuNanos, byte[] result, int resultHash, boolean comparable)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** The user's function, its result serialized in the worker (for {@code map} in isolated modes). */
    record Encoded(TaskFunction<Object, Object> fn) implements TaskFunction<Object, Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object input) {
            return encode(fn.apply(input));
        }
    }

    static byte[] encode(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the task's result: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Resolves classes through the user's class loader. */
    private static final class LoaderInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
