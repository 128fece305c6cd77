package dev.tandem.advisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The terminal rendering of an {@link Advice}: a table of trials, then the verdict and its reasons. */
final class Table {
    private static final int WIDTH = 110;

    private Table() {}

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
                .append("\n\n");
        Advice.Probe p = a.probe();
        b.append(wrap(
                        "probe (child JVM): " + p.calls() + " calls, median " + Units.nanos(p.medianCallNanos())
                                + ", CPU " + Units.percent(Math.max(0, p.cpuShare())) + ", allocates "
                                + Units.bytes(p.allocatedBytesPerCall()) + "/call, heap growth "
                                + Units.bytes(p.retainedBytesPerCall())
                                + "/call, task " + Units.bytes(p.taskBytes()) + ", result "
                                + Units.bytes(p.resultBytes())
                                + (p.failures() > 0 ? ", " + p.failures() + " failed" : "")
                                + (p.jvmEnded() ? "; ENDED: " + p.endedHow() : "")
                                + (p.nativeLibraries().isEmpty()
                                        ? ""
                                        : "; native: " + String.join(", ", p.nativeLibraries())),
                        ""))
                .append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "model",
            "tasks/s",
            "speedup",
            "p50",
            "p99",
            "task",
            "overhead",
            "CPU/task",
            "caller RSS",
            "worker RSS",
            "failed"
        });
        double base = a.trials().stream()
                .filter(t -> t.ran() && t.completed() > 0)
                .mapToDouble(Advice.Trial::throughput)
                .findFirst()
                .orElse(0);
        List<String> skipped = new ArrayList<>();
        for (Advice.Trial t : a.trials()) {
            if (!t.ran()) {
                skipped.add(t.label() + ": " + t.skipped());
                continue;
            }
            rows.add(new String[] {
                t.label(),
                Units.rate(t.throughput()),
                base > 0 ? Units.ratio(t.throughput() / base) : "-",
                Units.nanos(t.p50Nanos()),
                Units.nanos(t.p99Nanos()),
                Units.nanos(t.taskNanos()),
                Units.nanos(t.overheadNanos()),
                Units.nanos(t.cpuPerTaskNanos()),
                Units.bytes(t.callerRssBytes()),
                t.workerRssBytes().isEmpty()
                        ? "-"
                        : t.workerRssBytes().size() + " × " + Units.bytes(t.meanWorkerRssBytes()),
                Long.toString(t.failed())
            });
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        b.append('\n');
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                b.append(String.format(Locale.ROOT, i == 0 ? "%-" + widths[i] + "s" : "  %" + widths[i] + "s", r[i]));
            }
            b.append('\n');
        }
        for (String s : skipped) {
            b.append(wrap("skipped " + s, "  ")).append('\n');
        }
        b.append("(speedup against the first row; overhead = latency - time inside the task; CPU = user + system"
                + " of caller and workers)\n\n");
        verdict(b, a.verdict());
        return b.toString();
    }

    static void verdict(StringBuilder b, Advice.Verdict v) {
        b.append(wrap("VERDICT: " + v.summary(), "  ")).append("\n\n");
        for (Advice.Reason r : v.reasons()) {
            b.append(wrap("- " + r.angle().title() + ": " + r.text(), "    ")).append('\n');
        }
        if (!v.requirementEffects().isEmpty()) {
            b.append("\nYour requirements:\n");
            for (String e : v.requirementEffects()) {
                b.append(wrap("- " + e, "    ")).append('\n');
            }
        }
        if (!v.warnings().isEmpty()) {
            b.append("\nWarnings:\n");
            for (String w : v.warnings()) {
                b.append(wrap("- " + w, "    ")).append('\n');
            }
        }
        b.append("\nCode:\n");
        for (String line : v.code().split("\n")) {
            b.append("    ").append(line).append('\n');
        }
    }

    static String wrap(String text, String indent) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > WIDTH) {
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
}
