package dev.tandem.advisor;

import dev.tandem.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict of a run in which no model that may run the task was measured (every trial skipped, or none
 * completed a task): the model follows from the probe alone, and the decision says so; and, for every
 * verdict, the models that gave no figure, in words. Stateless.
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
            if (!rules.onePerJvm(r) && rules.blocking()) {
                // the plan's hybrid, also when none was planned (a task that cannot be copied plans no worker JVM):
                // a task that waits 95% once got processes(2) "from the probe alone"
                mode = Mode.HYBRID;
                workers = hy != null ? hy.workers() : Math.max(1, rules.cores / 2);
                tpw = hy != null
                        ? hy.threadsPerWorker()
                        : Math.max(2, Math.min(256, Trials.blockingThreads(rules.cores, rules.cpuShare()) / workers));
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
        List<Advice.Trial> missing = notMeasured(rules, r);
        List<String> ran = rules.trials.stream()
                .filter(Rules::measured)
                .map(Advice.Trial::label)
                .toList();
        if (!missing.isEmpty()) {
            decision.add("no model that may run the task was measured"
                    + (ran.isEmpty() ? "" : " (" + String.join(", ", ran) + " ran, but may not run it)")
                    + ", so this is not a measured comparison: " + notMeasuredText(missing)
                    + "; the model follows from the probe alone");
        }
        return new Rules.Choice(mode, workers, tpw, false, null, null, notes, decision, false, null);
    }

    /**
     * {@return the trials of models that may run the task under {@code r} but gave no figure: skipped, or
     * run without completing a task}
     */
    static List<Advice.Trial> notMeasured(Rules rules, Advice.Requirements r) {
        return rules.trials.stream()
                .filter(t -> !Rules.measured(t))
                .filter(t -> rules.ruledOut(t, r) == null)
                .toList();
    }

    /**
     * {@return what became of trials that gave no figure, in words: "processes(1) failed: ran but completed no
     * task (its pool took 1.99 s to start); processes(2) and hybrid(1x2) were skipped (the budget was used up before the trials, ...)"}
     */
    static String notMeasuredText(List<Advice.Trial> ts) {
        List<String> parts = new ArrayList<>();
        for (Advice.Trial t : ts) {
            if (t.ran()) {
                parts.add(t.label() + " failed: " + TrialFailures.failedMeasurement(t));
            }
        }
        Map<String, List<String>> skipped = new LinkedHashMap<>();
        for (Advice.Trial t : ts) {
            if (!t.ran()) {
                skipped.computeIfAbsent(t.skipped(), k -> new ArrayList<>()).add(t.label());
            }
        }
        skipped.forEach((why, labels) -> parts.add(listed(labels) + (labels.size() == 1 ? " was" : " were")
                + " skipped (" + why + ")")); // bounded where it is made: cut here, it read "[...]" mid-clause
        return String.join("; ", parts);
    }

    /** {@return labels as a list in words: "a", "a and b", "a, b and c"} */
    static String listed(List<String> labels) {
        return labels.size() <= 2
                ? String.join(" and ", labels)
                : String.join(", ", labels.subList(0, labels.size() - 1)) + " and " + labels.getLast();
    }
}
