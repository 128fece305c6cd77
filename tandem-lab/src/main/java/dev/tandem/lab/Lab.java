package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The conductor of a lab run: runs the chosen experiments in order with a progress display, then
 * writes {@code results.json}, {@code report.md} and {@code index.html}, prints a summary table and,
 * with {@code --compare}, what changed since an earlier run.
 *
 * <h2>Lifecycle</h2>
 * {@code run} creates a private temporary directory (FIFOs, sockets, results of child JVMs, crash
 * logs), runs each experiment, and finally deletes that directory and kills any process the lab
 * started that is somehow still alive, so a run leaves nothing behind. An experiment that throws is
 * reported as such and the next one runs.
 *
 * <p>Not thread-safe: one run at a time per instance.
 */
final class Lab {
    /** Every experiment, in the order they run; the verdict reads the others, so it comes last. */
    static final List<String> ORDER =
            List.of("resources", "switching", "sharing", "isolation", "scaling", "races", "verdict");

    private final PrintStream out;
    private final PrintStream err;

    Lab(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static Experiment experiment(String id) {
        return switch (id) {
            case "resources" -> new ResourcesExperiment();
            case "switching" -> new SwitchingExperiment();
            case "sharing" -> new SharingExperiment();
            case "isolation" -> new IsolationExperiment();
            case "scaling" -> new ScalingExperiment();
            case "races" -> new RacesExperiment();
            case "verdict" -> new VerdictExperiment();
            default -> throw new IllegalArgumentException("unknown experiment '" + id + "'; choose from " + ORDER);
        };
    }

    /** Runs the lab; returns the process exit code (0 if every experiment ran). */
    int run(LabOptions options) throws IOException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Path tmp = Files.createTempDirectory("tandem-lab-");
        Map<String, Section> done = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        try (Progress progress = new Progress(err, options.progress())) {
            List<Experiment> plan =
                    options.experiments().stream().map(Lab::experiment).toList();
            int steps = 0;
            for (Experiment e : plan) {
                steps += e.steps(new Bench(options, tmp, done, progress, e.id()));
            }
            progress.begin(options.experiments(), steps);
            for (Experiment e : plan) {
                progress.experiment(e.id());
                Section s = e.section();
                long s0 = System.nanoTime();
                try {
                    e.run(new Bench(options, tmp, done, progress, e.id()), s);
                } catch (Exception | OutOfMemoryError | StackOverflowError ex) {
                    failed.add(e.id());
                    s.verdict(Outcome.NOT_MEASURED, "The experiment failed before it could conclude: " + ex);
                    s.note("Failure: " + ex + (ex.getCause() == null ? "" : " (cause: " + ex.getCause() + ")"));
                    if (ex instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
                s.seconds = (System.nanoTime() - s0) / 1e9;
                s.loadAverage = ProcFs.loadAverage();
                int cores = Runtime.getRuntime().availableProcessors();
                if (s.loadAverage > cores + 1) { // the lab itself keeps one or two CPUs busy
                    s.note(String.format(
                            "The machine was busy: its 1-minute load average was %.1f on %d cores when this "
                                    + "section ended (the lab itself accounts for one or two), so other programs competed for the "
                                    + "CPUs and times may be inflated.",
                            s.loadAverage, cores));
                }
                s.noteWideSpreads();
                done.put(e.id(), s);
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        } finally {
            int killed = killLeftovers();
            if (killed > 0) {
                err.println("tandem lab: killed " + killed + " process(es) the lab had started and lost track of");
            }
            deleteTree(tmp);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode comparison = null;
        if (options.compare() != null) {
            comparison = Comparison.compare(options.compare(), done.values());
        }
        Path dir = new ReportWriter(options, started, seconds, List.copyOf(done.values()), comparison).write();
        printSummary(done.values(), seconds);
        if (comparison != null) {
            Comparison.print(out, comparison);
        }
        out.println("report: " + dir.resolve("index.html").toAbsolutePath());
        out.println("        " + dir.resolve("report.md") + ", " + dir.resolve("results.json"));
        if (!failed.isEmpty()) {
            err.println("tandem lab: these experiments failed: " + failed);
            return 1;
        }
        return 0;
    }

    private void printSummary(Iterable<Section> sections, double seconds) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"experiment", "verdict", "headline"});
        for (Section s : sections) {
            rows.add(new String[] {s.id, s.outcome.label(), s.headline});
        }
        int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(10);
        out.println();
        out.printf(
                "tandem lab: %.0f s on %d cores, JDK %s%n",
                seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
        String rule = "-".repeat(w0) + "  " + "-".repeat(w1) + "  " + "-".repeat(60);
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            out.printf("%-" + w0 + "s  %-" + w1 + "s  %s%n", r[0], r[1], r[2]);
            if (i == 0) {
                out.println(rule);
            }
        }
        out.println();
    }

    /** Kills this JVM's descendants (only the lab starts processes in this JVM's run); returns how many. */
    private static int killLeftovers() {
        List<ProcessHandle> alive = ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .toList();
        int n = 0;
        for (ProcessHandle p : alive) {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains(LabChild.class.getName()) || cmd.contains("tandem-lab-")) {
                p.destroyForcibly();
                n++;
            }
        }
        return n;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temp file left behind is not worth failing the run over
        }
    }
}
