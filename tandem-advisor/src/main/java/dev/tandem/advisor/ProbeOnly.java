package dev.tandem.advisor;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict of a run in which no model that may run the task was measured (every trial skipped, or none
 * completed a task): the model follows from the probe alone, and the decision says so. Stateless.
 */
final class ProbeOnly {
    private ProbeOnly() {}

    /** {@return the choice for requirements {@code r} of a run in which no model that may run the task was measured} */
    static Rules.Choice choose(Rules rules, Advice.Requirements r, List<String> notes) {
        Mode mode;
        int workers;
        int tpw = 1;
        if (rules.needsIsolation(r)) {
            Advice.Trial hy = rules.planned(t -> t.mode() == Mode.HYBRID);
            if (!rules.onePerJvm(r) && rules.blocking() && hy != null) {
                mode = Mode.HYBRID;
                workers = hy.workers();
                tpw = hy.threadsPerWorker();
            } else {
                mode = Mode.PROCESSES;
                workers = Math.min(rules.cores, rules.workersThatFit(r));
            }
        } else if (rules.blocking()) {
            mode = Mode.VIRTUAL_THREADS;
            workers = 0;
        } else {
            mode = Mode.THREADS;
            workers = rules.cores;
        }
        List<String> decision = new ArrayList<>();
        String blocked = RequirementEffects.unmet(rules, r);
        if (blocked != null) {
            decision.add(blocked);
        }
        List<Advice.Trial> missing = Reasons.notMeasured(rules, r);
        List<String> ran = rules.trials.stream()
                .filter(Rules::measured)
                .map(Advice.Trial::label)
                .toList();
        if (!missing.isEmpty()) {
            decision.add("no model that may run the task was measured"
                    + (ran.isEmpty() ? "" : " (" + String.join(", ", ran) + " ran, but may not run it)")
                    + ", so this is not a measured comparison: " + Reasons.notMeasuredText(missing)
                    + "; the model follows from the probe alone");
        }
        return new Rules.Choice(mode, workers, tpw, false, null, null, notes, decision, false, null);
    }
}
