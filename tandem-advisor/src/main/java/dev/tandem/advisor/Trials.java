package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.measure.Load;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Units;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * threads beyond) each submit one {@link Calls.Call}, wait for its result, and submit
 * the next: a closed loop, so latency is submit-to-result without a queue of the advisor's making,
 * and the pool is never short of work. Each call times the task inside the worker; latency
 * minus that time is the overhead of dispatch, serialization and IPC. In isolated modes the result
 * is serialized in the worker and deserialized here, as a real caller would. A batched trial hands
 * the inputs to {@link TaskPool#map} instead, once per window of the measured phase, so that a batched
 * trial has a spread like the others. A {@link UsageSampler} reads the CPU and memory
 * of the caller and every worker JVM meanwhile, and a {@link Load.Meter} what other programs took.
 * The measured phase falls into five windows whose throughputs are the trial's spread
 * ({@link TrialOutcome}).
 *
 * <h2>Bounds</h2>
 * A slice begins once its pool started (measured apart: the cold start). Callers stop submitting at the
 * deadline and give up on a result after a grace; a caller still there a margin later has its pool stopped
 * ({@link Callers#stopAt}). A call without a result is a timeout, or lost with its worker JVM if workers
 * ended meanwhile. The pool is stopped ({@code shutdownNow}, bounded {@code awaitTermination}) in a finally. Pools carry a task timeout, so a runaway
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

    /** Alternating rounds of a duel: enough for a spread of each side. */
    static final int DUEL_ROUNDS = 6;
    /** The most trials {@link #plan} gives a task (the least budget, {@link Advisor#MIN_TIME}, holds them). */
    static final int MAX_PLANS = 8;

    /** For tests: callers ignore their own timeout, so only the stop of their pool ({@link Callers}) ends a wait. */
    boolean callersIgnoreTheirTimeout;
    /** Why the last {@link #duel} returned null: one concrete reason, with its figures; null if it did not. */
    String duelFailure;

    private final Subject subject;
    private final Subject.Instance inst;
    private final Advice.Probe probe;
    private final Advisor.Options options;
    private final long leakCapCalls;
    private int[] baselineHashes;
    private byte[] baselineState;
    private String processesUnavailable;
    private final Pace pace;
    /** The wait for the current phase's last results after its deadline; set when a trial or duel begins. */
    private long graceNanos;
    /** The processes the task starts: those under a worker JVM are noted before the pool stops it. */
    private final Orphans orphans;

    Trials(
            Subject subject,
            Subject.Instance inst,
            Advice.Probe probe,
            Advisor.Options options,
            int inProcessTrials,
            Orphans orphans) {
        this.subject = subject;
        this.orphans = orphans;
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
        this.pace = Pace.measure();
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

    /** {@return why this model cannot run the task here, or null if it can} */
    String notRun(Plan plan) {
        if (plan.mode().isolated() && processesUnavailable != null) {
            return processesUnavailable;
        }
        if (plan.mode().isolated() && probe.serializationError() != null) {
            return "cannot copy the task to a worker JVM: " + probe.serializationError();
        }
        if (!plan.mode().isolated() && probe.jvmEnded()) {
            return "not run in the advisor's JVM: in the probe, " + probe.endedHow();
        }
        return null;
    }

    /** {@return the trial of a model that did not run, and why} */
    Advice.Trial skip(Plan plan, String why) {
        return new TrialOutcome(plan).skip(why);
    }

    /** Runs one trial: its pool's start, then {@code sliceNanos} and a grace ({@link Callers#graceNanos}). */
    Advice.Trial run(Plan plan, long sliceNanos) {
        TrialOutcome out = new TrialOutcome(plan);
        String notRun = notRun(plan);
        if (notRun != null) {
            return out.skip(notRun);
        }
        graceNanos = grace(sliceNanos, plan);
        Load.Meter meter = Load.start();
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
            // the slice begins once the pool started (was: processes(2) "failed", its pool took 3 s to start in an
            // 857 ms share); at least 0.3 s, a timed window that does not stretch with the pace
            long left = Math.max(TimeUnit.MILLISECONDS.toNanos(300), sliceNanos);
            long warmup = Math.min(left / 4, TimeUnit.MILLISECONDS.toNanos(1500));
            int n = inst.inputs().size();
            boolean capped = !plan.mode().isolated() && leakCapCalls < n;
            if (capped) {
                n = (int) leakCapCalls;
                out.notes.add("capped at " + n + " calls per phase: the task retains "
                        + Units.bytes(probe.retainedBytesPerCall()) + " per call, which piles up in this JVM");
            }
            long measureStart;
            TrialOutcome warm = new TrialOutcome(plan);
            if (plan.batched()) {
                mapPhase(pool, plan, capped ? Math.max(1, n / 4) : n, System.nanoTime() + warmup, warm);
            } else {
                phase(pool, plan, capped ? Math.max(1, n / 4) : n, System.nanoTime() + warmup, warm, false);
            }
            if (pool.isShutdown()) {
                // a warm-up caller did not return after its own timeout, so the pool was stopped: a measured phase
                // would only be refused, and those refusals are the advisor's, not the task's
                out.warmUpStopped(warm, Units.nanos(warmup + graceNanos));
                out.load = meter.stop();
                return out.toTrial(probe.medianCallNanos());
            }
            if (plan.batched()) {
                measureStart = System.nanoTime();
                out.measureStart = measureStart;
                try (UsageSampler sampler = new UsageSampler(pool::workerPids)) {
                    // map() returns all results at once: one call per window gives the trial a spread; each
                    // call takes at most a fifth of the inputs, since map may read its inputs ahead of the window's end
                    long span = left - warmup;
                    int windows = TrialOutcome.mapWindows(n);
                    int perWindow = Math.max(1, n / windows);
                    for (int w = 0; w < windows && out.failed == 0 && !pool.isShutdown(); w++) {
                        TrialOutcome window = new TrialOutcome(plan);
                        long until = measureStart + span * (w + 1) / windows;
                        mapPhase(pool, plan, perWindow, until, window);
                        out.window(window);
                    }
                    out.sampled(sampler);
                }
            } else {
                measureStart = System.nanoTime();
                out.measureStart = measureStart;
                try (UsageSampler sampler = new UsageSampler(pool::workerPids)) {
                    phase(pool, plan, n, measureStart + (left - warmup), out, true);
                    out.sampled(sampler);
                }
            }
            out.load = meter.stop();
            return out.toTrial(probe.medianCallNanos());
        } finally {
            stop(pool, out);
        }
    }

    /**
     * Two models measured again side by side, with the same load: {@link #DUEL_ROUNDS} rounds in which
     * each runs for the same short time, alternating, so that a burst of load from another program
     * falls on both.
     *
     * @param a the first model's label
     * @param aThroughputs its tasks per second, one per round
     * @param b the second model's label
     * @param bThroughputs its tasks per second, one per round
     * @param load the machine's load meanwhile
     * @param failures why a side completed no task in any round, by label: a failed measurement, whose 0/s
     *        neither wins nor loses
     */
    record Duel(
            String a,
            List<Double> aThroughputs,
            String b,
            List<Double> bThroughputs,
            Load load,
            Map<String, String> failures) {
        Duel {
            aThroughputs = List.copyOf(aThroughputs);
            bThroughputs = List.copyOf(bThroughputs);
            failures = Map.copyOf(failures);
        }

        /** A duel in which both sides completed tasks. */
        Duel(String a, List<Double> aThroughputs, String b, List<Double> bThroughputs, Load load) {
            this(a, aThroughputs, b, bThroughputs, load, Map.of());
        }

        /** {@return the samples of the model with this label, or null} */
        List<Double> samples(String label) {
            return label.equals(a) ? aThroughputs : label.equals(b) ? bThroughputs : null;
        }

        /** {@return why the side with this label completed no task side by side, or null if it did (or is no side)} */
        String failure(String label) {
            return failures.get(label);
        }
    }

    /**
     * The least a duel's round may last: long enough for each caller to complete a few tasks, however long a
     * call is, so that a round's throughput is not one task's length.
     */
    static long minRoundNanos(Advice.Probe probe) {
        long call = Math.max(0, probe.medianCallNanos());
        return Math.max(TimeUnit.MILLISECONDS.toNanos(50), 4 * call);
    }

    /**
     * {@return the least share a duel needs: every round (a warm-up and {@link #DUEL_ROUNDS} of each) at its
     * least, each side's turn with its wait for a last call}
     */
    static long minDuelNanos(Advice.Probe probe) {
        return 3L * (DUEL_ROUNDS + 1) * minRoundNanos(probe);
    }

    /**
     * Runs {@code a} and {@code b} side by side within {@code budgetNanos}, from the pools' start to their
     * stop: the rounds share what is left once both pools have started, and each round waits for its last
     * results at most as long as the round itself; rounds that no longer fit are not run. Returns null if
     * either pool cannot start, or if fewer than three rounds of each fit. Never throws for the task's sake.
     */
    Duel duel(Plan a, Plan b, long budgetNanos) {
        duelFailure = null;
        long end = System.nanoTime() + budgetNanos;
        List<TaskPool> pools = new ArrayList<>();
        Load.Meter meter = Load.start();
        try {
            for (Plan p : List.of(a, b)) {
                try {
                    pools.add(builder(p).start());
                } catch (RuntimeException e) {
                    duelFailure = p.label() + " did not start (" + Units.firstLine(String.valueOf(e)) + ")";
                    return null;
                }
            }
            int n = inst.inputs().size();
            if (!a.mode().isolated() || !b.mode().isolated()) {
                n = (int) Math.min(n, leakCapCalls);
            }
            // each side's turn may take half as long again (its last results are waited for up to that), and the
            // pools' stop comes after the last round
            long stopping = Math.min(pace.limit(Pace.Limit.POOL_TERMINATION).toNanos(), budgetNanos / 10);
            long left = end - stopping - System.nanoTime();
            long round = left / (3L * (DUEL_ROUNDS + 1));
            if (round < minRoundNanos(probe)) {
                duelFailure = "once both pools had started, " + Units.nanos(Math.max(0, left)) + " was left, too"
                        + " little for " + DUEL_ROUNDS + " rounds of each of at least "
                        + Units.nanos(minRoundNanos(probe));
                return null;
            }
            graceNanos = round / 2;
            List<List<Double>> samples = List.of(new ArrayList<>(), new ArrayList<>());
            long[] done = new long[2];
            String[] first = new String[2];
            for (int r = -1; r < DUEL_ROUNDS; r++) {
                if (r >= 0 && System.nanoTime() + 3 * round > end - stopping) {
                    break; // the rounds that are left no longer fit
                }
                for (int i = 0; i < 2; i++) {
                    Plan plan = i == 0 ? a : b;
                    TrialOutcome out = new TrialOutcome(plan);
                    long start = System.nanoTime();
                    out.measureStart = start;
                    if (plan.batched()) {
                        mapPhase(pools.get(i), plan, n, start + round, out);
                    } else {
                        phase(pools.get(i), plan, n, start + round, out, false);
                    }
                    if (pools.get(i).isShutdown()) {
                        // a caller outlived its round and wait, so its pool was stopped: later rounds would be refused
                        duelFailure = plan.label() + "'s calls did not end within " + Units.nanos(round + graceNanos)
                                + " in " + (r < 0 ? "the warm-up round" : "round " + (r + 1))
                                + ", so its pool was stopped"
                                + (out.firstFailure == null
                                        ? ""
                                        : " (" + Units.abbreviate(out.firstFailure, 120) + ")");
                        return null;
                    }
                    if (r >= 0) { // round -1 warms both up
                        long completed = out.latency.length + out.okExtra;
                        samples.get(i).add(out.seconds > 0 ? completed / out.seconds : 0);
                        done[i] += completed;
                        first[i] = first[i] != null ? first[i] : out.firstFailure;
                    }
                }
            }
            if (samples.get(0).size() < 3) {
                duelFailure = "only " + Units.count(samples.get(0).size(), "round", "rounds") + " of each fitted in"
                        + " its time, fewer than 3";
                return null;
            }
            Map<String, String> failures = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                if (done[i] == 0) {
                    failures.put(
                            (i == 0 ? a : b).label(),
                            "completed no task in " + samples.get(i).size() + " rounds side by side"
                                    + (first[i] == null
                                            ? ""
                                            : " (first failure: " + Units.abbreviate(first[i], 120) + ")"));
                }
            }
            return new Duel(a.label(), samples.get(0), b.label(), samples.get(1), meter.stop(), failures);
        } finally {
            for (TaskPool pool : pools) {
                stop(pool, new TrialOutcome(a));
            }
        }
    }

    /** {@return the wait for a phase's last results ({@link Callers#graceNanos})} */
    private long grace(long sliceNanos, Plan plan) {
        return Callers.graceNanos(
                sliceNanos, probe.maxCallNanos(), pace, plan.mode().isolated());
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
        // A bound above the task's known length, stretched when the machine is busy (the same task runs slower).
        long timeout =
                pace.scaleNanos(Math.clamp(20 * longest, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(10)));
        b.taskTimeout(Duration.ofNanos(timeout));
        if (plan.mode().isolated()) {
            b.workerStartTimeout(pace.limit(Pace.Limit.WORKER_START));
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
        Set<String> own = Set.of(System.getProperty("java.class.path", "").split(File.pathSeparator));
        return subject.extraClassPath().stream().filter(e -> !own.contains(e)).toList();
    }

    private void stop(TaskPool pool, TrialOutcome out) {
        // a worker JVM's children are this JVM's descendants only until the worker ends
        orphans.note();
        pool.shutdownNow();
        Duration bound = pace.limit(Pace.Limit.POOL_TERMINATION);
        try {
            if (!pool.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                out.notes.add("the pool did not terminate within " + Units.nanos(bound.toNanos())
                        + " of shutdownNow: a task ignores interrupts");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Callers submit one task each and wait for it, until {@code deadline}; results go to {@code out}. With
     * {@code compare}, results in this JVM are hashed and compared with the single-thread run's, for the same
     * inputs, to catch a task that is not thread-safe.
     */
    private void phase(TaskPool pool, Plan plan, int n, long deadline, TrialOutcome out, boolean compare) {
        boolean isolated = plan.mode().isolated();
        AtomicInteger next = new AtomicInteger();
        int clients = Math.max(1, Math.min(plan.concurrency(), n));
        TrialOutcome.Recorder[] recorders = new TrialOutcome.Recorder[clients];
        int[] hashes = out != null && compare && !isolated ? new int[n] : null;
        byte[] state = hashes == null ? null : new byte[n];
        List<Thread> threads = new ArrayList<>(clients);
        long died = Callers.workersDied(pool);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            TrialOutcome.Recorder r = recorders[c] = new TrialOutcome.Recorder();
            // Few callers are platform threads, woken directly when a result arrives; many are virtual.
            Thread.Builder builder = clients <= 64 ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
            threads.add(builder.name("tandem-advise-caller-" + c)
                    .start(() -> callerLoop(pool, isolated, next, n, deadline, r, hashes, state)));
        }
        // callers give up at the deadline plus the grace; the pool is stopped only for one still there a margin later
        long end = Callers.joinAll(
                threads,
                Callers.stopAt(deadline + graceNanos, graceNanos),
                pool,
                pace.limit(Pace.Limit.POOL_TERMINATION));
        died = Callers.workersDied(pool) - died;
        for (TrialOutcome.Recorder r : recorders) {
            out.merge(r, died);
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
            TrialOutcome.Recorder r,
            int[] hashes,
            byte[] state) {
        List<Object> inputs = inst.inputs();
        while (!Thread.currentThread().isInterrupted()) {
            int i = next.getAndIncrement();
            if (i >= n || System.nanoTime() >= deadline) {
                return;
            }
            Calls.Call call = new Calls.Call(inst.fn(), inputs.get(i % inputs.size()), i, isolated);
            long submitted = System.nanoTime();
            Future<Calls.Sample> f;
            try {
                f = pool.submit(call);
            } catch (RejectedExecutionException e) {
                if (!pool.isShutdown()) {
                    r.fail(e); // refused by a pool the advisor did not stop
                }
                return; // else the advisor stopped the pool at the phase's deadline: no call of the task's
            }
            try {
                long wait = callersIgnoreTheirTimeout ? Long.MAX_VALUE : deadline + graceNanos - System.nanoTime();
                Calls.Sample s = f.get(Math.max(1, wait), TimeUnit.NANOSECONDS);
                if (s.result() != null) {
                    Calls.decode(s.result(), subject.loader());
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
                r.unanswered();
                return;
            } catch (CancellationException | InterruptedException e) {
                f.cancel(true);
                if (pool.isShutdown()) {
                    // the advisor stopped the pool past the phase's deadline and grace while this call ran
                    r.unanswered();
                }
                return;
            } catch (RuntimeException e) {
                r.fail(e);
            }
        }
    }

    private void mapPhase(TaskPool pool, Plan plan, int n, long deadline, TrialOutcome out) {
        Callers.map(
                pool,
                plan.mode().isolated(),
                inst,
                n,
                deadline,
                deadline + graceNanos,
                pace.limit(Pace.Limit.POOL_TERMINATION),
                out);
    }
}
