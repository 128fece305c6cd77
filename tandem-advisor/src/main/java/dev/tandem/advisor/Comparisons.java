package dev.tandem.advisor;

import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How two trials' throughputs compare, always by one method: the duel's alternating rounds when the duel
 * measured both side by side, else each trial's own five windows. Pure and immutable; the rules ask it
 * every "is this faster" question so a verdict never mixes the two methods in one comparison.
 */
final class Comparisons {
    private final Trials.Duel duel;
    /** The run as a whole was busy (its banner says so): no comparison in it counts as taken on a quiet machine. */
    private final boolean runBusy;
    /** Trials whose figures a physical bound calls an artefact (a speed-up beyond the cores), or the baseline of one. */
    private final Predicate<Advice.Trial> suspect;

    /** @param duel the side-by-side measurement of two trials, or null if there was none */
    Comparisons(Trials.Duel duel) {
        this(duel, false, t -> false);
    }

    /**
     * @param duel the side-by-side measurement of two trials, or null if there was none
     * @param runBusy other programs took CPU over the run as a whole, which the report's banner says
     * @param suspect the trials whose own windows cannot be trusted: a speed-up over one thread beyond what
     *        the cores allow is an artefact of the measurement, of that trial or of the baseline
     */
    Comparisons(Trials.Duel duel, boolean runBusy, Predicate<Advice.Trial> suspect) {
        this.duel = duel;
        this.runBusy = runBusy;
        this.suspect = suspect;
    }

    /**
     * {@return true if the duel measured {@code a} and {@code b} side by side} A duel in which either side completed
     * no task is a failed measurement: it compares nothing.
     */
    boolean dueled(Advice.Trial a, Advice.Trial b) {
        return duel != null
                && a != b
                && duel.samples(a.label()) != null
                && duel.samples(b.label()) != null
                && failure(duel, duel.a()) == null
                && failure(duel, duel.b()) == null;
    }

    /** {@return why {@code t} completed no task when measured again side by side, or null if it did (or was not)} */
    String failedSideBySide(Advice.Trial t) {
        return duel == null ? null : failure(duel, t.label());
    }

    /**
     * {@return true if {@code t}'s tasks failed when measured again side by side (an exception, a worker JVM lost),
     * not only completed nothing in time} A side whose calls merely had no result by the end of the rounds, or that
     * completed tasks in a minority of rounds, was not measured by the duel, which ranks nothing: its trial stands.
     */
    boolean failedForRealSideBySide(Advice.Trial t) {
        return duel != null && failedForReal(duel, t.label());
    }

    /** {@return {@link #failedForRealSideBySide} for the side of {@code duel} labelled {@code label}} */
    static boolean failedForReal(Trials.Duel duel, String label) {
        String why = duel.failure(label);
        return why != null && why.contains("(first failure: ") && !why.contains(TrialOutcome.NO_RESULT_TEXT);
    }

    /**
     * {@return why the side of {@code duel} labelled {@code label} gave no figure side by side, or null if it gave
     * one} It completed no task in any round, or none in most of its rounds: a median of 0/s is a measurement of
     * nothing, which neither wins nor loses (a duel was once ranked on one).
     */
    static String failure(Trials.Duel duel, String label) {
        String failed = duel.failure(label);
        List<Double> rounds = duel.samples(label);
        if (failed != null
                || rounds == null
                || rounds.isEmpty()
                || Stats.of(rounds).median() > 0) {
            return failed;
        }
        long empty = rounds.stream().filter(x -> x <= 0).count();
        return "completed no task in " + empty + " of its " + Units.count(rounds.size(), "round", "rounds")
                + " side by side (median 0/s), so the duel gave no figure of it";
    }

    /**
     * {@return true if {@code a} or {@code b} rests on fewer than two samples as compared: with one measurement
     * there is no spread, so "within the noise" cannot be said of it, only that the comparison rests on one
     * measurement}
     */
    boolean thin(Advice.Trial a, Advice.Trial b) {
        return Stats.of(samples(a, b)).n() < 2 || Stats.of(samples(b, a)).n() < 2;
    }

    /**
     * {@return which of a {@link #thin} pair rests on one measurement, each figure beside its own name: "a and b were
     * measured once each, 950/s against 900/s", "b was measured once, at 3,287/s, against a's 14,133/s"} The figures
     * followed "b was measured once" in the order a, b, so they read as b's and a's, swapped.
     *
     * @param rate how a figure is quoted (flagged as an artefact, or plain)
     */
    String once(Advice.Trial a, Advice.Trial b, Function<Advice.Trial, String> rate) {
        boolean x = Stats.of(samples(a, b)).n() < 2;
        boolean y = Stats.of(samples(b, a)).n() < 2;
        if (x && y) {
            return a.label() + " and " + b.label() + " were measured once each, " + rate.apply(a) + " against "
                    + rate.apply(b);
        }
        Advice.Trial one = x ? a : b;
        Advice.Trial other = x ? b : a;
        return one.label() + " was measured once, at " + rate.apply(one) + ", against " + other.label() + "'s "
                + rate.apply(other);
    }

    /**
     * {@return the throughput samples that compare {@code t} with {@code other} by one method: the duel's
     * rounds if the duel measured both side by side, else each trial's own windows}
     */
    List<Double> samples(Advice.Trial t, Advice.Trial other) {
        return dueled(t, other) ? duel.samples(t.label()) : t.throughputSamples();
    }

    /**
     * {@return true if {@code a} and {@code b} are told apart: their IQRs, by one method, do not overlap, and
     * a duel did not reverse the table's order} Measured again side by side, a pair that swapped places is
     * not distinguishable on this run, however far apart its rounds were.
     */
    boolean separated(Advice.Trial a, Advice.Trial b) {
        Stats x = Stats.of(samples(a, b));
        Stats y = Stats.of(samples(b, a));
        return x.n() >= 2 && y.n() >= 2 && x.separatedFrom(y) && !reversed(a, b);
    }

    /**
     * {@return true if the duel measured {@code a} and {@code b} side by side and its medians put them in
     * the opposite order to the table's throughputs}
     */
    boolean reversed(Advice.Trial a, Advice.Trial b) {
        if (!dueled(a, b)) {
            return false;
        }
        // figures that read the same in the table put neither ahead: "the table put threads(1) ahead, 172/s
        // against 172/s" was once said
        double table = samePrinted(a, b) ? 0 : a.throughput() - b.throughput();
        double side = Stats.of(duel.samples(a.label())).median()
                - Stats.of(duel.samples(b.label())).median();
        return table * side < 0;
    }

    /** {@return true if the table prints the same figure for both trials' throughputs (172/s and 172/s)} */
    static boolean samePrinted(Advice.Trial a, Advice.Trial b) {
        return Units.rate(a.throughput()).equals(Units.rate(b.throughput()));
    }

    /**
     * {@return why {@code a} and {@code b} are not told apart, for a parenthesis: their overlapping spreads,
     * or the order that the duel reversed, with the figures of both}
     */
    String tie(Advice.Trial a, Advice.Trial b) {
        if (reversed(a, b)) {
            Advice.Trial up = a.throughput() > b.throughput() ? a : b;
            Advice.Trial down = up == a ? b : a;
            return "the table put " + up.label() + " ahead, " + Units.rate(up.throughput()) + " against "
                    + Units.rate(down.throughput()) + ", and measured again side by side " + down.label()
                    + " was ahead, " + spread(down, up) + " against " + spread(up, down)
                    + ": the order reversed, so the two are not distinguishable on this run";
        }
        if (thin(a, b)) {
            return once(a, b, t -> Units.rate(t.throughput())) + ": no spread to tell them apart";
        }
        return (dueled(a, b) ? "side by side, " : "") + "their spreads, " + spread(a, b) + " and " + spread(b, a)
                + ", overlap";
    }

    /**
     * {@return true if the duel contradicts the table on {@code a} against {@code b}: their trials' own windows told
     * them apart, and measured again side by side they were not (within the noise of each other, or in the other
     * order)} Then at least one of the two trial figures is wrong, and neither ranks its model against a third: a
     * one-by-one trial figure of 34.8/s on a busy machine once kept {@code map()} recommended while the duel put
     * the two within the noise of each other.
     */
    boolean contradicted(Advice.Trial a, Advice.Trial b) {
        return dueled(a, b)
                && Stats.of(a.throughputSamples()).separatedFrom(Stats.of(b.throughputSamples()))
                && !separated(a, b);
    }

    /**
     * {@return how the duel contradicts {@code a}'s trial against {@code b} ({@link #contradicted}), in words:
     * "threads(2)'s trial put it clearly behind threads(2)+map (34.8/s against 60/s), but measured again side by side the two were
     * within the noise of each other (IQR from 50 to 60/s against IQR from 51 to 61/s)"}
     */
    String contradiction(Advice.Trial a, Advice.Trial b) {
        return a.label() + "'s trial put it clearly " + (a.throughput() < b.throughput() ? "behind " : "ahead of ")
                + b.label()
                + " (" + Units.rate(a.throughput()) + " against " + Units.rate(b.throughput())
                + "), but measured again side by side "
                + (reversed(a, b) ? "the order reversed" : "the two were within the noise of each other") + " ("
                + spread(a, b) + " against " + spread(b, a) + ")";
    }

    /**
     * {@return the model among {@code trials} whose side-by-side rounds with {@code t} contradict {@code t}'s trial
     * figure ({@link #contradicted}), or null}
     */
    Advice.Trial contradicting(Advice.Trial t, List<Advice.Trial> trials) {
        return trials.stream().filter(p -> contradicted(t, p)).findFirst().orElse(null);
    }

    /** {@return true if the duel measured {@code map} and {@code one} side by side and did not tell them apart} */
    boolean tiedSideBySide(Advice.Trial map, Advice.Trial one) {
        return dueled(map, one) && !separated(map, one);
    }

    /**
     * {@return map() against one task per submit, as the verdict may quote it: the trials' figures ("200/s with
     * map() vs 190/s one by one"), and when the duel measured the two again without telling them apart, that
     * first} A map() verdict once rested on a one-by-one trial figure that the side-by-side rounds contradicted.
     */
    String mapAgainstOne(Advice.Trial map, Advice.Trial one) {
        String trials = Reasons.mapVsOne(map.throughput(), one.throughput());
        if (!tiedSideBySide(map, one)) {
            return trials;
        }
        return "measured again side by side, " + map.label() + " and " + one.label() + " were "
                + (reversed(map, one) ? "in the other order to their trials" : "within the noise of each other")
                + " (" + spread(map, one) + " against " + spread(one, map) + "; in their trials " + trials
                + ")";
    }

    /**
     * {@return true if {@code a} measured clearly faster than {@code b}: separated, and ahead by the
     * duel's medians when the duel measured both, else by the table's throughputs}
     */
    boolean beats(Advice.Trial a, Advice.Trial b) {
        if (!separated(a, b)) {
            return false;
        }
        return dueled(a, b)
                ? Stats.of(samples(a, b)).median() > Stats.of(samples(b, a)).median()
                : a.throughput() > b.throughput();
    }

    /** {@return true if {@code a}'s lower quartile is {@code margin} above {@code b}'s upper quartile} */
    boolean leadsBy(double margin, Advice.Trial a, Advice.Trial b) {
        Stats x = Stats.of(samples(a, b));
        Stats y = Stats.of(samples(b, a));
        return x.q1() >= (1 + margin) * y.q3();
    }

    /** {@return by how much {@code a}'s lower quartile lies above {@code b}'s upper quartile, 0.05 for 5 %; negative if below} */
    double lead(Advice.Trial a, Advice.Trial b) {
        return Stats.of(samples(a, b)).q1() / Stats.of(samples(b, a)).q3() - 1;
    }

    /**
     * {@return true if the measurements comparing {@code a} and {@code b} were taken on a busy machine: the
     * run as a whole was busy, or the duel's rounds or either trial were} A verdict never rests on figures
     * from a run whose banner calls the machine busy, even when the deciding trials sat just under the line.
     */
    boolean busy(Advice.Trial a, Advice.Trial b) {
        if (runBusy) {
            return true;
        }
        if (dueled(a, b)) {
            return duel.load() != null && duel.load().busy();
        }
        return Rules.busy(a) || Rules.busy(b);
    }

    /**
     * {@return true if the figures comparing {@code a} and {@code b} cannot rank them: taken on a busy machine
     * ({@link #busy}), or, unless a duel measured the two again, either trial's speed-up over one thread is an
     * artefact ({@link SpeedupBound})}
     */
    boolean untrusted(Advice.Trial a, Advice.Trial b) {
        return busy(a, b) || !dueled(a, b) && (suspect.test(a) || suspect.test(b));
    }

    /**
     * {@return true if the comparison of {@code a} with {@code b} rests on a trial's windows that a physical bound
     * calls an artefact (its speed-up, or the baseline's of one), and no duel measured the two again} Unlike
     * {@link #untrusted}, the load alone does not make it so: a lead beyond the load's noise may stand on a busy
     * machine, but never one that rests on an artefact (processes(2) at 248/s, "an artefact: above the 2.20× over
     * processes(1)", was once recommended with no word of doubt after its duel gave no figures).
     */
    boolean restsOnArtefact(Advice.Trial a, Advice.Trial b) {
        return !dueled(a, b) && (suspect.test(a) || suspect.test(b));
    }

    /**
     * {@return the interquartile range of a trial's throughput samples as compared with {@code other},
     * such as "IQR from 854 to 1,997/s"}
     */
    String spread(Advice.Trial t, Advice.Trial other) {
        Stats s = Stats.of(samples(t, other));
        return s.n() < 2 ? "one sample" : "IQR " + range(s.q1(), s.q3()) + "/s";
    }

    /** {@return each side of a duel as "label: median/s (IQR q1-q3)"} */
    static String roundsText(Trials.Duel duel) {
        if (failure(duel, duel.a()) != null || failure(duel, duel.b()) != null) {
            List<String> parts = new ArrayList<>();
            for (String label : List.of(duel.a(), duel.b())) {
                parts.add(label
                        + (failure(duel, label) != null
                                ? " failed: " + failure(duel, label)
                                : " " + Units.rate(Stats.of(duel.samples(label)).median())));
            }
            return String.join(", ", parts) + "; a failed measurement is no figure, so the side-by-side rounds rank"
                    + " nothing and a model that failed them is left out of the ranking";
        }
        Stats a = Stats.of(duel.aThroughputs());
        Stats b = Stats.of(duel.bThroughputs());
        return duel.a() + " " + Units.rate(a.median()) + " (IQR " + range(a.q1(), a.q3()) + "), " + duel.b() + " "
                + Units.rate(b.median()) + " (IQR " + range(b.q1(), b.q3()) + ")"
                + (a.separatedFrom(b) ? "" : ": within the noise of each other");
    }

    /** {@return a range of figures in words, "from 854 to 1,997"} */
    static String range(double low, double high) {
        return "from " + Units.num(low) + " to " + Units.num(high);
    }

    /**
     * {@return the two trials to measure again side by side: the model the rules would choose and, among
     * the contenders it is not told apart from (their spreads overlap, or either ran while the machine was
     * busy), the cheaper one it would give way to, else the fastest; the faster by the table first; empty
     * if the decision is clear}
     */
    static Optional<Advice.Trial[]> contest(
            Advice.Probe probe, List<Advice.Trial> trials, Advice.Requirements req, Advice.Machine machine) {
        return contest(probe, trials, req, machine, null);
    }

    /** As {@link #contest(Advice.Probe, List, Advice.Requirements, Advice.Machine)}, on a run whose load so far is {@code runLoad}. */
    static Optional<Advice.Trial[]> contest(
            Advice.Probe probe,
            List<Advice.Trial> trials,
            Advice.Requirements req,
            Advice.Machine machine,
            Advice.MachineLoad runLoad) {
        Rules r = new Rules(probe, trials, req, machine, null, runLoad);
        List<Advice.Trial> allowed = r.allowed(req, true);
        if (allowed.size() < 2) {
            return Optional.empty();
        }
        Advice.Trial chosen = r.choose(req).basis();
        List<Advice.Trial> open = allowed.stream()
                .filter(t -> t != chosen)
                .filter(t -> !r.cmp.beats(chosen, t) || r.cmp.untrusted(chosen, t))
                .toList();
        // the cheaper model it would give way to if its lead were noise, else the fastest it is not told apart from
        Advice.Trial rival = open.stream()
                .filter(t -> chosen != null && r.preference().compare(t, chosen) < 0)
                .min(r.preference())
                .orElseGet(() ->
                        open.stream().max(Comparator.comparingDouble(r::speed)).orElse(null));
        if (chosen == null || rival == null) {
            return Optional.empty();
        }
        return Optional.of(
                r.speed(rival) > r.speed(chosen)
                        ? new Advice.Trial[] {rival, chosen}
                        : new Advice.Trial[] {chosen, rival});
    }
}
