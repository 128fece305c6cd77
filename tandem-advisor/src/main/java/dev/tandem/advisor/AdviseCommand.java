package dev.tandem.advisor;

import dev.tandem.measure.Page;
import dev.tandem.measure.Units;
import dev.tandem.measure.UsageErrors;
import dev.tandem.measure.WholeNumber;
import java.io.BufferedReader;
import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tandem advise}: runs the user's task under every execution model and recommends one, with
 * reasons; or, with {@code --interactive}, asks about a task that is not written yet. Prints a table
 * and writes {@code advise-report/} (HTML with charts, Markdown, JSON).
 *
 * <p>Every input is checked before anything is measured: durations and sizes as they are parsed
 * (a bad one names the option and the value as typed), the report directory (created and written to
 * once), the class (found, and a task or workload), and combinations with {@code --interactive}.
 *
 * <p>Exit codes: 0 done, 2 bad input or a task that cannot be measured (it throws, or ends its JVM, on every
 * call: one line says what to fix, and nothing is recommended), 1 the report could not be written.
 */
@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Run your task under threads, virtual threads, processes and hybrids here, and recommend one.",
        description = {
            "Measures your task under every execution model on this machine and recommends the fastest one that"
                    + " your requirements and the task's measured risks (a crash, System.exit, a leak, code that is not"
                    + " thread-safe) allow, with the numbers behind each reason. Two models are told apart only when"
                    + " their measurements do not overlap; a close call on a busy machine is measured again side by"
                    + " side. Without code yet, --interactive asks a few questions instead.",
            "",
            "Java has no GIL: threads already run Java code on every core, so worker processes buy isolation, not"
                    + " CPU parallelism."
        },
        footer = {
            "",
            "Examples:",
            "  tandem advise --classpath target/classes --task com.acme.Resize --time 20s",
            "  tandem advise --classpath app.jar --task Fetch --isolate --max-latency 50ms",
            "  tandem advise --interactive [--report DIR]"
        })
public final class AdviseCommand implements Callable<Integer> {
    /** Options that describe a task to measure: they mean nothing to the questionnaire. */
    private static final List<String> MEASURING =
            List.of("--task", "--classpath", "--inputs", "--time", "--isolate", "--heap-per-task", "--max-latency");

    @Spec
    CommandSpec spec;

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
            converter = InputsRange.class,
            description = "Inputs a Workload makes, and the most tasks per trial, 1 to 1,000,000 (default:"
                    + " ${DEFAULT-VALUE}).")
    int inputs;

    @Option(
            names = "--time",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Durations.Budget.class,
            description = "Time budget of the whole run (probe, trials, side-by-side duel), 8s to 1h, e.g. 30s, 2m"
                    + " or 1m30s (default: ${DEFAULT-VALUE}). Phases share it and a phase that does not fit is"
                    + " skipped; what must not be cut short (starting and stopping JVMs, a call that never returns)"
                    + " may take it over by a few seconds, longer on a busy machine (waits stretch with its pace, up"
                    + " to 16x, the probe's deadline to at most half the budget). The output prints the wall time.")
    Duration time;

    @Option(names = "--isolate", description = "Require that tasks never share the caller's JVM.")
    boolean isolate;

    @Option(
            names = "--heap-per-task",
            paramLabel = "SIZE",
            converter = Durations.HeapSize.class,
            description =
                    "Require a heap of its own per task, at least 16m, e.g. 512m (one task per worker JVM, -Xmx).")
    Long heapPerTask;

    @Option(
            names = "--max-latency",
            paramLabel = "DURATION",
            converter = Durations.Positive.class,
            description = "Require each task to finish within this time of submission, e.g. 50ms.")
    Duration maxLatency;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "advise-report",
            description = "Directory of the report (index.html, report.md, results.json), created if needed"
                    + " (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(
            names = "--interactive",
            description = "Answer a few questions instead of running code; writes a report only with --report.")
    boolean interactive;

    /** {@code --inputs}: 1 to {@link Advisor#MAX_INPUTS}, refused with the range and why while parsing. */
    static final class InputsRange extends WholeNumber<Integer> {
        InputsRange() {
            super(Integer.class, 1, Advisor.MAX_INPUTS, "the inputs are made before the time budget can stop anything");
        }
    }

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
        CommandLine cl = spec.commandLine();
        if (interactive) {
            List<String> given = new ArrayList<>();
            for (String option : MEASURING) {
                if (cl.getParseResult().hasMatchedOption(option)) {
                    given.add(option);
                }
            }
            if (!given.isEmpty()) {
                throw new ParameterException(
                        cl,
                        "--interactive asks about a task that is not written yet, so it does not take "
                                + String.join(", ", given) + "; drop " + (given.size() == 1 ? "it" : "them")
                                + ", or drop --interactive to measure a class");
            }
            Path dir = cl.getParseResult().hasMatchedOption("--report") ? writable(report) : null;
            return interview(dir);
        }
        if (task == null) {
            throw new ParameterException(
                    cl,
                    "give --task CLASS (and --classpath CP) to measure a class, or --interactive to answer questions");
        }
        Advisor.Options options =
                new Advisor.Options(inputs, time, isolate, heapPerTask == null ? 0 : heapPerTask, maxLatency);
        Path dir = writable(report);
        Subject subject;
        try {
            subject = Subject.locate(task, classPath());
        } catch (IllegalArgumentException e) {
            // one line naming the option and the value as typed: --classpath's own messages name it already
            String m = e.getMessage();
            throw m.startsWith("--classpath ") ? bad("--classpath", classPath, m, e) : bad("--task", task, m, e);
        }
        err.println("tandem advise: measuring " + subject.className() + " for up to " + Units.nanos(time.toNanos())
                + " ...");
        Advice advice;
        try {
            advice = new Conductor(subject, options, s -> err.println("  " + s)).run();
        } catch (IllegalArgumentException e) {
            // the task cannot be measured as written (it throws on every call, ends every JVM): one line, exit 2
            err.println("tandem advise: " + UsageErrors.sentence(UsageErrors.oneLine(e.getMessage())));
            return 2;
        }
        out.print(Terminal.render(advice));
        try {
            dir = stillOurs(dir);
            Report.write(advice, dir);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            err.println("tandem advise: " + e.getMessage());
            return 1;
        }
        out.println();
        out.println("Report: " + dir.resolve("index.html") + " (also report.md, results.json)");
        out.println(wallTime(jvmStart(), Instant.now(), advice.wallNanos()));
        return 0;
    }

    /**
     * {@return when this JVM started: the start of the wall time a user waited} The JVM's own start time, to
     * the millisecond; the process's start instant from {@code /proc} counts from a boot time in whole seconds
     * and read 0.5 s more than the shell's {@code time}.
     */
    static Instant jvmStart() {
        return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    /**
     * {@return the run's whole wall time in one line, from the process's start until the report was written,
     * and the part of it that the budget counts} The "time:" line counts only the measuring (#22).
     */
    static String wallTime(Instant processStart, Instant end, long measuringNanos) {
        return "Wall time: " + Units.nanos(Duration.between(processStart, end).toNanos())
                + " from the start of the JVM until the report was written; measuring took "
                + Units.nanos(measuringNanos)
                + " of it (what --time bounds), the rest started the JVM, checked the inputs and wrote the report";
    }

    private List<Path> classPath() {
        if (classPath == null || classPath.isBlank()) {
            return List.of();
        }
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .toList();
    }

    /**
     * Creates {@code dir} if needed and proves it writable, and refuses one whose files another command wrote
     * (a lab report); a usage error names --report and the value.
     */
    private Path writable(Path dir) {
        try {
            return Page.prepareDirectory(dir, Report.FORMAT_FAMILY, "tandem advise", Report.FILES);
        } catch (IllegalArgumentException e) {
            throw bad("--report", dir, e.getMessage(), e);
        }
    }

    /**
     * {@return {@code checked}, or where the report goes instead if another command wrote its report there since it was
     * checked; says so on stderr} See {@link Page#stillOurs}.
     */
    private Path stillOurs(Path checked) {
        Path dir = Page.stillOurs(checked, Report.FORMAT_FAMILY, "tandem advise", Report.FILES);
        if (!dir.equals(checked)) {
            err.println("tandem advise: " + checked + " now holds a report the advisor did not write (written there"
                    + " while it ran), so this report goes to " + dir);
        }
        return dir;
    }

    /** {@return a usage error of {@code option} and the value as typed: {@code --out 'x': why}} */
    private ParameterException bad(String option, Object typed, String why, Throwable cause) {
        return UsageErrors.bad(spec, option, typed, why, cause);
    }

    /** {@return whether {@code in} is this JVM's standard input and that is a terminal} */
    private static boolean fromTerminal(InputStream in) {
        Console console = System.console();
        return in == System.in && console != null && console.isTerminal();
    }

    /**
     * The questionnaire's input. Answers that do not come from a terminal (a pipe, a file) are not
     * echoed by one, so each is printed after its prompt here: the transcript reads as questions and
     * answers, one per line, instead of prompts run together.
     */
    static BufferedReader answers(InputStream in, PrintStream out, boolean echo) {
        InputStreamReader chars = new InputStreamReader(in, StandardCharsets.UTF_8);
        if (!echo) {
            return new BufferedReader(chars);
        }
        return new BufferedReader(chars) {
            @Override
            public String readLine() throws IOException {
                String line = super.readLine();
                out.println(line == null ? "(end of input)" : line);
                return line;
            }
        };
    }

    private int interview(Path dir) {
        int cores = Runtime.getRuntime().availableProcessors();
        BufferedReader reader = answers(in, out, !fromTerminal(in));
        Interview.Answers answers;
        try {
            answers = Questionnaire.ask(reader, out, cores);
        } catch (IllegalArgumentException e) {
            err.println("tandem advise: " + e.getMessage());
            return 2;
        }
        out.println();
        out.println("Measuring this machine's costs (a few seconds) ...");
        CostProbe.Costs measured = costs.get();
        CostProbe.print(out, measured);
        Advice.Verdict verdict = Interview.verdict(answers, measured, Conductor.machine());
        StringBuilder b = new StringBuilder();
        Terminal.verdict(b, verdict);
        out.print(b);
        if (dir != null) {
            try {
                dir = stillOurs(dir);
                Report.writeInterview(answers, measured, verdict, dir);
            } catch (UncheckedIOException | IllegalArgumentException e) {
                err.println("tandem advise: " + e.getMessage());
                return 1;
            }
            out.println();
            out.println("Report: " + dir.resolve("index.html") + " (also report.md, results.json)");
        }
        return 0;
    }
}
