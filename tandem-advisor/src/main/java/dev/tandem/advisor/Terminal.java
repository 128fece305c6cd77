package dev.tandem.advisor;

import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The terminal rendering of an {@link Advice}: a table of trials (the recommended one marked with
 * {@code >}), then the verdict, how it was reached, and its reasons, wrapped at {@value #WIDTH}
 * columns. No line ever holds only punctuation: a word such as {@code ;} stays on its neighbour's line.
 */
final class Terminal {
    static final int WIDTH = 110;

    private Terminal() {}

    static String render(Advice a) {
        StringBuilder b = new StringBuilder();
        Advice.Machine m = a.machine();
        b.append("tandem advise: ").append(a.task()).append('\n');
        b.append("machine: ")
                .append(m.cores())
                .append(" cores, ")
                .append(Units.bytes(m.memoryBytes()))
                .append(", JDK ")
                .append(m.jdk())
                .append(m.loadAverage() >= 0 ? String.format(Locale.ROOT, ", load %.1f", m.loadAverage()) : "")
                .append("; budget ")
                .append(Units.nanos(a.budgetNanos()))
                .append('\n');
        if (Rules.busy(a.load())) {
            b.append(busyBanner(a.load(), Report.runBusy(a))).append('\n');
        }
        for (int i = 0; i < a.time().size(); i++) {
            b.append(wrap((i == 0 ? "time: " : "  - ") + a.time().get(i), "    "))
                    .append('\n');
        }
        b.append('\n');
        Advice.Probe p = a.probe();
        b.append(wrap(
                        "probe (child JVM): " + p.calls() + " calls, median " + Units.nanos(p.medianCallNanos())
                                + ", CPU " + Units.percent(Math.max(0, p.cpuShare())) + ", "
                                + perCall("allocates", p.allocatedBytesPerCall()) + ", "
                                + perCall("heap growth", p.retainedBytesPerCall())
                                + ", task " + Units.bytes(p.taskBytes()) + ", result "
                                + Units.bytes(p.resultBytes())
                                + (p.failures() > 0 ? ", " + p.failures() + " failed" : "")
                                + (p.jvmEnded() ? "; ENDED: " + p.endedHow() : "")
                                + (p.nativeLibraries().isEmpty()
                                        ? ""
                                        : "; native: " + String.join(", ", p.nativeLibraries())),
                        ""))
                .append("\n\n");
        if (a.trials().stream().anyMatch(Advice.Trial::ran)) {
            b.append(trials(a).text());
        } else {
            // was a bare "None." where the table stands, saying nothing of what happened
            b.append(wrap(
                            "No model was measured: no trial ran"
                                    + (a.trials().isEmpty() ? "." : "; each is listed below."),
                            ""))
                    .append('\n');
        }
        for (String line : notRanked(a)) {
            b.append(wrap(line, "  ")).append('\n');
        }
        for (String artefact : artefacts(a)) {
            b.append(wrap("artefact: " + artefact, "  ")).append('\n');
        }
        b.append("(> recommended; spread = IQR of the tasks/s of five windows; speed-up against the first row;"
                + " overhead = latency - time inside the task; CPU = user + system of caller and workers)\n\n");
        verdict(b, a.verdict());
        return b.toString();
    }

    /**
     * {@return the banner of a busy machine, wrapped: what the load was and what it means for
     * {@code consequence}} One banner for a measured run and for the questionnaire.
     */
    static String busyBanner(Advice.MachineLoad load, String consequence) {
        return wrap("THE MACHINE WAS BUSY: " + load.description() + "; " + consequence, "  ");
    }

    /** {@return the first row's trial, which speed-ups are measured against, or null if none completed a task} */
    private static Advice.Trial base(Advice a) {
        return a.trials().stream()
                .filter(t -> t.ran() && t.completed() > 0)
                .findFirst()
                .orElse(null);
    }

    /** {@return the rules of this run, which say which speed-ups are artefacts ({@link SpeedupBound})} */
    private static Rules rules(Advice a) {
        return new Rules(a.probe(), a.trials(), a.requirements(), a.machine(), null, null);
    }

    /**
     * {@return a line for each model the ranking left out: "skipped threads(2): why", or "failed processes(2): why"
     * for one that completed no task (in its trial, or when measured again side by side)}
     */
    static List<String> notRanked(Advice a) {
        List<String> lines = new ArrayList<>();
        for (Advice.Standing s : a.sideBySide()) {
            if (!s.measured()) {
                int colon = s.status().indexOf(": ");
                lines.add(s.status().substring(0, colon) + " " + s.label() + ": "
                        + s.status().substring(colon + 2));
            }
        }
        return lines;
    }

    /**
     * {@return {@code text} as a sentence begins: its first letter capitalised, unless its first word is code (a
     * model such as {@code threads(2)}, {@code map()}, an option such as {@code --isolate})}
     */
    static String capitalised(String text) {
        if (text.isEmpty() || !Character.isLowerCase(text.charAt(0))) {
            return text;
        }
        String first = text.split("[\\s:;,]", 2)[0];
        if (first.contains("(") || first.contains(".") || first.contains("_")) {
            return text;
        }
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** {@return true if the table shows "artefact" for {@code t}'s speed-up: its figure is no result} */
    static boolean artefact(Advice a, Advice.Trial t) {
        return rules(a).speedups.artefact(t);
    }

    /** {@return for each trial whose speed-up is an artefact, why, in one sentence} */
    static List<String> artefacts(Advice a) {
        Rules r = rules(a);
        return a.trials().stream()
                .filter(r.speedups::artefact)
                .map(r.speedups::text)
                .toList();
    }

    /** {@return the trials as a table, the recommended model's row marked} */
    static Table trials(Advice a) {
        List<List<String>> rows = new ArrayList<>();
        Advice.Trial first = base(a);
        double base = first == null ? 0 : first.throughput();
        Rules rules = rules(a);
        int marked = -1;
        for (Advice.Trial t : a.trials()) {
            if (!t.ran()) {
                continue;
            }
            if (recommended(a.verdict(), t)) {
                marked = rows.size();
            }
            // a model that completed no task gave no figure: "failed", never 0/s
            boolean failed = !Rules.measured(t);
            Stats s = Stats.of(failed ? List.of() : t.throughputSamples());
            rows.add(List.of(
                    t.label(),
                    failed ? "failed" : Units.rate(t.throughput()),
                    s.n() == 0 ? "-" : s.n() == 1 ? "one sample" : Units.num(s.q1()) + " to " + Units.num(s.q3()),
                    base <= 0 || failed
                            ? "-"
                            : rules.speedups.artefact(t) ? "artefact" : Units.ratio(t.throughput() / base),
                    Units.nanos(t.p50Nanos()),
                    Units.nanos(t.p99Nanos()),
                    Units.nanos(t.taskNanos()),
                    Units.nanos(t.overheadNanos()),
                    Units.nanos(t.cpuPerTaskNanos()),
                    Units.bytes(t.callerRssBytes()),
                    t.workerRssBytes().isEmpty()
                            ? "-"
                            : t.workerRssBytes().size() + " × " + Units.bytes(t.meanWorkerRssBytes()),
                    Long.toString(t.failed()),
                    t.load() == null || Double.isNaN(t.load().othersCpus())
                            ? "-"
                            : Units.num(t.load().othersCpus())));
        }
        return new Table(
                "",
                List.of(
                        "model",
                        "tasks/s",
                        "spread",
                        "speed-up",
                        "p50",
                        "p99",
                        "task",
                        "overhead",
                        "CPU/task",
                        "caller RSS",
                        "worker RSS",
                        "failed",
                        "others' CPUs"),
                rows,
                marked);
    }

    /** {@return true if {@code t} is the trial the verdict recommends} */
    static boolean recommended(Advice.Verdict v, Advice.Trial t) {
        return t.mode() == v.mode()
                && t.workers() == v.workers()
                && (t.threadsPerWorker() == v.threadsPerWorker() || !t.mode().isolated())
                && t.batched() == v.batch();
    }

    static void verdict(StringBuilder b, Advice.Verdict v) {
        b.append(wrap("VERDICT: " + v.summary(), "  ")).append("\n\n");
        if (!v.decision().isEmpty()) {
            b.append("How it was decided:\n");
            for (String d : v.decision()) {
                b.append(wrap("- " + capitalised(d), "    ")).append('\n');
            }
            b.append('\n');
        }
        for (Advice.Reason r : v.reasons()) {
            b.append(wrap("- " + r.angle().title() + ": " + capitalised(r.text()), "    "))
                    .append('\n');
        }
        if (!v.requirementEffects().isEmpty()) {
            b.append("\nYour requirements:\n");
            for (String e : v.requirementEffects()) {
                b.append(wrap("- " + capitalised(e), "    ")).append('\n');
            }
        }
        if (!v.warnings().isEmpty()) {
            b.append("\nWarnings:\n");
            for (String w : v.warnings()) {
                b.append(wrap("- " + capitalised(w), "    ")).append('\n');
            }
        }
        b.append("\nCode:\n");
        for (String line : v.code().split("\n")) {
            b.append("    ").append(line).append('\n');
        }
    }

    /**
     * {@return {@code text} wrapped at {@link #WIDTH} columns, continuation lines indented; a word that
     * is only punctuation never starts a line}
     */
    static String wrap(String text, String indent) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.strip().split("\\s+")) {
            boolean punctuation = word.matches("\\p{Punct}+");
            if (col > 0 && col + 1 + word.length() > WIDTH && !punctuation) {
                out.append('\n').append(indent);
                col = indent.length();
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }

    /**
     * {@return a per-call figure in words, or that it was not measured}
     * A hung task has no completed call to divide by: it read "allocates n/a/call".
     */
    static String perCall(String what, long bytes) {
        return bytes < 0 ? what + " not measured" : what + " " + Units.bytes(bytes) + "/call";
    }
}
