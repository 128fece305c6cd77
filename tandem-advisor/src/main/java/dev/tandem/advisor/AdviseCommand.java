package dev.tandem.advisor;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem advise}: runs the user's task under every execution model and recommends one, with
 * reasons; or, with {@code --interactive}, asks about a task that is not written yet. Prints a table
 * and writes {@code advise-report/} (HTML with charts, Markdown, JSON).
 *
 * <p>Exit codes: 0 done, 2 bad input (the message says what to fix).
 */
@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Run your task under threads, virtual threads, processes and hybrids on this machine, "
                + "measure each, and recommend one with reasons; or answer a questionnaire (--interactive).",
        footer = {
            "",
            "Examples:",
            "  tandem advise --classpath target/classes --task com.acme.Resize --time 20s",
            "  tandem advise --interactive"
        })
public final class AdviseCommand implements Callable<Integer> {
    @Option(
            names = "--classpath",
            paramLabel = "CP",
            description =
                    "Where your class and its dependencies are: directories or jars, separated by '${sys:path.separator}'.")
    String classPath;

    @Option(
            names = "--task",
            paramLabel = "CLASS",
            description = "A dev.tandem.Task or dev.tandem.advisor.Workload with a public no-argument constructor.")
    String task;

    @Option(
            names = "--inputs",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Inputs a Workload makes, and the most tasks per trial (default: ${DEFAULT-VALUE}).")
    int inputs;

    @Option(
            names = "--time",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "Time budget of the whole run, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
    String time;

    @Option(names = "--isolate", description = "Require that tasks never share the caller's JVM.")
    boolean isolate;

    @Option(
            names = "--heap-per-task",
            paramLabel = "SIZE",
            description = "Require a heap of its own per task, e.g. 512m (one task per worker JVM, -Xmx).")
    String heapPerTask;

    @Option(
            names = "--max-latency",
            paramLabel = "DURATION",
            description = "Require each task to finish within this time of submission, e.g. 50ms.")
    String maxLatency;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "advise-report",
            description = "Where to write index.html, report.md and results.json (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--interactive", description = "Answer a few questions instead of running code.")
    boolean interactive;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<CostProbe.Costs> costs;

    /** Creates the command on the process's standard streams. */
    public AdviseCommand() {
        this(System.in, System.out, System.err, CostProbe::measure);
    }

    AdviseCommand(InputStream in, PrintStream out, PrintStream err, Supplier<CostProbe.Costs> costs) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.costs = costs;
    }

    @Override
    public Integer call() {
        try {
            return interactive ? interview() : measure();
        } catch (IllegalArgumentException e) {
            err.println("tandem advise: " + e.getMessage());
            return 2;
        }
    }

    private int measure() {
        if (task == null) {
            throw new IllegalArgumentException(
                    "give --task CLASS (and --classpath CP), or --interactive;" + " see tandem advise --help");
        }
        Advisor.Options options = new Advisor.Options(
                inputs,
                Units.parseDuration(time),
                isolate,
                heapPerTask == null ? 0 : Units.parseBytes(heapPerTask),
                maxLatency == null ? null : Units.parseDuration(maxLatency));
        List<Path> cp = classPath == null || classPath.isBlank()
                ? List.of()
                : Arrays.stream(classPath.split(File.pathSeparator))
                        .filter(s -> !s.isBlank())
                        .map(Path::of)
                        .toList();
        err.println("tandem advise: measuring " + task + " for up to " + time + " ...");
        Advice advice = new Conductor(Subject.locate(task, cp), options, s -> err.println("  " + s)).run();
        out.print(Table.render(advice));
        Report.write(advice, report);
        out.println();
        out.println("Report: " + report.resolve("index.html") + " (also report.md, results.json)");
        return 0;
    }

    private int interview() {
        int cores = Runtime.getRuntime().availableProcessors();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Interview.Answers answers = Interview.ask(reader, out, cores);
        out.println();
        out.println("Measuring this machine's costs (a few seconds) ...");
        CostProbe.Costs measured = costs.get();
        Interview.printCosts(out, measured);
        StringBuilder b = new StringBuilder();
        Table.verdict(b, Interview.verdict(answers, measured, Conductor.machine()));
        out.print(b);
        return 0;
    }
}
