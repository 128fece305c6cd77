package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.Comparator;
import java.util.List;

/**
 * Why a model that measured faster than the recommendation was not chosen: a requirement, a measured risk, its
 * failures, the latency limit, or figures that do not rank it above the recommendation. One source for the
 * decision's lines and the verdict's sentence, so that the verdict never calls a model "measured fastest" while a
 * faster one was ruled out unnamed. Pure: words over {@link Rules}.
 */
final class PassedOver {
    /** Where a reason begins to say that no model met the latency limit, which the verdict says once. */
    static final String NONE_MET = "; no model met the limit either";

    private final Rules r;
    private final Advice.Requirements req;
    private final List<Advice.Trial> allowed;

    PassedOver(Rules r, Advice.Requirements req) {
        this.r = r;
        this.req = req;
        this.allowed = r.allowed(req, true);
    }

    /**
     * {@return the measured models faster than {@code chosen} that may not run the task or were left out of the
     * ranking (a requirement, a risk, failures, the latency limit, a failed side-by-side measurement), fastest
     * first}
     */
    List<Advice.Trial> ruledOut(Advice.Trial chosen) {
        return r.trials.stream()
                .filter(Rules::measured)
                .filter(t -> t != chosen && !allowed.contains(t) && r.speed(t) > r.speed(chosen))
                .sorted(Comparator.comparingDouble(r::speed).reversed())
                .toList();
    }

    /**
     * {@return why {@code t}, measured faster than {@code chosen}, was passed over, or null when a line above it
     * says so (a duel put it behind) or nothing ranks it either way}
     */
    String why(Advice.Trial t, Advice.Trial chosen) {
        Comparisons cmp = r.cmp;
        boolean exits = r.exits();
        String why = cmp.failedSideBySide(t) != null
                ? "it failed when measured again side by side: " + cmp.failedSideBySide(t)
                : r.ruledOut(t, req);
        if (why == null && TrialFailures.uncontained(t, exits) > 0 && TrialFailures.uncontained(chosen, exits) == 0) {
            why = TrialFailures.failuresText(t);
        }
        if (why == null && req.maxLatencyNanos() > 0 && !allowed.contains(t)) {
            boolean metAny = allowed.stream()
                    .anyMatch(a -> !a.batched() && a.p99Nanos() >= 0 && a.p99Nanos() <= req.maxLatencyNanos());
            why = t.batched()
                    ? "map() holds each result until its batch of about 20 ms is done, more than --max-latency "
                            + Units.nanos(req.maxLatencyNanos()) + " allows"
                            + (metAny ? "" : LatencyNotes.noneMet(chosen, req.maxLatencyNanos()))
                    : "its p99 of " + Units.nanos(t.p99Nanos()) + " missed --max-latency "
                            + Units.nanos(req.maxLatencyNanos());
        }
        if (why == null && cmp.reversed(t, chosen)) {
            why = "not told apart from " + chosen.label() + " (" + cmp.tie(t, chosen) + ")";
        }
        if (why == null && cmp.thin(t, chosen)) {
            // one sample has no spread: "within the noise (one sample against one sample)" compared nothing
            why = "not told apart from " + chosen.label() + " (" + cmp.tie(t, chosen) + ")";
        }
        if (why == null && !cmp.separated(t, chosen)) {
            why = "within the noise of " + chosen.label() + " (" + cmp.spread(t, chosen) + " against "
                    + cmp.spread(chosen, t) + ")";
        }
        if (why == null) {
            why = contradictedLead(r, t, chosen);
        }
        if (why == null && cmp.beats(t, chosen) && !r.displaces(t, chosen)) {
            why = new Reasons(r).shortLead(t, chosen);
        }
        if (why == null && allowed.contains(t) && cmp.beats(chosen, t)) {
            return null; // said above: the duel put it behind
        }
        if (why == null) {
            Advice.Trial over =
                    allowed.stream().filter(o -> cmp.beats(o, t)).findFirst().orElse(null);
            why = over == null
                    ? null
                    : over.label() + " measured clearly faster than it (" + cmp.spread(over, t) + " against "
                            + cmp.spread(t, over) + ")";
        }
        return why;
    }

    /**
     * {@return why {@code o}'s lead over {@code t} decides nothing, in words, when it rests on {@code t}'s trial
     * figure and the duel contradicts that figure; else null} Measured again side by side, {@code t} was within the
     * noise of its partner (or swapped places with it), which {@code o} did not displace: then {@code t} stands
     * with its partner. A one-by-one {@code threads(2)} at 34.8/s on a busy machine, behind a third model in its
     * trial, once left {@code map()} recommended although side by side the two were within the noise.
     */
    static String contradictedLead(Rules r, Advice.Trial o, Advice.Trial t) {
        Advice.Trial p = r.cmp.contradicting(t, r.trials);
        if (p == null || o == p || o == t || !r.cmp.beats(o, t) || r.displaces(o, p)) {
            return null;
        }
        return "its lead rests on " + t.label() + "'s trial figure, which the side-by-side rounds contradict: "
                + r.cmp.contradiction(t, p) + ", and " + o.label() + " did not measure clearly"
                + " faster than " + p.label() + ", so the figure ranks nothing";
    }

    /**
     * {@return the clause naming the fastest model that measured faster than {@code basis} but was ruled out,
     * with its figure and why, or "" if none was} The verdict's opening already gives the requirement or risk,
     * so a model ruled out by it is named with what it does ("it runs tasks in the caller's JVM"), not the
     * reason again.
     */
    String clause(Advice.Trial basis) {
        List<Advice.Trial> out = ruledOut(basis);
        if (out.isEmpty()) {
            return "";
        }
        Advice.Trial top = out.getFirst();
        String w = why(top, basis);
        if (w == null) {
            w = "it was left out of the ranking";
        } else if (r.ruledOut(top, req) != null && w.contains(", and ")) {
            w = w.substring(0, w.indexOf(", and "));
        } else if (w.contains(NONE_MET)) {
            w = w.substring(0, w.indexOf(NONE_MET)); // the verdict says that no model met the limit, once
        }
        int more = out.size() - 1;
        return "; " + top.label() + " measured faster, " + r.speedups.rate(top) + ", but " + w
                + (more == 0
                        ? ""
                        : " (" + (more == 1 ? "one more faster model was" : more + " more faster models were")
                                + " ruled out too: see how it was decided)");
    }
}
