package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.List;

/**
 * Why a verdict is inconclusive, if it is: the first of the doubts below that holds between the recommended model
 * and an allowed contender, in words that {@link Reasons#summary} reads by their beginning ({@link Rules#BUSY_DOUBT})
 * or end ({@link Rules#ONE_MEASUREMENT_DOUBT}). Stateless: words over {@link Rules}.
 * <ol>
 *   <li>a side measured again side by side gave no figures;</li>
 *   <li>measured again side by side, the two swapped places;</li>
 *   <li>a pair left unranked rests on one window (a faster model, or one on a busy machine): the verdict says which
 *       figure rests on how few tasks, before the load, since a longer run, not a quieter machine, mends it;</li>
 *   <li>the two are not told apart, or the lead is within the load's noise, on a busy machine;</li>
 *   <li>the comparison rests on an artefact ({@link SpeedupBound}), and the rule does not rank the two without
 *       figures.</li>
 * </ol>
 */
final class Doubts {
    private Doubts() {}

    /** {@return why the verdict recommending {@code chosen} among {@code allowed} is inconclusive, or null} */
    static String of(
            Rules rules, Advice.Trial chosen, List<Advice.Trial> allowed, List<String> decision, Preferred preferred) {
        Comparisons cmp = rules.cmp;
        // Inconclusive: the winner is not told apart from a contender and their figures were taken on a busy
        // machine, or measured again side by side the two swapped places.
        // A lead on a busy machine over a model the rule would otherwise prefer is trusted only beyond the load's
        // noise (UNSUITED_MARGIN at the quartiles): separated windows alone once gave a confident verdict there.
        boolean busyTie = allowed.stream().anyMatch(t -> rules.busyNearTie(chosen, t));
        // one measurement has no spread: a faster model it leaves unranked, or one the load leaves unranked, leaves
        // the verdict open (threads(2) "measured fastest at 1,354/s" of 3 tasks, and "inconclusive (machine busy)")
        Advice.Trial thin = allowed.stream()
                .filter(t -> t != chosen
                        && cmp.thin(chosen, t)
                        && (rules.speed(t) > rules.speed(chosen) || rules.busyNearTie(chosen, t)))
                .findFirst()
                .orElse(null);
        // a lead that rests on an artefact ranks nothing the rule does not already rank (SpeedupBound): the pair is
        // measured again side by side, and a duel that gave no figures leaves the verdict open (processes(2) at
        // 248/s, an artefact, was once recommended without doubt)
        boolean suspectTie = allowed.stream()
                .anyMatch(t -> t != chosen
                        && (!cmp.beats(chosen, t) && cmp.untrusted(chosen, t)
                                || cmp.restsOnArtefact(chosen, t) && !rules.favours(chosen, t)));
        Advice.Trial artefact = suspectTie ? rules.speedups.first() : null;
        Advice.Trial swapped = allowed.stream()
                .filter(t -> t != chosen && cmp.reversed(chosen, t))
                .findFirst()
                .orElse(null);
        Advice.Trial unconfirmed = allowed.stream()
                .filter(t -> (t == chosen || rules.speed(t) > rules.speed(chosen)) && cmp.failedSideBySide(t) != null)
                .findFirst()
                .orElse(null);
        if (unconfirmed != null) {
            return unconfirmed.label() + " ran " + Units.rate(rules.speed(unconfirmed)) + " in its trial but "
                    + cmp.failedSideBySide(unconfirmed) + ": the figures that would decide it are not confirmed";
        }
        if (swapped != null) {
            if (rules.speed(swapped) <= rules.speed(chosen)) { // else the lines on faster models above and below say it
                decision.add(chosen.label() + " and " + swapped.label() + " are not told apart: "
                        + cmp.tie(chosen, swapped) + "; " + chosen.label() + " is recommended by the rule, not by"
                        + " the figures: " + preferred.why(chosen, swapped));
            }
            return (cmp.busy(chosen, swapped) ? Rules.BUSY_DOUBT + ", and " : "") + "measured again side by side, "
                    + chosen.label() + " and " + swapped.label()
                    + " swapped places: the two are not distinguishable on this run";
        }
        if (thin != null) {
            return cmp.once(thin, chosen, rules.speedups::rate)
                    + (cmp.busy(chosen, thin) ? "; " + Rules.BUSY_DOUBT : "") + ", and "
                    + Rules.ONE_MEASUREMENT_DOUBT;
        }
        if (busyTie) {
            allowed.stream()
                    .filter(t -> rules.busyNearTie(chosen, t) && cmp.beats(chosen, t))
                    .findFirst()
                    .ifPresent(t -> decision.add(chosen.label() + " led " + t.label() + " (" + cmp.spread(chosen, t)
                            + " against " + cmp.spread(t, chosen) + ") by less than the "
                            + Math.round(Rules.UNSUITED_MARGIN * 100)
                            + "% at the quartiles that a lead on a busy machine needs to be"
                            + " more than other programs' load, so the figures do not rank the"
                            + " two"));
            return Rules.BUSY_DOUBT;
        }
        if (artefact != null) {
            boolean busy = allowed.stream().anyMatch(t -> t != chosen && cmp.busy(chosen, t));
            return (busy ? Rules.BUSY_DOUBT + ", and " : "") + rules.speedups.text(artefact)
                    + ", so the figures that would decide it are not trusted";
        }
        return null;
    }

    /** {@return what a verdict on single measurements asks for: more --inputs too when its figure rests on few tasks} */
    static String longer(Rules.Choice c) {
        return c.basis() == null || SpeedupBound.few(c.basis()).isEmpty()
                ? Reasons.LONGER
                : Reasons.LONGER.replace("--time,", "--time (and more --inputs, if they capped the tasks),");
    }

    /** {@return true if an inconclusive verdict is so because the machine was busy, not only because a duel reversed} */
    static boolean busyDoubt(Rules.Choice c) {
        return c.doubt().startsWith(Rules.BUSY_DOUBT);
    }

    /** {@return true if an inconclusive verdict is so because a deciding model was measured only once} */
    static boolean oneMeasurement(Rules.Choice c) {
        return c.doubt().endsWith(Rules.ONE_MEASUREMENT_DOUBT);
    }
}
