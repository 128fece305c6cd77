package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The words of a verdict: its one-sentence summary and one reason per angle of the question
 * (resources, concurrency, data sharing, failure, structure, overhead), each citing numbers that
 * {@link Rules} measured facts about. Pure, like {@link Rules}.
 */
final class Reasons {
    /** How a verdict that other programs' load kept from ranking the models begins. */
    static final String INCONCLUSIVE_BUSY = "inconclusive (machine busy): ";
    /** How a verdict whose figures are noise on a quiet machine begins. */
    static final String INCONCLUSIVE_NOISE = "inconclusive (noisy measurement): ";
    /** How a verdict whose deciding models were measured once begins: one sample has no spread to compare. */
    static final String INCONCLUSIVE_FEW = "inconclusive (too few measurements): ";
    /** What an inconclusive verdict asks for. */
    static final String RERUN = "rerun on a quieter machine to rank them";
    /** What a verdict resting on single measurements asks for. */
    static final String LONGER = "give a longer --time, so that each model is measured in several windows";

    /** How a speed-up that is not quoted begins. */
    private static final String NO_SPEEDUP = "no speed-up quoted: ";

    private final Rules r;

    Reasons(Rules r) {
        this.r = r;
    }

    /** {@return the verdict in one sentence: the model, the risk or requirement that shaped it, and the numbers} */
    String summary(Rules.Choice c) {
        StringBuilder why = new StringBuilder();
        if (c.inconclusive()) {
            why.append(
                    Doubts.busyDoubt(c)
                            ? INCONCLUSIVE_BUSY
                            : Doubts.oneMeasurement(c) ? INCONCLUSIVE_FEW : INCONCLUSIVE_NOISE);
        }
        Advice.Trial racy = r.racyTrial().orElse(null);
        // a race alone leaves threads(1) free to run the task: then the verdict keeps nothing apart
        boolean isolated = r.needsIsolation(r.req) && c.mode().isolated();
        if (r.hangs()) {
            why.append("a call did not return (")
                    .append(r.probe.endedHow())
                    .append("); a Java thread cannot be stopped,")
                    .append(" but a worker process can: taskTimeout kills and replaces it");
        } else if (r.exits()) {
            why.append("the task ended its JVM (")
                    .append(r.probe.endedHow())
                    .append("); only a worker process keeps that from ending your application");
        } else if (r.leaks()) {
            why.append("the task retains ")
                    .append(Units.bytes(r.probe.retainedBytesPerCall()))
                    .append(" per call; worker JVMs with a ")
                    .append(Units.bytes(
                            r.req.heapPerTaskBytes() > 0 ? r.req.heapPerTaskBytes() : Rules.DEFAULT_WORKER_HEAP))
                    .append(" heap, recycled every ")
                    .append(r.recycleAfter(r.req))
                    .append(" tasks (one task per submit), contain the leak");
        } else if (r.natives()) {
            why.append("the task loads native code (")
                    .append(r.probe.nativeLibraries().getFirst())
                    .append("); a crash there ends the whole JVM");
        } else if (racy != null) {
            why.append("results under ")
                    .append(racy.label())
                    .append(" differed from the single-thread run for ")
                    .append(racy.resultsDiffering())
                    .append(" of ")
                    .append(racy.resultsCompared())
                    .append(" inputs: the task is probably not thread-safe");
        } else if (isolated) {
            why.append(r.isolationReason(r.req));
        } else if (r.blocking()) {
            why.append("a call waits ").append(Units.percent(1 - r.cpuShare())).append(" of its time");
        } else {
            why.append("the task computes (")
                    .append(Units.percent(r.cpuShare()))
                    .append(" CPU) in pure Java, and Java has no GIL: threads run it on every core, so worker JVMs")
                    .append(" would buy isolation, not speed");
        }
        Advice.Trial basis = c.basis();
        Advice.Trial fastest = c.fastest();
        SpeedupBound f = r.speedups;
        Preferred preferred = new Preferred(r);
        PassedOver passed = new PassedOver(r, r.req);
        if (basis == null) {
            List<Advice.Trial> missing = ProbeOnly.notMeasured(r, r.req);
            String unmet = RequirementEffects.unmet(r, r.req);
            boolean anyRan = r.trials.stream().anyMatch(Rules::measured);
            if (unmet != null) {
                why.append("; but ").append(unmet);
            }
            why.append(
                            anyRan
                                    ? "; no model that may run the task was measured, so this is not a measured"
                                            + " comparison but follows from the probe alone"
                                    : "; no model was measured, so this is not a measured comparison but follows"
                                            + " from the probe alone")
                    .append(missing.isEmpty() ? "" : " (" + ProbeOnly.notMeasuredText(missing) + ")")
                    .append(Unmeasured.alsoRuledOut(r, r.req));
        } else if (fastest == basis) {
            Advice.Trial next = r.allowed(r.req, true).stream()
                    .filter(t -> t != basis)
                    .max(Comparator.comparingDouble(r::speed))
                    .orElse(null);
            why.append(isolated ? "; of the models that keep it apart, " : "; ").append(basis.label());
            if (next != null && r.speed(next) > r.speed(basis) && r.cmp.dueled(basis, next)) {
                why.append(" measured clearly faster than ")
                        .append(next.label())
                        .append(" side by side (")
                        .append(r.cmp.spread(basis, next))
                        .append(" against ")
                        .append(r.cmp.spread(next, basis))
                        .append("; in the table ")
                        .append(f.rate(basis))
                        .append(" against ")
                        .append(f.rate(next))
                        .append(")");
            } else if (next == null) {
                List<Advice.Trial> missing = ProbeOnly.notMeasured(r, r.req);
                why.append(" measured ").append(f.rate(basis));
                // "the only model measured" was said while a faster model's trial stood in the table, passed over
                // because it failed side by side: the clause after names it
                String only = passed.ruledOut(basis).isEmpty()
                        ? ", the only model measured that may run it"
                        : ", the only model left that may run it";
                why.append(missing.isEmpty() ? only : only + ": " + ProbeOnly.notMeasuredText(missing));
                why.append(Unmeasured.alsoRuledOut(r, r.req));
            } else {
                // "measured fastest" was said while a faster model had been ruled out: the clause after names it
                why.append(
                                passed.ruledOut(basis).isEmpty()
                                        ? " measured fastest at "
                                        : isolated
                                                ? " is the fastest, at "
                                                : " is the fastest of the models that remain, at ")
                        .append(Units.rate(r.speed(basis)))
                        // one parenthesis, each artefact flagged in it: "(threads(256): 12,356/s (an artefact...))"
                        // nested
                        .append(" (")
                        .append(f.flag(basis).isEmpty() ? "" : f.flag(basis) + "; ")
                        .append(next.label())
                        .append(": ")
                        .append(Units.rate(r.speed(next)))
                        .append(f.flag(next).isEmpty() ? "" : ", " + f.flag(next))
                        .append(")");
            }
        } else if (r.cmp.separated(fastest, basis)) {
            // apart, but kept from winning: was "within the noise of each other" of spreads that did not overlap
            why.append("; ")
                    .append(fastest.label())
                    .append(" measured ")
                    .append(f.rate(fastest))
                    .append(" against ")
                    .append(basis.label())
                    .append("'s ")
                    .append(f.rate(basis))
                    .append(", but ")
                    .append(shortLead(fastest, basis, !c.inconclusive()))
                    .append(", so ")
                    .append(preferred.why(basis, fastest));
        } else {
            // one sample each has no spread: "within the noise" compared nothing
            why.append("; ")
                    .append(fastest.label())
                    .append(" and ")
                    .append(basis.label())
                    .append(
                            r.cmp.thin(fastest, basis)
                                    ? " were not told apart ("
                                    : " measured within the noise of each other (")
                    .append(r.cmp.tie(fastest, basis))
                    .append("), so ")
                    .append(preferred.why(basis, fastest));
        }
        if (basis != null) {
            why.append(passed.clause(basis));
            why.append(RequirementEffects.fewerWorkers(r, c));
            String latency = new LatencyNotes(r).unmet(r.req, basis);
            if (latency != null) {
                why.append("; ").append(latency);
            }
        }
        if (c.inconclusive()) {
            why.append("; ")
                    .append(c.doubt())
                    .append(", so ")
                    .append(Doubts.oneMeasurement(c) ? Doubts.longer(c) : RERUN);
        }
        String batch = "";
        if (c.batch()) {
            Advice.Trial map = basis;
            Advice.Trial one = map == null
                    ? null
                    : r.find(t -> t.mode() == map.mode() && t.workers() == map.workers() && !t.batched());
            batch = map != null && one != null
                    ? "; pass the inputs to pool.map(fn, inputs)"
                            + (r.cmp.tiedSideBySide(map, one)
                                    ? ", although " + r.cmp.mapAgainstOne(map, one)
                                    : ": " + map.label() + " ran " + mapVsOne(map.throughput(), one.throughput()))
                    : "; pass the inputs to pool.map(fn, inputs), which batches tasks this short ("
                            + Units.nanos(r.probe.medianCallNanos()) + ")";
        }
        return "Use " + Trials.label(c.mode(), c.workers(), c.threadsPerWorker(), 0, false) + ": " + why + batch + ".";
    }

    /** {@return why {@code a}, which beats {@code b} but does not suit the task, did not displace it} */
    String shortLead(Advice.Trial a, Advice.Trial b) {
        return shortLead(a, b, true);
    }

    /**
     * {@return as {@link #shortLead(Advice.Trial, Advice.Trial)}, asking for a rerun only if {@code rerun}} An
     * inconclusive verdict asks for it once, at its end: "rerun on a quieter machine" was said twice in one.
     */
    String shortLead(Advice.Trial a, Advice.Trial b, boolean rerun) {
        String contradicted = PassedOver.contradictedLead(r, a, b);
        if (contradicted != null) {
            return contradicted;
        }
        String spreads = "(" + (r.cmp.dueled(a, b) ? "side by side, " : "") + r.cmp.spread(a, b) + " against "
                + r.cmp.spread(b, a) + ")";
        if (!r.cmp.busy(a, b) && r.cmp.untrusted(a, b) && r.cmp.leadsBy(Rules.UNSUITED_MARGIN, a, b)) {
            Advice.Trial off = r.speedups.artefact(a) ? a : r.speedups.artefact(b) ? b : r.speedups.first();
            return "it led " + spreads + ", but " + r.speedups.text(off) + ", so its windows do not rank the two"
                    + (rerun ? "; rerun" : "");
        }
        if (r.cmp.busy(a, b) && r.cmp.leadsBy(Rules.UNSUITED_MARGIN, a, b)) {
            return "it led " + spreads + " on a busy machine, where a model that does not suit the task is not"
                    + " trusted to win: other programs' load decides such a lead more than the model does"
                    + (rerun ? "; rerun on a quieter machine" : "");
        }
        return "its lower quartile led the other's upper quartile by " + Units.percent(r.cmp.lead(a, b))
                + ", less than the " + Math.round(Rules.UNSUITED_MARGIN * 100)
                + "% a model that does not suit the task must lead by " + spreads;
    }

    /** {@return map() against one task per submit, the one way every sentence says it: "200/s with map() vs 190/s one by one"} */
    static String mapVsOne(double map, double one) {
        return Units.rate(map) + " with map() vs " + Units.rate(one) + " one by one";
    }

    /**
     * {@return {@code t}'s speed-up over the baseline {@code t1}, such as "1.97× threads(1)", or, when it is
     * physically impossible, why it is not quoted}
     */
    private String speedupText(Advice.Trial t, Advice.Trial t1) {
        Advice.Trial off = contradicted(t) ? t : contradicted(t1) ? t1 : null;
        return r.speedups.artefact(t)
                ? NO_SPEEDUP + r.speedups.text(t)
                : off != null
                        ? NO_SPEEDUP + off.label() + "'s trial figure is contradicted side by side"
                        : Units.ratio(t.throughput() / t1.throughput()) + " " + t1.label();
    }

    /** {@return true if the duel contradicts {@code t}'s trial figure ({@link Comparisons#contradicted})} */
    private boolean contradicted(Advice.Trial t) {
        return r.cmp.contradicting(t, r.trials) != null;
    }

    /**
     * {@return {@code t}'s figure as a reason quotes it: flagged as an artefact ({@link SpeedupBound#rate}) or as
     * contradicted side by side, in the same sentence, as the table flags it}
     */
    private String quoted(Advice.Trial t) {
        return r.speedups.rate(t) + (contradicted(t) ? " (contradicted side by side)" : "");
    }

    /**
     * {@return "; the machine was busy (...), so every scaling figure here is unreliable" when the run's load, the
     * one the banner and the verdict read, was busy, or "" when it was not} The load average when the run began
     * said "busy" beside a verdict that the run's load called quiet; it is the test only when the run's load was
     * not measured.
     */
    private String busyScaling() {
        boolean busy = r.runLoad != null ? Rules.busy(r.runLoad) : r.machine.loadAverage() > r.cores;
        if (!busy) {
            return "";
        }
        return "; the machine was busy ("
                + (r.runLoad != null
                        ? r.runLoad.description()
                        : String.format(Locale.ROOT, "load average %.1f on %d cores", r.machine.loadAverage(), r.cores))
                + "), so every scaling figure here is unreliable";
    }

    void resources(Rules.Choice c, List<Advice.Reason> out) {
        Advice.Trial t1 = r.baseline();
        Advice.Trial tc = r.threadsCores();
        Advice.Trial pc = r.processes();
        List<String> parts = new ArrayList<>();
        if (t1 != null && tc != null && tc != t1) {
            // "... an artefact of the measurement, not a result on 2 cores (no GIL ...)": the cores follow a speed-up,
            // never the words that say why none is quoted
            String speedup = speedupText(tc, t1);
            parts.add(tc.label() + " ran " + quoted(tc) + ", "
                    + (speedup.startsWith(NO_SPEEDUP)
                            ? speedup + "; on " + r.cores + " cores Java threads run on every core at once (no GIL)"
                            : speedup + " on " + r.cores + " cores (no GIL: Java threads run on every core at once)")
                    + busyScaling());
        }
        if (pc != null && t1 != null && pc != t1) {
            parts.add(pc.label() + " ran " + quoted(pc) + ", " + speedupText(pc, t1));
        }
        if (pc != null) {
            // threads against the worker JVMs: never the processes trial against itself (was "190 ms in
            // processes(1), 190 ms in processes(1)" when processes(1) was the baseline)
            Advice.Trial ref = tc != null ? tc : r.threads1();
            parts.add("each worker JVM held " + Units.bytes(pc.meanWorkerRssBytes()) + " resident"
                    + (ref != null
                            ? " beside the caller's " + Units.bytes(ref.callerRssBytes()) + "; threads add no JVM"
                            : ""));
            if (ref != null && ref.cpuPerTaskNanos() > 0 && pc.cpuPerTaskNanos() > 0) {
                parts.add("CPU per task (user + system, caller + workers): " + Units.nanos(ref.cpuPerTaskNanos())
                        + " in " + ref.label() + ", " + Units.nanos(pc.cpuPerTaskNanos()) + " in " + pc.label());
            }
        }
        if (r.probe.allocatedBytesPerCall() >= 0) {
            parts.add("a call allocates " + Units.bytes(r.probe.allocatedBytesPerCall()) + " on the heap");
        }
        if (r.req.heapPerTaskBytes() > 0) {
            parts.add("a " + Units.bytes(r.req.heapPerTaskBytes()) + " heap per task fits "
                    + Units.count(r.workersThatFit(r.req), "worker JVM", "worker JVMs") + " in "
                    + Units.bytes(r.machine.memoryBytes()) + " on " + Units.count(r.cores, "core", "cores"));
        }
        if (parts.isEmpty()) {
            parts.add(
                    r.probe.medianCallNanos() < 0
                            ? "no call completed (" + r.probe.calls()
                                    + " in the probe), so no model's use of CPU and memory could be measured"
                            : "only the probe ran: a call takes " + Units.nanos(r.probe.medianCallNanos())
                                    + " (median of " + r.probe.calls() + ")");
        }
        out.add(new Advice.Reason(Advice.Angle.RESOURCES, sentence(parts)));
    }

    void concurrency(Rules.Choice c, List<Advice.Reason> out) {
        if (r.probe.medianCallNanos() < 0) {
            out.add(new Advice.Reason(
                    Advice.Angle.CONCURRENCY,
                    "no call completed in the probe (" + r.probe.calls()
                            + " completed), so whether the task computes or waits is unknown; more concurrency cannot help a task"
                            + " that does not return."));
            return;
        }
        String share = "a call spends " + Units.percent(r.cpuShare()) + " of its "
                + Units.nanos(r.probe.medianCallNanos()) + " on the CPU (probe, " + r.probe.calls() + " calls)";
        Advice.Trial vt = r.virtual();
        Advice.Trial best = r.bestThreads();
        Advice.Trial tc = r.threadsCores();
        String text;
        // each clause whole whichever trials ran: "pays and threads(256)'s 22,664/s" was glued on when
        // virtual threads or threads per core had not been measured
        List<Advice.Trial> platform = new ArrayList<>();
        if (tc != null) {
            platform.add(tc);
        }
        if (r.blocking() && best != null && best != tc) {
            platform.add(best);
        }
        String figures = figures(vt, platform);
        if (r.blocking()) {
            text = share + ": it mostly waits, so concurrency beyond the " + Units.count(r.cores, "core", "cores")
                    + " pays" + (figures.isEmpty() ? "" : "; " + figures)
                    + ". Virtual threads unmount while they block, so thousands wait at the cost of a few carrier threads";
        } else {
            text = share + ": it computes, so more threads than " + Units.count(r.cores, "core", "cores")
                    + " cannot help" + (figures.isEmpty() ? "" : "; " + figures)
                    + (vt != null
                            ? ", and virtual threads are not time-sliced, so they fit waiting, not computing"
                            : "");
        }
        out.add(new Advice.Reason(Advice.Angle.CONCURRENCY, sentence(List.of(text))));
    }

    /**
     * {@return the concurrency figures as one clause, whichever of them were measured: "virtual(8) completed
     * 930/s against threads(2)'s 950/s and threads(256)'s 900/s", "threads(2) completed 950/s", or ""}
     */
    String figures(Advice.Trial vt, List<Advice.Trial> platform) {
        List<String> others =
                platform.stream().map(t -> t.label() + "'s " + quoted(t)).toList();
        if (vt != null) {
            return vt.label() + " completed " + quoted(vt)
                    + (others.isEmpty() ? "" : " against " + String.join(" and ", others));
        }
        return platform.isEmpty()
                ? ""
                : platform.getFirst().label() + " completed " + quoted(platform.getFirst())
                        + (platform.size() > 1
                                ? " and " + platform.get(1).label() + " " + quoted(platform.get(1))
                                : "");
    }

    void dataSharing(List<Advice.Reason> out) {
        String text;
        if (r.probe.serializationError() != null) {
            text = r.probe.serializationError() + ": worker processes need Serializable tasks and results ("
                    + RequirementEffects.serialFix(r.probe.serializationError()) + "); threads share the heap and copy"
                    + " nothing";
        } else {
            text = "a task with its input serializes to " + Units.bytes(r.probe.taskBytes()) + " and its result to "
                    + Units.bytes(r.probe.resultBytes())
                    + ": processes copy both on every call and share no heap, so writes to "
                    + "captured objects are not seen by the caller; threads pass references"
                    + SharedData.measured(r.probe.taskBytes(), r.processes());
        }
        out.add(new Advice.Reason(Advice.Angle.DATA_SHARING, sentence(List.of(text))));
    }

    void failure(Rules.Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        Advice.Trial iso = r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode().isolated())
                .max(Comparator.comparingLong(Advice.Trial::failed))
                .orElse(null);
        if (r.hangs()) {
            parts.add("in the probe " + r.probe.endedHow() + ": a thread pool can only interrupt such a call and"
                    + " leaves the thread running; a process pool's taskTimeout kills the worker and starts another");
        } else if (r.exits()) {
            String s = "in the probe the task ended its JVM: " + r.probe.endedHow()
                    + "; in a thread pool that ends your application, and no catch block can stop System.exit";
            if (iso != null) {
                long lost = iso.failureKinds().getOrDefault("WorkerLostException", 0L);
                s += "; in " + iso.label() + " " + Units.count(lost, "task", "tasks")
                        + " failed with WorkerLostException"
                        + " (a worker JVM that died takes with it every task it held; the pool replaced it), and "
                        + Units.count(iso.completed(), "task", "tasks") + " completed";
            }
            parts.add(s);
        }
        if (r.leaks()) {
            long heap = r.req.heapPerTaskBytes() > 0 ? r.req.heapPerTaskBytes() : Rules.DEFAULT_WORKER_HEAP;
            parts.add("the heap after full GC grew " + Units.bytes(r.probe.retainedBytesPerCall())
                    + " per call (a leak or an unbounded cache): a " + Units.bytes(heap) + " heap fills after about "
                    + heap / r.probe.retainedBytesPerCall() + " calls; maxTasksPerWorker(" + r.recycleAfter(r.req)
                    + ") replaces each worker JVM before it fills");
        }
        if (r.probe.failures() > 0) {
            parts.add(r.probe.failures() + " of " + r.probe.calls() + " probe calls threw (first: "
                    + r.probe.firstFailure() + ")");
        }
        long trialFailures = r.trials.stream().mapToLong(Advice.Trial::failed).sum();
        long timeouts = r.trials.stream()
                .mapToLong(t -> t.failureKinds().getOrDefault("TaskTimeoutException", 0L))
                .sum();
        if (timeouts > 0) {
            parts.add(Units.count(timeouts, "task", "tasks")
                    + " hit the trial's task timeout; a thread cannot be killed," + " a worker process can");
        }
        long otherFailures =
                r.trials.stream().mapToLong(TrialFailures::failures).sum();
        if (otherFailures > 0 && !r.exits()) {
            Advice.Trial first = r.trials.stream()
                    .filter(t -> TrialFailures.failures(t) > 0)
                    .findFirst()
                    .orElseThrow();
            parts.add(otherFailures + (otherFailures == 1 ? " trial task" : " trial tasks") + " failed ("
                    + first.label() + ": " + TrialFailures.failuresText(first) + ")");
        }
        if (parts.isEmpty()) {
            long done = r.trials.stream().mapToLong(Advice.Trial::completed).sum();
            parts.add("no call failed (" + r.probe.calls() + " probe calls, " + done + " trial tasks, " + trialFailures
                    + " failures) and the heap did not grow (" + Units.bytes(r.probe.retainedBytesPerCall())
                    + " per call): "
                    // was "nothing here needs a process boundary" beside a verdict of processes(2) for --heap-per-task
                    + (r.needsBoundary(r.req)
                            ? "the task's failures need no process boundary, but " + r.isolationReason(r.req, false)
                            : "nothing here needs a process boundary"));
        }
        out.add(new Advice.Reason(Advice.Angle.FAILURE, sentence(parts)));
    }

    void structure(Rules.Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        Advice.Trial racy = r.racyTrial().orElse(null);
        if (racy != null) {
            parts.add("results under " + racy.label() + " differed from threads(1) for " + racy.resultsDiffering()
                    + " of "
                    + racy.resultsCompared()
                    + " inputs, though a repeated call gave an equal result: shared mutable state "
                    + "without synchronization; one task per JVM avoids the race until the code is fixed");
        } else if (r.probe.deterministic()) {
            // equal results prove nothing of a task whose repeated call differs (the warnings say so)
            r.trials.stream()
                    .filter(t -> t.resultsCompared() > 0)
                    .findFirst()
                    .ifPresent(t -> parts.add("results under " + t.label() + " matched threads(1) for all "
                            + t.resultsCompared() + " inputs compared: no sign of a data race"));
        }
        if (r.natives()) {
            parts.add("the task loaded native code (" + String.join(", ", r.probe.nativeLibraries())
                    + "): a crash there ends the whole JVM, which only a process boundary contains");
        }
        if (r.req.isolate()) {
            parts.add("isolation was required: worker JVMs also give untrusted or non-thread-safe code its own heap "
                    + "(Java has no SecurityManager any more: a JVM is the smallest boundary)");
        }
        parts.add("switching models is one line with Tandem ("
                + Trials.label(c.mode(), c.workers(), c.threadsPerWorker(), 0, false)
                + " is a TaskPool like the others); tasks in worker JVMs receive copies");
        out.add(new Advice.Reason(Advice.Angle.STRUCTURE, sentence(parts)));
    }

    void overhead(Rules.Choice c, List<Advice.Reason> out) {
        List<String> parts = new ArrayList<>();
        List<String> per = r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> !t.batched() && t.overheadNanos() >= 0)
                .map(t -> t.label() + " " + Units.nanos(t.overheadNanos()))
                .toList();
        if (!per.isEmpty()) {
            parts.add("median task " + Units.nanos(r.probe.medianCallNanos())
                    + "; overhead per task (dispatch, queueing, " + "serialization, IPC): " + String.join(", ", per));
        }
        r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.mode().isolated() && t.poolStartNanos() > 0)
                .findFirst()
                .ifPresent(t -> parts.add("starting " + t.label() + " took " + Units.nanos(t.poolStartNanos())));
        Advice.Trial map = r.mapFor(c.mode().isolated() ? Mode.PROCESSES : Mode.THREADS);
        Advice.Trial one = map == null
                ? null
                : r.find(t -> t.mode() == map.mode()
                        && t.workers() == map.workers()
                        && t.threadsPerWorker() == map.threadsPerWorker()
                        && !t.batched());
        if (map != null && one != null && one.throughput() > 0 && r.cmp.tiedSideBySide(map, one)) {
            // the duel measured the two again: their trials' figures ("favours batching") are not quoted as a gain
            parts.add((c.batch() ? "batched with map(), although " : "batching gained nothing measurable: ")
                    + r.cmp.mapAgainstOne(map, one));
        } else if (map != null && one != null && one.throughput() > 0) {
            // one statement: "map() batched to X" beside "tasks this long need no batching" read as both
            double gain = map.throughput() / one.throughput();
            String measuredMap = mapVsOne(map.throughput(), one.throughput()) + " (" + Units.ratio(gain) + ")";
            parts.add(
                    c.batch()
                            ? "batched with map(): " + measuredMap
                            : gain <= 1
                                    ? "batching gains nothing here: " + measuredMap
                                    : r.tiny()
                                            ? "each task is submitted on its own although " + measuredMap
                                                    + " favours batching (see the requirements)"
                                            : "each task is submitted on its own: " + measuredMap + ", but at "
                                                    + Units.nanos(r.probe.medianCallNanos())
                                                    + " per call a task is long enough to submit on its own");
        } else if (r.tiny()) {
            // advise map() only where the code does: "batch such tasks with map()" came with a submit() example
            parts.add("a call takes only " + Units.nanos(r.probe.medianCallNanos())
                    + (c.batch()
                            ? ": batch such tasks with map()"
                            : ": map() might batch such tasks, but it was not measured, so the code submits them one"
                                    + " by one"));
        }
        if (parts.isEmpty()) {
            parts.add("a call takes " + Units.nanos(r.probe.medianCallNanos())
                    + "; no trial ran to weigh overheads against it");
        }
        out.add(new Advice.Reason(Advice.Angle.OVERHEAD, sentence(parts)));
    }

    static String sentence(List<String> parts) {
        String s = String.join("; ", parts);
        return s.endsWith(".") ? s : s + ".";
    }

    List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (r.probe.failures() > 0) {
            w.add(r.probe.failures() + " of " + r.probe.calls() + " probe calls failed: " + r.probe.firstFailure());
        }
        if (r.hangs() && r.probe.medianCallNanos() < 0) {
            w.add("no call returned before the probe's deadline; a thread cannot stop such a call, a worker JVM is"
                    + " stopped by the pool's task timeout");
        } else if (r.exits() && r.probe.medianCallNanos() < 0) {
            w.add(
                    "no call completed before the JVM ended; every measurement of processes is a measurement of restarts");
        }
        r.trials.stream()
                .filter(t -> !t.ran())
                .map(t -> t.label() + " not run: " + t.skipped())
                .distinct()
                .forEach(w::add);
        Unmeasured.repeatUnchecked(r).ifPresent(w::add);
        return w;
    }
}
