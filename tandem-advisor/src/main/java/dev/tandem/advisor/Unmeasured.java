package dev.tandem.advisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a run could not measure, in words true to why: the models that gave no figure although the rules rule them
 * out anyway, and a probe that could not compare a repeated call. Pure functions of the {@link Rules}.
 */
final class Unmeasured {
    private Unmeasured() {}

    /**
     * {@return the models in worker JVMs (or that ran) not measured that the rules also rule out, in words ("; hybrid(1x2)
     * was skipped too, and is ruled out: ..."), or "" if none} With {@link ProbeOnly#notMeasuredText} the verdict names
     * every model not measured. Was: a run whose budget ran out named processes(2) as skipped and left out
     * hybrid(1x2), skipped as well, because a hang rules it out; and its reason, cut in its middle to 120 characters,
     * read "it runs several tasks in one worker JVM, [...] this machine: 1.00 s); it was killed), which would take those
     * tasks down together". Models in this JVM never run for a task that hangs
     * or ends its JVM are left to the verdict, which says why.
     */
    static String alsoRuledOut(Rules rules, Advice.Requirements req) {
        List<String> parts = new ArrayList<>();
        for (Advice.Trial t : rules.trials) {
            String out = Rules.measured(t) || !t.ran() && !t.mode().isolated() ? null : rules.ruledOut(t, req);
            if (out != null) {
                // the verdict has told what the probe saw: the reason is said again without it, and never cut
                parts.add(t.label() + (t.ran() ? " failed" : " was skipped") + " too, and is ruled out: "
                        + (rules.probe.endedHow() == null
                                ? out
                                : out.replace(" (" + rules.probe.endedHow() + ")", "")));
            }
        }
        return parts.isEmpty() ? "" : "; " + String.join("; ", parts);
    }

    /**
     * {@return the warning that results were not used to check thread safety, with why, if so} A hang's probe JVM
     * was killed by the advisor, not ended by the task (was: "the task ended the probe's JVM" for a task that hung on
     * one input in fifty); a task that ends its JVM ended the probe before it called again (was: "a repeated call
     * gave a different result" for a task that always returned 7).
     */
    static Optional<String> repeatUnchecked(Rules r) {
        if (r.probe.serializationError() != null || r.probe.deterministic() || r.probe.resultBytes() < 0) {
            return Optional.empty();
        }
        if (r.hangs()) {
            return Optional.of("a call did not return, so the advisor killed the probe's JVM before a repeated call"
                    + " could be compared, and results were not used to check thread safety");
        }
        return Optional.of(
                r.exits()
                        ? "the task ended the probe's JVM before a repeated call could be compared, so results were not"
                                + " used to check thread safety"
                        : "a repeated call gave a different (or incomparable) result, so results were not used to check"
                                + " thread safety");
    }
}
