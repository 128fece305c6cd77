package dev.tandem.advisor;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns one run's measurements into a verdict. Pure: the same probe, trials and requirements give
 * the same verdict, which is what the tests feed it.
 *
 * <h2>The rules, in order</h2>
 * <ol>
 *   <li><b>Isolation first.</b> A task that ended its JVM, leaks, loads native code, or gave
 *       different results under threads than alone (while being deterministic) needs a process
 *       boundary, as do {@code --isolate} and {@code --heap-per-task}. One task per worker JVM
 *       ({@code processes}) when a task can take its JVM down, has its own heap cap or races; a
 *       {@code hybrid} of few JVMs with many threads when it mostly blocks and the hybrid measured
 *       at least as fast.</li>
 *   <li><b>Otherwise no processes.</b> Java has no global interpreter lock: threads already run
 *       Java code on every core, so processes buy isolation, not parallelism. A task that mostly
 *       waits gets virtual threads when they came within 80% of the best platform-thread count;
 *       a task that computes gets one platform thread per core.</li>
 *   <li><b>Batching.</b> A task shorter than {@link Trials#TINY_TASK_NANOS} goes through
 *       {@code map}, which batches, when that measured faster.</li>
 *   <li><b>Latency.</b> {@code --max-latency} turns batching off below 50 ms and moves to the
 *       fastest model whose measured p99 met it.</li>
 * </ol>
 * Each requirement is then removed in turn to report how it changed the verdict.
 */
final class Rules {
    private static final long DEFAULT_WORKER_HEAP = 256L << 20;
    private static final long BATCH_LATENCY_FLOOR = 50_000_000L;

    private final Advice.Probe probe;
    private final List<Advice.Trial> trials;
    private final Advice.Requirements req;
    private final Advice.Machine machine;
    private final int cores;

    private Rules(Advice.Probe probe, List<Advice.Trial> trials, Advice.Requirements req, Advice.Machine machine) {
        this.probe = probe;
        this.trials = trials;
        this.req = req;
        this.machine = machine;
        this.cores = machine.cores();
    }

    static Advice.Verdict decide(
            Advice.Probe probe, List<Advice.Trial> trials, Advice.Requirements req, Advice.Machine machine) {
        return new Rules(probe, trials, req, machine).verdict();
    }

    // ---- facts -------------------------------------------------------------------------------

    private boolean exits() {
        return probe.jvmEnded();
    }

    /** The probe had to kill a call that did not return: only a process can stop such a task. */
    private boolean hangs() {
        return probe.jvmEnded() && probe.exitCode() < 0;
    }

    private boolean leaks() {
        return probe.retainedBytesPerCall() >= Trials.LEAK_BYTES_PER_CALL;
    }

    private boolean natives() {
        return !probe.nativeLibraries().isEmpty();
    }

    private Optional<Advice.Trial> racyTrial() {
        return probe.deterministic()
                ? trials.stream().filter(t -> t.resultsDiffering() > 0).findFirst()
                : Optional.empty();
    }

    private double cpuShare() {
        return probe.cpuShare() < 0 ? 1 : probe.cpuShare();
    }

    private boolean blocking() {
        return cpuShare() < 0.5;
    }

    private boolean tiny() {
        return probe.medianCallNanos() >= 0 && probe.medianCallNanos() < Trials.TINY_TASK_NANOS;
    }

    private static boolean measured(Advice.Trial t) {
        return t != null && t.ran() && t.completed() > 0;
    }

    private Advice.Trial find(Predicate<Advice.Trial> p) {
        return trials.stream().filter(p).filter(Rules::measured).findFirst().orElse(null);
    }

    private Advice.Trial planned(Predicate<Advice.Trial> p) {
        return trials.stream().filter(p).findFirst().orElse(null);
    }

    private Advice.Trial threads1() {
        return find(t -> t.mode() == Mode.THREADS && t.workers() == 1 && !t.batched());
    }

    private Advice.Trial threadsCores() {
        return find(t -> t.mode() == Mode.THREADS && t.workers() == cores && !t.batched());
    }

    private Advice.Trial bestThreads() {
        return trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode() == Mode.THREADS && !t.batched())
                .max(Comparator.comparingDouble(Advice.Trial::throughput))
                .orElse(null);
    }

    private Advice.Trial virtual() {
        return find(t -> t.mode() == Mode.VIRTUAL_THREADS && !t.batched());
    }

    private Advice.Trial processes() {
        return trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode() == Mode.PROCESSES && !t.batched())
                .max(Comparator.comparingInt(Advice.Trial::workers))
                .orElse(null);
    }

    private Advice.Trial processes1() {
        return find(t -> t.mode() == Mode.PROCESSES && t.workers() == 1 && !t.batched());
    }

    private Advice.Trial hybrid() {
        return find(t -> t.mode() == Mode.HYBRID && !t.batched());
    }

    private Advice.Trial mapFor(Mode mode) {
        return find(t -> t.mode() == mode && t.batched());
    }

    private Advice.Trial baseline() {
        Advice.Trial t1 = threads1();
        return t1 != null ? t1 : processes1();
    }

    // ---- the choice --------------------------------------------------------------------------

    /** A model and why it changed along the way. */
    private record Choice(
            Mode mode,
            int workers,
            int threadsPerWorker,
            boolean batch,
            Advice.Trial basis,
            List<String> latencyNotes) {
        String label() {
            return Trials.label(mode, workers, threadsPerWorker, 0, false) + (batch ? " + map()" : "");
        }
    }

    private boolean needsIsolation(Advice.Requirements r) {
        return exits() || leaks() || natives() || racyTrial().isPresent() || r.isolate() || r.heapPerTaskBytes() > 0;
    }

    private Choice choose(Advice.Requirements r) {
        boolean isolate = needsIsolation(r);
        Mode mode;
        int workers;
        int tpw = 1;
        Advice.Trial basis;
        if (isolate) {
            boolean onePerJvm =
                    r.heapPerTaskBytes() > 0 || exits() || racyTrial().isPresent();
            Advice.Trial hy = hybrid();
            Advice.Trial pc = processes();
            Advice.Trial hyPlanned = planned(t -> t.mode() == Mode.HYBRID);
            if (!onePerJvm && blocking() && hy != null && (pc == null || hy.throughput() >= pc.throughput())) {
                mode = Mode.HYBRID;
                workers = hy.workers();
                tpw = hy.threadsPerWorker();
                basis = hy;
            } else if (!onePerJvm && blocking() && pc == null && hyPlanned != null) {
                mode = Mode.HYBRID;
                workers = hyPlanned.workers();
                tpw = hyPlanned.threadsPerWorker();
                basis = null;
            } else {
                int fit = Math.min(cores, workersThatFit(r));
                mode = Mode.PROCESSES;
                workers = fit;
                basis = find(t -> t.mode() == Mode.PROCESSES && !t.batched() && t.workers() == fit);
            }
        } else if (blocking()) {
            Advice.Trial best = bestThreads();
            Advice.Trial vt = virtual();
            if (vt != null && (best == null || vt.throughput() >= 0.8 * best.throughput())) {
                mode = Mode.VIRTUAL_THREADS;
                workers = 0;
                basis = vt;
            } else if (best != null) {
                mode = Mode.THREADS;
                workers = best.workers();
                basis = best;
            } else {
                mode = Mode.VIRTUAL_THREADS;
                workers = 0;
                basis = null;
            }
        } else {
            mode = Mode.THREADS;
            workers = cores;
            basis = threadsCores();
        }
        boolean batch = false;
        if (tiny()) {
            Advice.Trial map = mapFor(mode);
            batch = map == null || basis == null || map.throughput() > 1.5 * basis.throughput();
        }
        List<String> notes = new ArrayList<>();
        if (r.maxLatencyNanos() > 0) {
            long limit = r.maxLatencyNanos();
            if (batch && limit < BATCH_LATENCY_FLOOR) {
                batch = false;
                notes.add("batching is off: map() holds each result until its batch of about 20 ms is done, "
                        + "more than --max-latency " + Units.nanos(limit) + " allows");
            }
            if (basis != null && basis.p99Nanos() > limit) {
                // the fastest model that met the limit, in this JVM unless isolation is needed or nothing here met it
                List<Advice.Trial> met = trials.stream()
                        .filter(Rules::measured)
                        .filter(t -> !t.batched())
                        .filter(t -> !isolate || t.mode().isolated())
                        .filter(t -> t.p99Nanos() >= 0 && t.p99Nanos() <= limit && t.failed() == 0)
                        .toList();
                Comparator<Advice.Trial> preference = Comparator.comparing(
                                (Advice.Trial t) -> !isolate && t.mode().isolated())
                        .reversed()
                        .thenComparingDouble(Advice.Trial::throughput);
                Advice.Trial better = met.stream().max(preference).orElse(null);
                if (better != null) {
                    notes.add(Trials.label(mode, workers, tpw, 0, false) + " had p99 " + Units.nanos(basis.p99Nanos())
                            + " > " + Units.nanos(limit) + "; " + better.label() + " met it with p99 "
                            + Units.nanos(better.p99Nanos()) + " at " + Units.rate(better.throughput()));
                    mode = better.mode();
                    workers = better.workers();
                    tpw = better.threadsPerWorker();
                    basis = better;
                } else {
                    Advice.Trial lowest = trials.stream()
                            .filter(Rules::measured)
                            .filter(t -> t.p99Nanos() >= 0)
                            .filter(t -> !isolate || t.mode().isolated())
                            .min(Comparator.comparingLong(Advice.Trial::p99Nanos))
                            .orElse(basis);
                    Advice.Trial here = trials.stream()
                            .filter(Rules::measured)
                            .filter(t -> !t.mode().isolated())
                            .filter(t -> t.p99Nanos() >= 0 && t.p99Nanos() <= limit)
                            .findFirst()
                            .orElse(null);
                    notes.add("no " + (isolate ? "isolated " : "") + "model met --max-latency " + Units.nanos(limit)
                            + ": the lowest p99 measured was " + Units.nanos(lowest.p99Nanos()) + " (" + lowest.label()
                            + ") for a task of " + Units.nanos(probe.medianCallNanos()) + " (median)"
                            + (isolate && here != null
                                    ? "; in this JVM " + here.label() + " met it with p99 "
                                            + Units.nanos(here.p99Nanos())
                                            + ", so weigh the isolation against the limit"
                                    : "; make the task shorter or relax the limit"));
                }
            }
        }
        return new Choice(mode, workers, tpw, batch, basis, notes);
    }

    private int workersThatFit(Advice.Requirements r) {
        if (r.heapPerTaskBytes() <= 0 || machine.memoryBytes() <= 0) {
            return cores;
        }
        Advice.Trial pc = processes();
        long base = pc != null && pc.meanWorkerRssBytes() > 0 ? pc.meanWorkerRssBytes() : 48L << 20;
        long fit = machine.memoryBytes() * 3 / 4 / (r.heapPerTaskBytes() + base);
        return (int) Math.max(1, Math.min(cores, fit));
    }

    private long recycleAfter(Advice.Requirements r) {
        long heap = r.heapPerTaskBytes() > 0 ? r.heapPerTaskBytes() : DEFAULT_WORKER_HEAP;
        return Math.max(1, heap / 2 / Math.max(1, probe.retainedBytesPerCall()));
    }

    // ---- the verdict -------------------------------------------------------------------------

    private Advice.Verdict verdict() {
        Choice c = choose(req);
        List<Advice.Reason> reasons = new ArrayList<>();
        resources(c, reasons);
        concurrency(c, reasons);
        dataSharing(reasons);
        failure(c, reasons);
        structure(c, reasons);
        overhead(c, reasons);
        List<String> effects = requirementEffects(c);
        return new Advice.Verdict(
                c.mode(),
                c.workers(),
                c.threadsPerWorker(),
                c.batch(),
                code(c, req),
                summary(c),
                reasons,
                effects,
                warnings());
    }

    private String code(Choice c, Advice.Requirements r) {
        StringBuilder b = new StringBuilder("try (TaskPool pool = ");
        b.append(
                switch (c.mode()) {
                    case THREADS -> "Tandem.threads(" + c.workers() + ")";
                    case VIRTUAL_THREADS -> "Tandem.virtualThreads()";
                    case PROCESSES -> "Tandem.processes(" + c.workers() + ")";
                    case HYBRID -> "Tandem.hybrid(" + c.workers() + ", " + c.threadsPerWorker() + ")";
                    case CLUSTER -> "Tandem.localCluster(1).perNode(" + c.workers() + ", " + c.threadsPerWorker() + ")";
                });
        if (c.mode().isolated() && leaks()) {
            b.append("\n        .maxTasksPerWorker(").append(recycleAfter(r)).append(')');
        }
        if (c.mode().isolated() && r.heapPerTaskBytes() > 0) {
            b.append("\n        .jvmOptions(\"-Xmx")
                    .append(r.heapPerTaskBytes() >> 20)
                    .append("m\")");
        }
        if (r.maxLatencyNanos() > 0) {
            b.append("\n        .taskTimeout(Duration.ofMillis(")
                    .append(Math.max(1, r.maxLatencyNanos() / 1_000_000))
                    .append("))");
        } else if (hangs()) {
            long timeout =
                    probe.medianCallNanos() > 0 ? Math.max(1000, 10 * probe.medianCallNanos() / 1_000_000) : 30_000;
            b.append("\n        .taskTimeout(Duration.ofMillis(")
                    .append(timeout)
                    .append("))");
        }
        b.append(".start()) {\n");
        b.append(
                c.batch()
                        ? "    List<R> results = pool.map(fn, inputs);   // batches tiny tasks\n"
                        : "    Future<R> f = pool.submit(task);            // one task per input\n");
        b.append('}');
        return b.toString();
    }

    private String summary(Choice c) {
        String why;
        Advice.Trial t1 = baseline();
        Advice.Trial racy = racyTrial().orElse(null);
        if (hangs()) {
            why = "a call did not return (" + probe.endedHow() + "); a Java thread cannot be stopped, but a worker"
                    + " process can: taskTimeout kills and replaces it";
        } else if (exits()) {
            why = "the task ended its JVM (" + probe.endedHow()
                    + "); only a worker process keeps that from ending your application";
        } else if (leaks()) {
            why = "the task retains " + Units.bytes(probe.retainedBytesPerCall())
                    + " per call; worker JVMs recycled every " + recycleAfter(req) + " tasks contain the leak";
        } else if (natives()) {
            why = "the task loads native code (" + probe.nativeLibraries().getFirst()
                    + "); a crash there ends the whole JVM";
        } else if (racy != null) {
            why = "results under " + racy.label() + " differed from the single-thread run for "
                    + racy.resultsDiffering() + " of " + racy.resultsCompared()
                    + " inputs: the task is probably not thread-safe";
        } else if (req.heapPerTaskBytes() > 0) {
            why = "you asked for a " + Units.bytes(req.heapPerTaskBytes())
                    + " heap per task, which only a JVM of its own gives";
        } else if (req.isolate()) {
            Choice free = choose(new Advice.Requirements(false, 0, req.maxLatencyNanos()));
            why = "you asked for isolation"
                    + (c.basis() != null && free.basis() != null && free.basis() != c.basis()
                            ? "; it runs at "
                                    + Units.ratio(c.basis().throughput()
                                            / free.basis().throughput())
                                    + " the throughput of " + free.label() + " ("
                                    + Units.rate(c.basis().throughput()) + " vs "
                                    + Units.rate(free.basis().throughput()) + ")"
                            : "");
        } else if (c.mode() == Mode.VIRTUAL_THREADS) {
            Advice.Trial best = bestThreads();
            why = "a call waits " + Units.percent(1 - cpuShare()) + " of its time"
                    + (c.basis() != null && best != null
                            ? "; " + c.basis().label() + " completed "
                                    + Units.rate(c.basis().throughput()) + ", "
                                    + Units.ratio(c.basis().throughput() / best.throughput()) + " " + best.label()
                            : "");
        } else if (c.mode() == Mode.THREADS && blocking()) {
            why = "a call waits " + Units.percent(1 - cpuShare()) + " of its time, and " + c.workers()
                    + " platform threads measured fastest";
        } else if (c.batch()) {
            Advice.Trial one = c.basis();
            why = "a call takes only " + Units.nanos(probe.medianCallNanos()) + ", less than handing it to a pool"
                    + (one != null && one.overheadNanos() >= 0
                            ? " (" + Units.nanos(one.overheadNanos()) + " in " + one.label() + ")"
                            : "")
                    + ", so batch the calls";
        } else {
            Advice.Trial tc = threadsCores();
            Advice.Trial pc = processes();
            why = "the task computes (" + Units.percent(cpuShare()) + " CPU) in pure Java"
                    + (tc != null && t1 != null && t1 != tc
                            ? "; threads scaled " + Units.ratio(tc.throughput() / t1.throughput()) + " over one thread"
                            : "")
                    + (pc != null
                            ? ", and processes add only cost (" + Units.bytes(pc.meanWorkerRssBytes())
                                    + " per worker JVM, " + Units.nanos(pc.overheadNanos()) + " per task)"
                            : ", and without a GIL processes would add only cost");
        }
        String batch = "";
        if (c.batch()) {
            Advice.Trial map = mapFor(c.mode());
            Advice.Trial one = map == null
                    ? null
                    : find(t -> t.mode() == map.mode() && t.workers() == map.workers() && !t.batched());
            batch = map != null && one != null
                    ? "; pass the inputs to pool.map(fn, inputs): batched, " + map.label() + " ran "
                            + Units.rate(map.throughput()) + " vs " + Units.rate(one.throughput()) + " one by one"
                    : "; pass the inputs to pool.map(fn, inputs), which batches tasks this short ("
                            + Units.nanos(probe.medianCallNanos()) + ")";
        }
        return "Use " + Trials.label(c.mode(), c.workers(), c.threadsPerWorker(), 0, false) + ": " + why + batch + ".";
    }

    private void resources(Choice c, List<Advice.Reason> out) {
        Advice.Trial t1 = baseline();
        Advice.Trial tc = threadsCores();
        Advice.Trial pc = processes();
        List<String> parts = new ArrayList<>();
        if (t1 != null && tc != null && tc != t1) {
            parts.add(tc.label() + " ran " + Units.rate(tc.throughput()) + ", "
                    + Units.ratio(tc.throughput() / t1.throughput())
                    + " " + t1.label() + " on " + cores + " cores (no GIL: Java threads run on every core at once)"
                    + (machine.loadAverage() > cores
                            ? String.format(
                                    Locale.ROOT,
                                    "; the machine was busy (load average %.1f on %d cores), so every scaling figure here is understated",
                                    machine.loadAverage(),
                                    cores)
                            : ""));
        }
        if (pc != null && t1 != null && pc != t1) {
            parts.add(pc.label() + " ran " + Units.rate(pc.throughput()) + ", "
                    + Units.ratio(pc.throughput() / t1.throughput()) + " " + t1.label());
        }
        if (pc != null) {
            Advice.Trial ref = tc != null ? tc : t1;
            parts.add("each worker JVM held " + Units.bytes(pc.meanWorkerRssBytes()) + " resident"
                    + (ref != null
                            ? " beside the caller's " + Units.bytes(ref.callerRssBytes()) + "; threads add no JVM"
                            : ""));
            if (ref != null && ref.cpuPerTaskNanos() > 0 && pc.cpuPerTaskNanos() > 0) {
                parts.add("CPU per task (user + system, caller + workers): " + Units.nanos(ref.cpuPerTaskNanos())
                        + " in " + ref.label() + ", " + Units.nanos(pc.cpuPerTaskNanos()) + " in " + pc.label());
            }
        }
        if (probe.allocatedBytesPerCall() >= 0) {
            parts.add("a call allocates " + Units.bytes(probe.allocatedBytesPerCall()) + " on the heap");
        }
        if (req.heapPerTaskBytes() > 0) {
            parts.add("a " + Units.bytes(req.heapPerTaskBytes()) + " heap per task fits " + workersThatFit(req)
                    + " worker JVMs in " + Units.bytes(machine.memoryBytes()) + " on " + cores + " cores");
        }
        if (parts.isEmpty()) {
            parts.add(
                    probe.medianCallNanos() < 0
                            ? "no call completed (" + probe.calls()
                                    + " in the probe), so no model's use of CPU and memory could be measured"
                            : "only the probe ran: a call takes " + Units.nanos(probe.medianCallNanos())
                                    + " (median of " + probe.calls() + ")");
        }
        out.add(new Advice.Reason(Advice.Angle.RESOURCES, sentence(parts)));
    }

    private void concurrency(Choice c, List<Advice.Reason> out) {
        if (probe.medianCallNanos() < 0) {
            out.add(new Advice.Reason(
                    Advice.Angle.CONCURRENCY,
                    "no call completed in the probe (" + probe.calls()
                            + " completed), so whether the task computes or waits is unknown; more concurrency cannot help a task"
                            + " that does not return."));
            return;
        }
        String share = "a call spends " + Units.percent(cpuShare()) + " of its " + Units.nanos(probe.medianCallNanos())
                + " on the CPU (probe, " + probe.calls() + " calls)";
        Advice.Trial vt = virtual();
        Advice.Trial best = bestThreads();
        Advice.Trial tc = threadsCores();
        String text;
        if (blocking()) {
            text = share + ": it mostly waits, so concurrency beyond the " + cores + " cores pays";
            if (vt != null && tc != null) {
                text += "; " + vt.label() + " completed " + Units.rate(vt.throughput()) + " against " + tc.label()
                        + "'s " + Units.rate(tc.throughput());
            }
            if (best != null && best != tc) {
                text += " and " + best.label() + "'s " + Units.rate(best.throughput());
            }
            text +=
                    ". Virtual threads unmount while they block, so thousands wait at the cost of a few carrier threads";
        } else {
            text = share + ": it computes, so more threads than cores (" + cores + ") cannot help";
            if (vt != null && tc != null) {
                text += "; " + vt.label() + " completed " + Units.rate(vt.throughput()) + " against " + tc.label()
                        + "'s " + Units.rate(tc.throughput())
                        + ", and virtual threads are not time-sliced, so they fit waiting, not computing";
            }
        }
        out.add(new Advice.Reason(Advice.Angle.CONCURRENCY, sentence(List.of(text))));
    }

    private void dataSharing(List<Advice.Reason> out) {
        String text;
        if (probe.serializationError() != null) {
            text = probe.serializationError() + ": worker processes need Serializable tasks and results (implement "
                    + "Serializable, or build the state in each worker with an initializer); threads share the heap and copy nothing";
        } else {
            text = "a task with its input serializes to " + Units.bytes(probe.taskBytes()) + " and its result to "
                    + Units.bytes(probe.resultBytes())
                    + ": processes copy both on every call and share no heap, so writes to "
                    + "captured objects are not seen by the caller; threads pass references";
        }
        out.add(new Advice.Reason(Advice.Angle.DATA_SHARING, sentence(List.of(text))));
    }

    private void failure(Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        Advice.Trial iso = trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode().isolated())
                .max(Comparator.comparingLong(Advice.Trial::failed))
                .orElse(null);
        if (hangs()) {
            parts.add("in the probe " + probe.endedHow() + ": a thread pool can only interrupt such a call and"
                    + " leaves the thread running; a process pool's taskTimeout kills the worker and starts another");
        } else if (exits()) {
            String s = "in the probe the task ended its JVM: " + probe.endedHow()
                    + "; in a thread pool that ends your application, and no catch block can stop System.exit";
            if (iso != null) {
                s += "; " + iso.label() + " lost " + iso.failureKinds().getOrDefault("WorkerLostException", 0L)
                        + " workers (WorkerLostException), replaced them and completed " + iso.completed() + " tasks";
            }
            parts.add(s);
        }
        if (leaks()) {
            long heap = req.heapPerTaskBytes() > 0 ? req.heapPerTaskBytes() : DEFAULT_WORKER_HEAP;
            parts.add("the heap after full GC grew " + Units.bytes(probe.retainedBytesPerCall())
                    + " per call (a leak or an unbounded cache): a " + Units.bytes(heap) + " heap fills after about "
                    + heap / probe.retainedBytesPerCall() + " calls; maxTasksPerWorker(" + recycleAfter(req)
                    + ") replaces each worker JVM before it fills");
        }
        if (probe.failures() > 0) {
            parts.add(probe.failures() + " of " + probe.calls() + " probe calls threw (first: " + probe.firstFailure()
                    + ")");
        }
        long trialFailures = trials.stream().mapToLong(Advice.Trial::failed).sum();
        long timeouts = trials.stream()
                .mapToLong(t -> t.failureKinds().getOrDefault("TaskTimeoutException", 0L))
                .sum();
        if (timeouts > 0) {
            parts.add(
                    timeouts + " tasks hit the trial's task timeout; a thread cannot be killed, a worker process can");
        }
        if (parts.isEmpty()) {
            long done = trials.stream().mapToLong(Advice.Trial::completed).sum();
            parts.add("no call failed (" + probe.calls() + " probe calls, " + done + " trial tasks, " + trialFailures
                    + " failures) and the heap did not grow (" + Units.bytes(probe.retainedBytesPerCall())
                    + " per call): nothing here needs a process boundary");
        }
        out.add(new Advice.Reason(Advice.Angle.FAILURE, sentence(parts)));
    }

    private void structure(Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        Advice.Trial racy = racyTrial().orElse(null);
        if (racy != null) {
            parts.add("results under " + racy.label() + " differed from threads(1) for " + racy.resultsDiffering()
                    + " of "
                    + racy.resultsCompared()
                    + " inputs, though a repeated call gave an equal result: shared mutable state "
                    + "without synchronization; one task per JVM avoids the race until the code is fixed");
        } else {
            trials.stream()
                    .filter(t -> t.resultsCompared() > 0)
                    .findFirst()
                    .ifPresent(t -> parts.add("results under " + t.label() + " matched threads(1) for all "
                            + t.resultsCompared() + " inputs compared: no sign of a data race"));
        }
        if (natives()) {
            parts.add("the task loaded native code (" + String.join(", ", probe.nativeLibraries())
                    + "): a crash there ends the whole JVM, which only a process boundary contains");
        }
        if (req.isolate()) {
            parts.add("isolation was required: worker JVMs also give untrusted or non-thread-safe code its own heap "
                    + "(Java has no SecurityManager any more: a JVM is the smallest boundary)");
        }
        parts.add("switching models is one line with Tandem ("
                + Trials.label(c.mode(), c.workers(), c.threadsPerWorker(), 0, false)
                + " is a TaskPool like the others); tasks in worker JVMs receive copies");
        out.add(new Advice.Reason(Advice.Angle.STRUCTURE, sentence(parts)));
    }

    private void overhead(Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        List<String> per = trials.stream()
                .filter(Rules::measured)
                .filter(t -> !t.batched() && t.overheadNanos() >= 0)
                .map(t -> t.label() + " " + Units.nanos(t.overheadNanos()))
                .toList();
        if (!per.isEmpty()) {
            parts.add("median task " + Units.nanos(probe.medianCallNanos())
                    + "; overhead per task (dispatch, queueing, " + "serialization, IPC): " + String.join(", ", per));
        }
        trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode().isolated() && t.poolStartNanos() > 0)
                .findFirst()
                .ifPresent(t -> parts.add("starting " + t.label() + " took " + Units.nanos(t.poolStartNanos())));
        Advice.Trial map = mapFor(c.mode().isolated() ? Mode.PROCESSES : Mode.THREADS);
        Advice.Trial one = map == null
                ? null
                : find(t -> t.mode() == map.mode()
                        && t.workers() == map.workers()
                        && t.threadsPerWorker() == map.threadsPerWorker()
                        && !t.batched());
        if (map != null && one != null && one.throughput() > 0) {
            parts.add("map() batched to " + Units.rate(map.throughput()) + " vs " + Units.rate(one.throughput())
                    + " submitting one by one (" + Units.ratio(map.throughput() / one.throughput()) + ")"
                    + (c.batch() ? ": batch tasks this short" : tiny() ? "" : ": tasks this long need no batching"));
        } else if (tiny()) {
            parts.add("a call takes only " + Units.nanos(probe.medianCallNanos()) + ": batch such tasks with map()");
        }
        if (parts.isEmpty()) {
            parts.add("a call takes " + Units.nanos(probe.medianCallNanos())
                    + "; no trial ran to weigh overheads against it");
        }
        out.add(new Advice.Reason(Advice.Angle.OVERHEAD, sentence(parts)));
    }

    private List<String> requirementEffects(Choice chosen) {
        List<String> effects = new ArrayList<>();
        if (req.isolate()) {
            effect(
                    effects,
                    "--isolate",
                    new Advice.Requirements(false, req.heapPerTaskBytes(), req.maxLatencyNanos()),
                    chosen);
        }
        if (req.heapPerTaskBytes() > 0) {
            effect(
                    effects,
                    "--heap-per-task " + Units.bytes(req.heapPerTaskBytes()),
                    new Advice.Requirements(req.isolate(), 0, req.maxLatencyNanos()),
                    chosen);
        }
        if (req.maxLatencyNanos() > 0) {
            effect(
                    effects,
                    "--max-latency " + Units.nanos(req.maxLatencyNanos()),
                    new Advice.Requirements(req.isolate(), req.heapPerTaskBytes(), 0),
                    chosen);
            for (String note : chosen.latencyNotes()) {
                effects.add("--max-latency: " + note);
            }
        }
        return effects;
    }

    private void effect(List<String> effects, String name, Advice.Requirements without, Choice with) {
        Choice other = choose(without);
        if (other.label().equals(with.label())) {
            effects.add(name + ": no change, " + with.label() + " either way"
                    + (needsIsolation(without) && name.equals("--isolate")
                            ? " (the task needs a process boundary anyway)"
                            : ""));
            return;
        }
        String cost = "";
        Advice.Trial map = mapFor(with.mode());
        if (other.basis() == with.basis() && other.batch() != with.batch() && map != null && with.basis() != null) {
            cost = "; one by one measured " + Units.rate(with.basis().throughput()) + ", batched "
                    + Units.rate(map.throughput());
        } else if (other.basis() != null
                && with.basis() != null
                && other.basis().throughput() > 0) {
            cost = "; " + with.basis().label() + " measured "
                    + Units.rate(with.basis().throughput()) + " against "
                    + Units.rate(other.basis().throughput()) + " ("
                    + Units.ratio(with.basis().throughput() / other.basis().throughput())
                    + ")";
            if (with.mode().isolated() && !other.mode().isolated()) {
                cost += " and " + Units.bytes(with.basis().meanWorkerRssBytes()) + " per worker JVM";
            }
            if (with.basis().p99Nanos() >= 0 && other.basis().p99Nanos() >= 0) {
                cost += ", p99 " + Units.nanos(with.basis().p99Nanos()) + " vs "
                        + Units.nanos(other.basis().p99Nanos());
            }
        }
        effects.add(name + ": changed the verdict from " + other.label() + " to " + with.label() + cost);
    }

    private List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (probe.failures() > 0) {
            w.add(probe.failures() + " of " + probe.calls() + " probe calls failed: " + probe.firstFailure());
        }
        if (exits() && probe.medianCallNanos() < 0) {
            w.add(
                    "no call completed before the JVM ended; every measurement of processes is a measurement of restarts");
        }
        trials.stream()
                .filter(t -> !t.ran())
                .map(t -> t.label() + " not run: " + t.skipped())
                .distinct()
                .forEach(w::add);
        if (probe.serializationError() == null && !probe.deterministic() && probe.resultBytes() >= 0) {
            w.add(
                    "a repeated call gave a different (or incomparable) result, so results were not used to check thread safety");
        }
        return w;
    }

    private static String sentence(List<String> parts) {
        String s = String.join("; ", parts);
        return s.endsWith(".") ? s : s + ".";
    }
}
