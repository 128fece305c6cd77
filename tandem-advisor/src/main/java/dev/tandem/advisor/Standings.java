package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Units;
import java.util.List;

/**
 * Every model of a run side by side ({@link Advice#sideBySide()}): its figure, spread, workers and status. A
 * model that completed no task is a failed measurement, never a figure of 0 tasks/s; one that completed tasks in
 * its trial but none (or none in most rounds) when measured again side by side keeps its figure, "measured; not
 * confirmed: it completed no task in 5 rounds side by side ..."
 * Pure functions of the trials and the duel.
 */
final class Standings {
    private Standings() {}

    /** {@return every trial as a standing, in order; {@code duel} may be null} */
    static List<Advice.Standing> of(List<Advice.Trial> trials, Trials.Duel duel) {
        Comparisons cmp = new Comparisons(duel);
        return trials.stream()
                .map(t -> contradicted(
                        of(t, duel == null ? null : Comparisons.failure(duel, t.label()), duel), cmp, t, trials))
                .toList();
    }

    /**
     * {@return {@code s}, its status saying so when the duel contradicts its trial figure ({@link
     * Comparisons#contradicted}): "measured; contradicted side by side: its trial put it clearly behind ..."} The
     * table showed a one-by-one figure of 34.8/s plainly beside a verdict that the side-by-side rounds decided.
     */
    private static Advice.Standing contradicted(
            Advice.Standing s, Comparisons cmp, Advice.Trial t, List<Advice.Trial> trials) {
        Advice.Trial p = s.status().equals("measured") ? cmp.contradicting(t, trials) : null;
        if (p == null) {
            return s;
        }
        return s.withStatus("measured; contradicted side by side: " + cmp.contradiction(t, p));
    }

    /** {@return the standing of one trial, {@code sideBySideFailure} why it failed in a duel, or null} */
    static Advice.Standing of(Advice.Trial t, String sideBySideFailure) {
        return of(t, sideBySideFailure, null);
    }

    private static Advice.Standing of(Advice.Trial t, String sideBySideFailure, Trials.Duel duel) {
        boolean failedForReal = duel != null && Comparisons.failedForReal(duel, t.label());
        String failed = TrialFailures.failedMeasurement(t);
        String status = !t.ran()
                ? "skipped: " + t.skipped()
                : failed != null
                        ? "failed: " + failed
                        : sideBySideFailure == null
                                ? "measured"
                                : failedForReal || duel == null
                                        ? "failed: " + sideBySideFailure
                                        : "measured; not confirmed: it " + sideBySideFailure;
        boolean figure = t.ran() && failed == null;
        Stats s = Stats.of(figure ? t.throughputSamples() : List.of());
        return new Advice.Standing(
                t.label(),
                t.mode(),
                workers(t),
                t.workers(),
                t.threadsPerWorker(),
                t.batched(),
                figure ? t.throughput() : -1,
                s.n() >= 2 ? s.q1() : -1,
                s.n() >= 2 ? s.q3() : -1,
                s.n(),
                spread(s.n(), s.q1(), s.q3()),
                status);
    }

    /** {@return a spread in words: "IQR from 854 to 1,997/s", "one sample" (no spread to show), or "none"} */
    static String spread(int samples, double q1, double q3) {
        return samples == 0 ? "none" : samples == 1 ? "one sample" : "IQR " + Comparisons.range(q1, q3) + "/s";
    }

    /** {@return a model's workers in words, such as "2 threads" or "2 worker JVMs x 2 threads"} */
    static String workers(Advice.Trial t) {
        String w = switch (t.mode()) {
            case THREADS -> Units.count(t.workers(), "thread", "threads");
            case VIRTUAL_THREADS ->
                "virtual threads"
                        + (t.concurrency() > 0 ? ", " + Units.count(t.concurrency(), "caller", "callers") : "");
            case PROCESSES -> Units.count(t.workers(), "worker JVM", "worker JVMs");
            case HYBRID, CLUSTER ->
                Units.count(t.workers(), "worker JVM", "worker JVMs") + " x "
                        + Units.count(t.threadsPerWorker(), "thread", "threads");
        };
        return t.batched() && t.mode() != Mode.VIRTUAL_THREADS ? w + ", map()" : w;
    }
}
