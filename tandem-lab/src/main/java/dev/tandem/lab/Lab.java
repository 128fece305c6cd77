package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.measure.Load;
import dev.tandem.measure.Page;
import dev.tandem.measure.Table;
import dev.tandem.measure.TandemLog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The conductor of a lab run: runs the chosen experiments in order with a progress display, then
 * writes {@code results.json}, {@code report.md} and {@code index.html}, prints a summary table and,
 * with {@code --compare}, what changed since an earlier run.
 *
 * <h2>Load and noise</h2>
 * A {@link Load.Meter} is read before and after each experiment, so every section records the load
 * average, the CPU that other processes took and the stolen time while it measured. An experiment
 * whose verdict rests on a number that is noise, or that the machine kept from meaning anything
 * ({@link Section#problems()}), runs once more; if the repeat has problems too, the attempt with
 * fewer is kept and its verdict becomes <em>inconclusive</em>, naming the numbers and the load.
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

    /** Attempts per experiment: the first, and one repeat when its verdict would rest on noise. */
    static final int ATTEMPTS = 2;

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
        Load.Meter whole = Load.start();
        // the lab crashes and kills workers on purpose: their deaths are its measurements, not warnings
        TandemLog quiet = TandemLog.onlyFailures();
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
                Section s = runWithRepeat(e, options, tmp, done, progress, failed);
                done.put(e.id(), s);
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        } finally {
            quiet.close();
            int killed = killLeftovers();
            if (killed > 0) {
                err.println("tandem lab: killed " + killed + " process(es) the lab had started and lost track of");
            }
            deleteTree(tmp);
        }
        Load load = whole.stop();
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode comparison = null;
        if (options.compare() != null) {
            comparison = Comparison.compare(options.compare(), options, done.values());
        }
        Path dir = Page.stillOurs(options.out(), Baseline.FORMAT_FAMILY, "tandem lab", ReportWriter.FILES);
        if (!dir.equals(options.out())) {
            err.println("tandem lab: " + options.out() + " now holds a report the lab did not write (written there"
                    + " while the lab ran), so this report goes to " + dir);
        }
        dir = new ReportWriter(options.withOut(dir), started, seconds, load, List.copyOf(done.values()), comparison)
                .write();
        printSummary(done.values(), seconds, load);
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

    /** Runs an experiment, and once more if its verdict would rest on noise; returns the section to report. */
    private Section runWithRepeat(
            Experiment e,
            LabOptions options,
            Path tmp,
            Map<String, Section> done,
            Progress progress,
            List<String> failed) {
        Section best = null;
        List<String> bestProblems = List.of();
        List<Load> loads = new ArrayList<>();
        String repeatedBecause = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Section s = e.section();
            Load.Meter meter = Load.start();
            long s0 = System.nanoTime();
            boolean ok = true;
            try {
                Path dir = Files.createDirectories(tmp.resolve(e.id() + "-" + attempt));
                e.run(new Bench(options, dir, done, progress, e.id()), s);
            } catch (Exception | OutOfMemoryError | StackOverflowError ex) {
                ok = false;
                s.verdict(Outcome.NOT_MEASURED, "The experiment failed before it could conclude: " + ex);
                s.note("Failure: " + ex + (ex.getCause() == null ? "" : " (cause: " + ex.getCause() + ")"));
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            s.seconds = (System.nanoTime() - s0) / 1e9;
            s.load = meter.stop();
            loads.add(s.load);
            if (!ok) {
                failed.add(e.id());
                best = s;
                bestProblems = List.of();
                break;
            }
            List<String> problems = s.problems();
            if (best == null || problems.size() <= bestProblems.size()) {
                best = s;
                bestProblems = problems;
            }
            if (problems.isEmpty()
                    || !e.measures()
                    || attempt == ATTEMPTS
                    || Thread.currentThread().isInterrupted()) {
                break;
            }
            repeatedBecause = String.join("; ", problems);
            progress.repeat(
                    e.id(),
                    e.steps(new Bench(options, tmp, done, progress, e.id())),
                    "its verdict would rest on noise (" + s.load.describe() + ")");
        }
        best.attempts.addAll(loads);
        best.repeatedBecause = repeatedBecause;
        if (!repeatedBecause.isBlank()) {
            best.note("This experiment ran twice: the first attempt's verdict would have rested on noise ("
                    + repeatedBecause + "). The report shows the attempt with fewer such numbers.");
        }
        if (!bestProblems.isEmpty() && best.outcome != Outcome.NOT_MEASURED) {
            best.inconclusive(bestProblems);
        }
        if (best.load != null && best.load.busy()) {
            best.note("The machine was busy while this section measured: " + best.load.describe()
                    + ". Times may be inflated; numbers whose spread shows it are flagged as noise.");
        }
        best.noteWideSpreads();
        return best;
    }

    private void printSummary(Iterable<Section> sections, double seconds, Load load) {
        List<List<String>> rows = new ArrayList<>();
        for (Section s : sections) {
            rows.add(List.of(s.id, s.outcome.label(), s.headline));
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "tandem lab: %.0f s on %d cores, JDK %s%n",
                seconds,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        if (load.busy()) {
            out.println("the machine was busy: " + load.describe());
        }
        out.print(new Table("", List.of("experiment", "verdict", "headline"), rows).text());
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
