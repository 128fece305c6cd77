package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.List;

/**
 * What the stated requirements ({@code --isolate}, {@code --heap-per-task}, {@code --max-latency}) did
 * to a verdict: each is removed in turn and the verdict decided again, and a requirement the task as
 * written cannot meet is named. Pure: words over {@link Rules}.
 */
final class RequirementEffects {
    private final Rules r;

    RequirementEffects(Rules r) {
        this.r = r;
    }

    /**
     * {@return why the task cannot meet {@code r} as it is written, or null if it can}
     * A task that cannot be copied to a worker JVM cannot run in one: with {@code --isolate} the advisor once
     * recommended processes(2), whose submit rejects such a task.
     */
    static String unmet(Rules rules, Advice.Requirements r) {
        if (!rules.needsIsolation(r) || rules.probe.serializationError() == null) {
            return null;
        }
        String error = rules.probe.serializationError();
        return "the task cannot run in a worker JVM until " + (resultOnly(error) ? "its result is" : "it is")
                + " Serializable (" + error + "): " + serialFix(error) + "; the model below is what it needs then";
    }

    /** {@return true if the probe's serialization error names the result, not the task and its input} */
    static boolean resultOnly(String error) {
        return error != null && error.startsWith("its result");
    }

    /**
     * {@return what to change so that worker JVMs can copy the task, for the part that failed} A result of type
     * {@code new Object()} was once answered "make it (and every field it holds) Serializable, or mark the field
     * transient and build it in call()", advice about the task's fields.
     */
    static String serialFix(String error) {
        return resultOnly(error)
                ? "return a Serializable value from call() (a record or class that implements Serializable, a String,"
                        + " a number, or a copy of what the caller needs); the task itself can already be copied"
                : "make it (and every field it holds) Serializable, or mark the field transient and build it in call()";
    }

    /**
     * {@return why the code starts {@code workers} worker JVMs where {@code chosen} was measured with more: the
     * heap per task of {@code --heap-per-task} fits no more in the machine's memory ({@link Rules#workersThatFit})}
     */
    static String heapCap(Rules rules, Advice.Trial chosen, int workers) {
        return chosen.label() + " was measured with " + chosen.workers() + " worker JVMs, but a "
                + Units.bytes(rules.req.heapPerTaskBytes()) + " heap per task fits "
                + Units.count(workers, "worker JVM", "worker JVMs") + " in three quarters of the machine's "
                + Units.bytes(rules.machine.memoryBytes()) + ", so the code starts " + workers + "; expect less than "
                + rules.speedups.rate(chosen) + ", which the " + chosen.workers() + " reached together";
    }

    /** {@return for the verdict's sentence, "; processes(2) ran in the trial, but a 12.0 GiB heap per task fits 1 worker JVM here", or ""} */
    static String fewerWorkers(Rules rules, Rules.Choice c) {
        Advice.Trial basis = c.basis();
        return basis == null || c.workers() >= basis.workers()
                ? ""
                : "; " + basis.label() + " ran in the trial, but a " + Units.bytes(rules.req.heapPerTaskBytes())
                        + " heap per task fits " + Units.count(c.workers(), "worker JVM", "worker JVMs") + " here";
    }

    /** {@return how each stated requirement changed the verdict, each removed in turn} */
    List<String> of(Rules.Choice chosen) {
        List<String> effects = new ArrayList<>();
        if (r.req.isolate()) {
            effect(
                    effects,
                    "--isolate",
                    new Advice.Requirements(false, r.req.heapPerTaskBytes(), r.req.maxLatencyNanos()),
                    chosen);
        }
        if (r.req.heapPerTaskBytes() > 0) {
            effect(
                    effects,
                    "--heap-per-task " + Units.bytes(r.req.heapPerTaskBytes()),
                    new Advice.Requirements(r.req.isolate(), 0, r.req.maxLatencyNanos()),
                    chosen);
        }
        if (r.req.maxLatencyNanos() > 0) {
            effect(
                    effects,
                    "--max-latency " + Units.nanos(r.req.maxLatencyNanos()),
                    new Advice.Requirements(r.req.isolate(), r.req.heapPerTaskBytes(), 0),
                    chosen);
            // one bullet per requirement: what the limit did to the verdict, then how the models met it
            if (!chosen.latencyNotes().isEmpty()) {
                effects.set(effects.size() - 1, effects.getLast() + "; " + String.join("; ", chosen.latencyNotes()));
            }
        }
        return effects;
    }

    private void effect(List<String> effects, String name, Advice.Requirements without, Rules.Choice with) {
        Rules.Choice other = r.choose(without);
        if (other.label().equals(with.label())) {
            effects.add(name + ": no change, " + with.label() + " either way"
                    + (r.needsIsolation(without) && name.equals("--isolate")
                            ? " (the task needs a process boundary anyway)"
                            : ""));
            return;
        }
        if (other.basis() == null) {
            // that model never ran: "changed the verdict from threads(2)" read as if threads(2) had been measured
            effects.add(name + ": without it the verdict would be " + other.label() + ", from the probe alone, as no"
                    + " model that could then run the task was measured; with it, " + with.label());
            return;
        }
        String cost = "";
        if (with.basis() != null && other.basis().throughput() > 0) {
            if (other.basis().mode() == with.basis().mode() && other.batch() != with.batch()) {
                Advice.Trial one = with.batch() ? other.basis() : with.basis();
                Advice.Trial map = with.batch() ? with.basis() : other.basis();
                cost = "; " + Reasons.mapVsOne(map.throughput(), one.throughput());
            } else {
                // a ratio that rests on an artefact is no result: the figure is flagged and no ratio is quoted
                boolean artefact = r.speedups.artefact(with.basis()) || r.speedups.artefact(other.basis());
                cost = "; " + with.basis().label() + " measured "
                        + r.speedups.rate(with.basis()) + " against "
                        + r.speedups.rate(other.basis())
                        + (artefact
                                ? ""
                                : " ("
                                        + Units.ratio(with.basis().throughput()
                                                / other.basis().throughput()) + ")");
                if (with.mode().isolated() && !other.mode().isolated()) {
                    cost += " and " + Units.bytes(with.basis().meanWorkerRssBytes()) + " per worker JVM";
                }
                if (with.basis().p99Nanos() >= 0 && other.basis().p99Nanos() >= 0) {
                    cost += ", p99 " + Units.nanos(with.basis().p99Nanos()) + " vs "
                            + Units.nanos(other.basis().p99Nanos());
                }
            }
        }
        effects.add(name + ": changed the verdict from " + other.label() + " to " + with.label() + cost);
    }
}
