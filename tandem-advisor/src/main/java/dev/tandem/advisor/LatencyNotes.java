package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.Comparator;
import java.util.List;

/**
 * The words of {@code --max-latency}: which model met it, or that none did, with the lowest p99 measured and
 * what to do. A limit no model met is said in the verdict's own sentence ({@link #unmet}), not only among the
 * requirements: a verdict once read as if the chosen model had met it. Pure: words over {@link Rules}.
 */
final class LatencyNotes {
    private final Rules r;

    LatencyNotes(Rules r) {
        this.r = r;
    }

    /**
     * {@return for the verdict's sentence, that no model met {@code req}'s latency limit, with the chosen model's
     * p99 and the lowest measured, or null if the limit was met (or there is none)} The rules choose among the
     * models that met the limit when any did, so the limit went unmet exactly when the chosen model, answering
     * one task at a time, missed it.
     */
    String unmet(Advice.Requirements req, Advice.Trial chosen) {
        long limit = req.maxLatencyNanos();
        if (limit <= 0 || chosen == null || chosen.batched() || chosen.p99Nanos() >= 0 && chosen.p99Nanos() <= limit) {
            return null;
        }
        Advice.Trial lowest = lowest(req, chosen);
        return "no model met --max-latency " + Units.nanos(limit) + ": " + chosen.label()
                + (chosen.p99Nanos() >= 0
                        ? "'s p99 was " + far(chosen.p99Nanos(), limit)
                        : " had no per-task latency measured")
                + (lowest != chosen && lowest.p99Nanos() >= 0
                        ? ", the lowest measured " + far(lowest.p99Nanos(), limit) + " (" + lowest.label() + ")"
                        : "");
    }

    /** {@return {@code t}'s p99 for ranking by latency: unknown (or held per batch by map) ranks last} */
    static long p99OrMax(Advice.Trial t) {
        return t.batched() || t.p99Nanos() < 0 ? Long.MAX_VALUE : t.p99Nanos();
    }

    /** {@return how far a p99 lies from the limit: "81.6 ms, 3.26× the limit"} */
    static String far(long p99, long limit) {
        return Units.nanos(p99) + ", " + Units.ratio((double) p99 / limit) + " the limit";
    }

    /**
     * {@return why {@code chosen} was recommended over {@code byRule}, which the rule would take without a latency
     * limit: the figures do not rank the two, and {@code chosen}'s p99 is closer to the limit no model met}
     */
    String closer(Advice.Requirements req, Advice.Trial chosen, Advice.Trial byRule, Preferred preferred) {
        long limit = req.maxLatencyNanos();
        Comparisons cmp = r.cmp;
        return byRule.label() + " and " + chosen.label() + " were not ranked by their figures ("
                + (cmp.separated(byRule, chosen)
                        ? cmp.spread(chosen, byRule) + " against " + cmp.spread(byRule, chosen)
                                + ", a lead less than the rule asks of a model that does not suit the task"
                        : cmp.tie(byRule, chosen))
                + "), and the rule would take " + byRule.label() + ", " + preferred.why(byRule, chosen)
                + "; but no model met --max-latency " + Units.nanos(limit) + ", and " + chosen.label() + "'s p99 of "
                + far(chosen.p99Nanos(), limit) + ", is closer to it than " + byRule.label() + "'s "
                + (p99OrMax(byRule) < Long.MAX_VALUE ? far(byRule.p99Nanos(), limit) : "(unmeasured per task)");
    }

    /** {@return the measured model that may run the task with the lowest p99, else {@code chosen}} */
    private Advice.Trial lowest(Advice.Requirements req, Advice.Trial chosen) {
        return r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> t.p99Nanos() >= 0)
                .filter(t -> r.ruledOut(t, req) == null)
                .min(Comparator.comparingLong(Advice.Trial::p99Nanos))
                .orElse(chosen);
    }

    /** Notes on --max-latency: which model met it, or why none did and what to do. */
    void notes(Advice.Requirements req, Advice.Trial chosen, List<Advice.Trial> allowed, List<String> notes) {
        long limit = req.maxLatencyNanos();
        boolean metAny = allowed.stream().anyMatch(t -> !t.batched() && t.p99Nanos() >= 0 && t.p99Nanos() <= limit);
        if (chosen.batched()) {
            return;
        }
        Advice.Trial free = r.fastest(r.allowed(req, false));
        if (free != null && free.batched() && limit < Rules.BATCH_LATENCY_FLOOR) {
            notes.add("batching is off: map() holds each result until its batch of about 20 ms is done, "
                    + "more than --max-latency " + Units.nanos(limit) + " allows"
                    + (metAny ? "" : noneMet(chosen, limit)));
        }
        if (metAny) {
            if (free != null && free != chosen && !free.batched() && free.p99Nanos() > limit) {
                notes.add(free.label() + " had p99 " + Units.nanos(free.p99Nanos()) + " > " + Units.nanos(limit) + "; "
                        + chosen.label() + " met it with p99 " + Units.nanos(chosen.p99Nanos()) + " at "
                        + r.speedups.rate(chosen));
            }
            return;
        }
        Advice.Trial lowest = lowest(req, chosen);
        Advice.Trial here = r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> !t.mode().isolated())
                .filter(t -> t.p99Nanos() >= 0 && t.p99Nanos() <= limit)
                .findFirst()
                .orElse(null);
        boolean isolate = r.needsIsolation(req);
        notes.add("no " + (isolate ? "isolated " : "") + "model met --max-latency " + Units.nanos(limit)
                + ": the lowest p99 measured was " + Units.nanos(lowest.p99Nanos()) + " (" + lowest.label()
                + ") for a task of " + Units.nanos(r.probe.medianCallNanos()) + " (median)"
                + (isolate && here != null
                        ? "; in this JVM " + here.label() + " met it with p99 " + Units.nanos(here.p99Nanos())
                                + ", so weigh the isolation against the limit"
                        : "; make the task shorter or relax the limit"));
    }

    /**
     * {@return "; no model met it either, the chosen one included: threads(2) had p99 95.0 µs > 10.0 µs, ..."}
     * said wherever map() is ruled out by a --max-latency that no model met: "ruled out by the latency limit"
     * alone read as if the chosen model had met it
     */
    static String noneMet(Advice.Trial chosen, long limit) {
        return "; no model met the limit either, the chosen one included: " + chosen.label()
                + (chosen.p99Nanos() >= 0
                        ? " had p99 " + Units.nanos(chosen.p99Nanos()) + " > " + Units.nanos(limit)
                        : " had no per-task latency measured")
                + ", chosen as the fastest of those that answer one task at a time";
    }
}
