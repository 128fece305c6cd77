package dev.tandem.lab;

import dev.tandem.measure.Page;
import dev.tandem.measure.UsageErrors;
import dev.tandem.measure.WholeNumber;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tandem lab}: measures each claim of the study note on multi-process vs multi-thread programming on this machine
 * and writes {@code tandem-report/} ({@code index.html}, {@code report.md}, {@code results.json}).
 *
 * <pre>
 * tandem lab                      # every experiment (about 5 minutes on an idle 2-CPU machine)
 * tandem lab switching isolation  # some of them
 * tandem lab --quick              # every experiment, fewer repeats (about a minute on an idle 2-CPU machine)
 * tandem lab --compare old.json   # and what changed since an earlier run
 * tandem lab --self-check         # the lab's round trip against the JMH benchmark's
 * </pre>
 *
 * <p>Every input is checked before anything is measured: experiment names, the report directory
 * (created, and written to once), the file to compare with (a lab's results.json), and combinations
 * of options. A bad input is a {@link ParameterException} (exit code 2) whose message names the
 * option and the value as typed.
 *
 * <p>Not thread-safe; picocli creates one per invocation.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Measure on this machine every claim of the study note on multi-process vs multi-thread programming,"
                + " and write a report.",
        description = {
            "Runs experiments on threads and processes (resources, switching, sharing, isolation, scaling, races) and"
                    + " weighs them (verdict). Writes tandem-report/index.html, report.md and results.json. Each result"
                    + " records how busy the machine was; a result too noisy to conclude from is repeated once and,"
                    + " if still noisy, reported as inconclusive.",
            "",
            "Experiments: resources, switching, sharing, isolation, scaling, races, verdict."
        },
        footer = {
            "",
            "Examples:",
            "  tandem lab                       every experiment (about 5 min idle)",
            "  tandem lab --quick               every experiment (about 1 min idle)",
            "  tandem lab switching isolation   some experiments",
            "  tandem lab --compare old/results.json",
            "  tandem lab --self-check          the lab's round trip against JMH's",
            "                                   (needs the benchmarks jar)",
            "",
            "Times are for an idle machine of 2 CPUs. A busy one takes several",
            "times longer (--quick took 433 s at load 15): every step is slower,",
            "and an experiment whose verdict would rest on noise runs again."
        })
public final class LabCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(
            paramLabel = "EXPERIMENT",
            arity = "0..*",
            description = "Experiments to run, in any order (default: all).")
    private List<String> experiments = new ArrayList<>();

    @Option(
            names = "--quick",
            description = "Fewer and shorter repeats: about a minute on an idle 2-CPU machine, several times that on"
                    + " a busy one.")
    private boolean quick;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            converter = SeedRange.class,
            description = "Seed of every random choice (shared data, fault drills). Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "tandem-report",
            description = "Report directory, created if needed. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Option(
            names = "--compare",
            paramLabel = "OLD.json",
            description =
                    "Compare with the results.json of an earlier run: like with like only, and say what differed.")
    private Path compare;

    @Option(names = "--no-progress", description = "Do not show progress on stderr.")
    private boolean noProgress;

    @Option(names = "--list", description = "List the experiments and the claims they test, then exit.")
    private boolean list;

    @Option(
            names = "--self-check",
            description = "Check the lab's method: measure Tandem's round trips as the lab does and with the JMH"
                    + " benchmark, on this machine, and fail if they differ by more than 30%%.")
    private boolean selfCheck;

    @Option(
            names = "--jmh",
            paramLabel = "JAR",
            description = "The JMH benchmarks jar for --self-check. Default: tandem-benchmarks/target/benchmarks.jar"
                    + " of this checkout.")
    private Path jmh;

    /** {@code --seed}: any {@code long}; one out of that range is refused naming it. */
    static final class SeedRange extends WholeNumber<Long> {
        SeedRange() {
            super(Long.class, Long.MIN_VALUE, Long.MAX_VALUE, "");
        }
    }

    private final PrintStream stdout;
    private final PrintStream stderr;

    /** Creates the command on the process's standard streams; picocli fills its options. */
    public LabCommand() {
        this(System.out, System.err);
    }

    LabCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws IOException {
        for (String id : experiments) {
            if (id.startsWith("-")) {
                // only an argument after "--" reaches here as an experiment: picocli took every option before it
                String option = id.split("=", 2)[0];
                throw new ParameterException(
                        spec.commandLine(),
                        "unexpected argument '" + id + "' after '--' (what follows -- is never an option"
                                + (spec.findOption(option) == null
                                        ? "; the experiments are " + String.join(", ", Lab.ORDER) + ")"
                                        : "; put " + option + " before it)"));
            }
        }
        if (list) {
            rejectWith("--list", experiments.isEmpty() && !quick && compare == null && !selfCheck);
            refuseUnused("--list", "--seed", "--out", "--jmh", "--no-progress");
            for (String id : Lab.ORDER) {
                stdout.printf(Locale.ROOT, "%-10s %s%n", id, Lab.experiment(id).section().claim);
            }
            stdout.flush();
            return 0;
        }
        for (String id : experiments) {
            if (!Lab.ORDER.contains(id)) {
                String near = nearest(id);
                throw new ParameterException(
                        spec.commandLine(),
                        "unknown experiment '" + id + "'" + (near == null ? "" : " (did you mean " + near + "?)")
                                + "; choose from " + String.join(", ", Lab.ORDER));
            }
        }
        if (jmh != null && !selfCheck) {
            throw bad("--jmh", jmh, "only used with --self-check; add --self-check, or drop --jmh", null);
        }
        Baseline baseline = null;
        if (compare != null) {
            try {
                baseline = Baseline.read(compare);
            } catch (IllegalArgumentException e) {
                throw bad("--compare", compare, e.getMessage(), e);
            }
        }
        if (experiments.equals(List.of("verdict"))) {
            // it weighs what the experiments run with it measured: alone, it ran a lab that measured nothing
            throw new ParameterException(
                    spec.commandLine(),
                    "the verdict experiment alone measures nothing: it weighs the experiments run with it; run"
                            + " tandem lab for all of them, or name some with it (tandem lab scaling verdict)");
        }
        if (selfCheck) {
            rejectWith("--self-check", experiments.isEmpty() && !quick && compare == null);
            refuseUnused("--self-check", "--seed");
            Path jar = jmh != null ? jmh : SelfCheck.defaultJar();
            if (!Files.isRegularFile(jar)) {
                String build = "build it with ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am";
                String why = (Files.isDirectory(jar) ? "a directory, not a jar" : "no such file")
                        + (jmh != null
                                ? "; give the benchmarks jar (" + build + "), or drop --jmh to use "
                                        + SelfCheck.defaultJar()
                                : "; " + build + ", or name it with --jmh");
                throw jmh != null
                        ? bad("--jmh", jmh, why, null)
                        : new ParameterException(spec.commandLine(), "the JMH benchmarks jar " + jar + ": " + why);
            }
            String notJmh = notAJmhJar(jar);
            if (notJmh != null) {
                String why = "not a JMH benchmarks jar (" + notJmh + "); give tandem-benchmarks/target/benchmarks.jar";
                throw jmh != null
                        ? bad("--jmh", jmh, why, null)
                        : new ParameterException(spec.commandLine(), "the JMH benchmarks jar " + jar + ": " + why);
            }
            return new SelfCheck(stdout, stderr).run(jar, writableDirectory(out, List.of("self-check.json")));
        }
        Path dir = writableDirectory(out, ReportWriter.FILES);
        if (compare != null && overwrites(dir, compare)) {
            throw bad(
                    "--compare",
                    compare,
                    "a file this run writes into " + dir + ": the baseline would be overwritten; copy it elsewhere"
                            + " first, or give another --out",
                    null);
        }
        List<String> chosen = new ArrayList<>();
        for (String id : Lab.ORDER) {
            if (experiments.isEmpty() || experiments.contains(id)) {
                chosen.add(id);
            }
        }
        LabOptions options = new LabOptions(chosen, quick, seed, dir, baseline, !noProgress);
        return new Lab(stdout, stderr).run(options);
    }

    /**
     * {@return the experiment or option that {@code word} probably meant: the closest experiment by edit
     * distance ({@link UsageErrors#closest}), or an option of that name ("quick" for --quick); null if none}
     */
    private String nearest(String word) {
        if (spec.findOption("--" + word) != null) {
            return "--" + word;
        }
        return UsageErrors.closest(word, Lab.ORDER);
    }

    /**
     * {@return why {@code jar} is not a JMH benchmarks jar (a readable zip holding
     * {@code META-INF/BenchmarkList}), or null if it is one} Checked before any pool starts.
     */
    private static String notAJmhJar(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getEntry("META-INF/BenchmarkList") == null ? "no META-INF/BenchmarkList in it" : null;
        } catch (IOException e) {
            return "not a readable jar: " + e.getMessage();
        }
    }

    /** {@return whether {@code file} is one of the files a report into {@code dir} writes} */
    private static boolean overwrites(Path dir, Path file) {
        try {
            Path real = file.toRealPath();
            return real.getParent().equals(dir.toRealPath())
                    && ReportWriter.FILES.contains(real.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return false; // a folder not made yet holds no baseline
        }
    }

    /** Refuses {@code option} together with experiments, --quick, --compare or --self-check (the others) unless {@code alone}. */
    private void rejectWith(String option, boolean alone) {
        if (!alone) {
            throw new ParameterException(
                    spec.commandLine(),
                    option + " cannot be combined with "
                            + String.join(
                                            ", ",
                                            Stream.of("experiments", "--quick", "--compare", "--self-check")
                                                    .filter(o -> !o.equals(option))
                                                    .toList())
                                    .replaceFirst(", (?=[^,]*$)", " or ")
                            + "; give it alone");
        }
    }

    /** Refuses each of {@code unused} given on the command line, as {@code mode} does not use it. */
    private void refuseUnused(String mode, String... unused) {
        for (String option : unused) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(
                        spec.commandLine(), option + " has no effect with " + mode + "; drop it, or drop " + mode);
            }
        }
    }

    /** {@return a usage error of {@code option} and the value as typed: {@code --out 'x': why}} */
    private ParameterException bad(String option, Object typed, String why, Throwable cause) {
        return UsageErrors.bad(spec, option, typed, why, cause);
    }

    /**
     * Creates {@code dir} if needed and proves it writable, and refuses one where writing {@code files} would
     * overwrite what another command wrote (an advisor's report); a usage error names --out and the value.
     */
    private Path writableDirectory(Path dir, List<String> files) {
        try {
            return Page.prepareDirectory(dir, Baseline.FORMAT_FAMILY, "tandem lab", files);
        } catch (IllegalArgumentException e) {
            throw bad("--out", dir, e.getMessage(), e);
        }
    }
}
