package dev.tandem.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tandem lab}: measures each claim of the note about processes and threads on this machine
 * and writes {@code tandem-report/} ({@code index.html}, {@code report.md}, {@code results.json}).
 *
 * <pre>
 * tandem lab                      # every experiment (under 5 minutes on 2 cores)
 * tandem lab switching isolation  # some of them
 * tandem lab --quick              # every experiment in under a minute, fewer repeats
 * tandem lab --compare old.json   # and what changed since an earlier run
 * </pre>
 *
 * <p>Not thread-safe; picocli creates one per invocation.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure every claim of the note about processes and threads on this machine,",
            "and write a report: tandem-report/index.html, report.md and results.json.",
            "Experiments: resources, switching, sharing, isolation, scaling, races, verdict."
        })
public final class LabCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(
            paramLabel = "EXPERIMENT",
            arity = "0..*",
            description = "Experiments to run, in any order (default: all).")
    private List<String> experiments = new ArrayList<>();

    @Option(names = "--quick", description = "Fewer and shorter repeats: the whole run takes under a minute.")
    private boolean quick;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of every random choice (shared data, fault drills). Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "tandem-report",
            description = "Report directory. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Option(
            names = "--compare",
            paramLabel = "OLD.json",
            description = "Compare with the results.json of an earlier run.")
    private Path compare;

    @Option(names = "--no-progress", description = "Do not show progress on stderr.")
    private boolean noProgress;

    @Option(names = "--list", description = "List the experiments and the claims they test, then exit.")
    private boolean list;

    /** Creates the command; picocli fills its options. */
    public LabCommand() {}

    @Override
    public Integer call() throws Exception {
        if (list) {
            for (String id : Lab.ORDER) {
                Section s = Lab.experiment(id).section();
                spec.commandLine().getOut().printf("%-10s %s%n", id, s.claim);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
        List<String> chosen = new ArrayList<>();
        for (String id : Lab.ORDER) {
            if (experiments.isEmpty() || experiments.contains(id)) {
                chosen.add(id);
            }
        }
        for (String id : experiments) {
            if (!Lab.ORDER.contains(id)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "unknown experiment '" + id + "'; choose from " + String.join(", ", Lab.ORDER));
            }
        }
        if (compare != null && !Files.isReadable(compare)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--compare " + compare + ": no such readable file; give the results.json of an earlier run");
        }
        LabOptions options = new LabOptions(chosen, quick, seed, out, compare, !noProgress);
        return new Lab(System.out, System.err).run(options);
    }
}
