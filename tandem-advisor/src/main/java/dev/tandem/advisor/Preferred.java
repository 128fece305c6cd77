package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;

/**
 * Why the rule prefers one model to another that the figures did not rank above it, in words, in the order of
 * {@link Rules#preference()}: what suits the task, then what costs less, then one task per submit before
 * {@code map}. A cost is called cheaper only where the two costs differ: "the cheaper of the two" was once said
 * of {@code threads(2)} against {@code threads(2)+map}, which cost the same. Pure: words over {@link Rules}.
 */
final class Preferred {
    /**
     * What suits a task that computes: one task per core at once. Worker JVMs add isolation from the caller, not
     * parallelism: threads already run on every core (no GIL), and a hybrid's threads share their worker's heap.
     */
    static final String COMPUTES_SUITS =
            "one task per core at once: a thread per core, a worker JVM per core, or a hybrid whose worker JVMs"
                    + " times threads equal the cores";

    private final Rules r;

    Preferred(Rules r) {
        this.r = r;
    }

    /**
     * {@return why {@code chosen} wins over {@code other} when the figures leave them unranked, beginning with
     * what it is: "the one that suits the task: ...", "the cheaper of the two: ...", "the one that submits each
     * task on its own: ..." or, at equal cost, "the one the rule prefers at the same cost: ..."}
     */
    String why(Advice.Trial chosen, Advice.Trial other) {
        long limit = r.req.maxLatencyNanos();
        if (r.latencyDecides(r.req) && LatencyNotes.p99OrMax(chosen) < LatencyNotes.p99OrMax(other)) {
            return "the one closer to --max-latency " + Units.nanos(limit) + ", which no model met: "
                    + chosen.label() + "'s p99 " + LatencyNotes.far(chosen.p99Nanos(), limit) + ", against "
                    + other.label() + "'s "
                    + (other.p99Nanos() >= 0 && !other.batched()
                            ? LatencyNotes.far(other.p99Nanos(), limit)
                            : "unmeasured per task");
        }
        if (r.suitability(chosen) < r.suitability(other)) {
            return "the one that suits the task: " + suits(chosen);
        }
        String cost = cheaper(chosen, other);
        if (cost != null) {
            return "the cheaper of the two: " + cost;
        }
        if (!chosen.batched() && other.batched()) {
            return "the one that submits each task on its own: each result is kept as soon as it is ready";
        }
        if (chosen.mode() == Mode.HYBRID && other.mode() == Mode.PROCESSES) {
            return "the one the rule prefers at the same cost: " + chosen.label() + " runs "
                    + Units.count(chosen.threadsPerWorker(), "task", "tasks") + " in each of its "
                    + Units.count(chosen.workers(), "worker JVM", "worker JVMs") + ", as many worker JVMs as "
                    + other.label();
        }
        return "the one the rule prefers: " + chosen.label() + " and " + other.label() + " cost the same";
    }

    /** {@return why {@code t} suits the task, in words} */
    private String suits(Advice.Trial t) {
        if (Rules.oneAtATime(t) && r.racyTrial().isPresent()) {
            return t.label() + " runs one task at a time, and one thread cannot race with itself";
        }
        if (t.mode() == Mode.VIRTUAL_THREADS) {
            return "virtual threads carry waiting tasks at the cost of a few carrier threads";
        }
        if (t.mode() == Mode.HYBRID) {
            // one worker JVM of two threads is as parallel as two threads: it buys isolation from the caller, and
            // its threads share that worker's heap
            return t.label() + " runs " + Units.count(t.threadsPerWorker(), "thread", "threads") + " in each of its "
                    + Units.count(t.workers(), "worker JVM", "worker JVMs") + ", one task per core for a task that"
                    + " computes (no GIL: the threads of a worker JVM run on every core and share its heap)";
        }
        return t.label() + " runs one " + (t.mode().isolated() ? "worker JVM" : "thread") + " per core for a task"
                + " that computes";
    }

    /** {@return how {@code chosen} costs less than {@code other}, or null if the two cost the same} */
    private String cheaper(Advice.Trial chosen, Advice.Trial other) {
        if (!chosen.mode().isolated() && other.mode().isolated()) {
            return chosen.label() + " runs in this JVM: no worker JVM"
                    + (other.meanWorkerRssBytes() > 0 ? " (" + Units.bytes(other.meanWorkerRssBytes()) + " each)" : "")
                    + " and no copy of tasks and results";
        }
        if (chosen.mode() == Mode.HYBRID && other.mode() == Mode.PROCESSES && chosen.workers() < other.workers()) {
            return chosen.label() + " needs fewer worker JVMs (" + chosen.workers() + " against " + other.workers()
                    + ")";
        }
        return null;
    }
}
