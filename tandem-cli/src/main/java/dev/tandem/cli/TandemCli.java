package dev.tandem.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.advisor.AdviseCommand;
import dev.tandem.cluster.Node;
import dev.tandem.lab.LabCommand;
import dev.tandem.measure.Units;
import dev.tandem.measure.UsageErrors;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code tandem}: the command line. Subcommands: {@code lab} (the main job), {@code advise},
 * {@code node} (a cluster node), {@code info}, {@code classpath}, {@code version} and {@code help}.
 *
 * <h2>Errors</h2>
 * A usage error (an unknown option, a value that does not parse, a file that is not what it should
 * be, options that do not go together) is found before anything is measured and printed as one
 * line on stderr, {@code tandem COMMAND: MESSAGE (see tandem COMMAND --help)}, with exit code
 * {@value #USAGE}; no stack trace. A failure while running that the user can fix (the task throws on
 * every call) is one line with exit code {@value #USAGE} too; one that is not theirs (a report that
 * cannot be written) one line with exit code 1; only an unexpected exception (a bug) prints its
 * stack trace.
 */
@Command(
        name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = TandemCli.Version.class,
        header = "Threads or processes? One ExecutorService over both, measured on this machine.",
        description = {
            "Tandem runs the same tasks on platform threads, virtual threads, worker JVM processes or hybrids."
                    + " Its lab measures the difference on this machine; its advisor measures your own task."
        },
        footer = {"", "Run 'tandem help COMMAND' or 'tandem COMMAND --help' for a command's options."},
        subcommands = {
            LabCommand.class,
            AdviseCommand.class,
            NodeCommand.class,
            TandemCli.Info.class,
            TandemCli.ClassPath.class,
            TandemCli.VersionCommand.class,
            TandemCli.Help.class
        })
public final class TandemCli implements Callable<Integer> {
    /** The exit code of a usage error. */
    static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    private TandemCli() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** {@return the command line with its subcommands and the one-line error handlers} */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new TandemCli());
        versionEverywhere(cl);
        cl.setParameterExceptionHandler(UsageErrors::handle);
        cl.setExecutionStrategy(TandemCli::execute);
        cl.setExecutionExceptionHandler(TandemCli::failure);
        return cl;
    }

    /**
     * Runs the last command given, as picocli does, after refusing words that a command asked for its help or
     * version does not take ({@code tandem version --help extra}, {@code tandem help lab extra}): picocli
     * printed the help and exited 0.
     */
    private static int execute(ParseResult parsed) {
        boolean help = false;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            help |= p.isUsageHelpRequested()
                    || p.isVersionHelpRequested()
                    || p.commandSpec().helpCommand();
        }
        for (ParseResult p = parsed; help && p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty() && p.commandSpec().helpCommand()) {
                String command = p.matchedPositionalValue(0, null);
                boolean known =
                        command != null && parsed.commandSpec().subcommands().containsKey(command);
                if (command != null && !known) {
                    throw new UnmatchedArgumentException(parsed.commandSpec().commandLine(), List.of(command));
                }
                throw new ParameterException(
                        p.commandSpec().commandLine(),
                        "unexpected argument '" + String.join(" ", p.unmatched()) + "'"
                                + (command == null ? "" : " after '" + command + "'")
                                + ": help takes one COMMAND; run tandem help" + (known ? " " + command : ""));
            }
            if (!p.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** Gives every command that lists {@code -V} the version to print: Tandem's and the JDK's. */
    private static void versionEverywhere(CommandLine cl) {
        if (cl.getCommandSpec().mixinStandardHelpOptions()) {
            cl.getCommandSpec().versionProvider(new Version());
        }
        cl.getSubcommands().values().forEach(TandemCli::versionEverywhere);
    }

    /**
     * {@code tandem} without a command is a usage error, as in git: the help on stderr and exit code
     * {@value #USAGE}; {@code tandem help} and {@code tandem --help} ask for it and exit 0.
     */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": no command given");
        cl.usage(cl.getErr());
        cl.getErr().flush();
        return USAGE;
    }

    /** A failure while running: one line for what the user can fix or cannot, a stack trace for a bug. */
    private static int failure(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        int code;
        if (e instanceof IllegalArgumentException) {
            err.println(name + ": " + oneLine(e.getMessage()));
            code = USAGE;
        } else if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println(name + ": " + oneLine(e.getMessage()));
            code = 1;
        } else {
            err.println(name + ": failed: " + e);
            e.printStackTrace(err);
            code = 1;
        }
        err.flush();
        return code;
    }

    private static String oneLine(String message) {
        return UsageErrors.sentence(UsageErrors.oneLine(message));
    }

    static String version() {
        String v = TandemCli.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /** Prints Tandem's and the JDK's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "tandem " + version(), "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }

    /**
     * {@code tandem help [COMMAND]}: the help of tandem or of one command. An unknown command is a usage error
     * naming it and the commands there are, as for {@code tandem COMMAND} (picocli's own help command said
     * "Unknown subcommand 'x'." and named none).
     */
    @Command(
            name = "help",
            helpCommand = true,
            versionProvider = TandemCli.Version.class,
            header = "Show the help of tandem, or of one of its commands.",
            description = "With no COMMAND, lists the commands; with one, shows its options and examples.")
    static final class Help implements CommandLine.IHelpCommandInitializable2, Runnable {
        @Parameters(paramLabel = "COMMAND", arity = "0..1", description = "The command to describe.")
        String command;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        boolean help;

        // README promises -V on every command; help refused it ("unexpected argument '-V'")
        @Option(
                names = {"-V", "--version"},
                versionHelp = true,
                description = "Print version information and exit.")
        boolean version;

        private CommandLine self;
        private CommandLine.Help.ColorScheme colors;
        private PrintWriter out;

        @Override
        public void init(
                CommandLine helpCommandLine,
                CommandLine.Help.ColorScheme colorScheme,
                PrintWriter outWriter,
                PrintWriter errWriter) {
            this.self = helpCommandLine;
            this.colors = colorScheme;
            this.out = outWriter;
        }

        @Override
        public void run() {
            CommandLine parent = self.getParent();
            if (command == null) {
                parent.usage(out, colors);
                return;
            }
            CommandLine sub = parent.getSubcommands().get(command);
            if (sub == null) {
                // one line naming it and the commands there are, exit code 2: the same as "tandem nope"
                throw new UnmatchedArgumentException(parent, List.of(command));
            }
            sub.usage(out, colors);
        }
    }

    @Command(
            name = "version",
            mixinStandardHelpOptions = true,
            header = "Print Tandem's and the JDK's versions.",
            description = "Prints the version of Tandem and of the JDK that runs it, one per line.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String line : new Version().getVersion()) {
                System.out.println(line);
            }
            return 0;
        }
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            header = "Show this machine's cores, memory and JDK, and how fast a worker JVM starts.",
            description = "Prints the cores, memory, operating system and JDK, then starts one worker JVM and times it"
                    + " to its first result (skip that with --no-measure).")
    static final class Info implements Callable<Integer> {
        @Option(names = "--no-measure", description = "Skip starting a worker JVM.")
        boolean noMeasure;

        @Override
        public Integer call() throws Exception {
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            System.out.printf(Locale.ROOT, "tandem        %s%n", version());
            System.out.printf(
                    Locale.ROOT, "cores         %d%n", Runtime.getRuntime().availableProcessors());
            // binary units from the one formatter, as every other message of memory (was %.1f GiB here, MiB there)
            System.out.printf(
                    Locale.ROOT,
                    "memory        %s total, %s free%n",
                    Units.bytes(os.getTotalMemorySize()),
                    Units.bytes(os.getFreeMemorySize()));
            System.out.printf(
                    Locale.ROOT,
                    "os            %s %s (%s)%n",
                    System.getProperty("os.name"),
                    System.getProperty("os.version"),
                    System.getProperty("os.arch"));
            System.out.printf(
                    Locale.ROOT,
                    "jdk           %s %s at %s%n",
                    System.getProperty("java.vm.name"),
                    Runtime.version(),
                    System.getProperty("java.home"));
            if (!noMeasure) {
                long t0 = System.nanoTime();
                try (TaskPool pool = Tandem.processes(1).start()) {
                    long started = System.nanoTime();
                    pool.submit(() -> 42).get();
                    long first = System.nanoTime();
                    // in the one format of every duration ("312 ms", "1.20 s"); the task's answer, "(42)", meant
                    // nothing
                    System.out.printf(
                            Locale.ROOT,
                            "worker start  %s to a ready worker JVM, %s to its first result%n",
                            Units.nanos(started - t0),
                            Units.nanos(first - t0));
                }
            }
            return 0;
        }
    }

    @Command(
            name = "classpath",
            mixinStandardHelpOptions = true,
            header = "Print the class path for using Tandem from plain java and javac.",
            description = {
                "Prints the class path of Tandem's library (API, protocol, worker, IPC), as 'hadoop classpath' does:",
                "  javac -cp \"$(./tandem classpath)\" MyJob.java",
                "A program using Tandem.cluster or Tandem.localCluster needs the cluster engine too (--cluster),",
                "and runs clean with the java flags of this machine (--java-flags):",
                "  java $(./tandem classpath --java-flags) -cp \"out:$(./tandem classpath --cluster)\" MyClusterJob",
                "A Workload for tandem advise needs the advisor's jar too (--all):",
                "  javac -cp \"$(./tandem classpath --all)\" -d out com/acme/Resize.java"
            })
    static final class ClassPath implements Callable<Integer> {
        /** The modules a program that uses Tandem needs: the API, its protocol, the worker, IPC. */
        private static final List<String> LIBRARY =
                List.of("tandem-core", "tandem-protocol", "tandem-worker", "tandem-ipc");

        /** What the cluster mode adds: its engine and Hazelcast. */
        private static final List<String> CLUSTER = List.of("tandem-cluster", "hazelcast");

        @Option(
                names = "--cluster",
                description = "Include the cluster engine and Hazelcast (for Tandem.cluster and Tandem.localCluster).")
        boolean cluster;

        @Option(
                names = "--all",
                description = "Include the lab, advisor and CLI and their dependencies (to compile a Workload for"
                        + " tandem advise).")
        boolean all;

        @Option(
                names = "--java-flags",
                description = "Print instead the java flags a program of the cluster mode runs with on this machine:"
                        + " Hazelcast's module access, no JDK warning for its use of sun.misc.Unsafe, and, on 2 CPUs"
                        + " or fewer, a common fork-join pool of 2 threads.")
        boolean javaFlags;

        @Override
        public Integer call() {
            if (javaFlags) {
                // README asked for "the flags of Node.JVM_FLAGS", whose values no doc listed: 6 warning lines a run
                System.out.println(
                        String.join(" ", javaFlags(Runtime.getRuntime().availableProcessors())));
                return 0;
            }
            List<String> out = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String name = new File(entry).getName();
                boolean library = LIBRARY.stream().anyMatch(entry::contains);
                boolean clusterEngine = cluster && CLUSTER.stream().anyMatch(name::startsWith);
                if (all || library || clusterEngine) {
                    out.add(new File(entry).getAbsolutePath());
                }
            }
            System.out.println(String.join(File.pathSeparator, out));
            return 0;
        }

        /**
         * {@return the java flags of a cluster caller on a machine of {@code cpus} CPUs} A node's
         * ({@code Node.JVM_FLAGS}) and native access, without the common pool's 2 threads where more CPUs
         * would use more (the caller's own parallel streams run there too).
         */
        static List<String> javaFlags(int cpus) {
            List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
            for (String f : Node.JVM_FLAGS) {
                if (cpus > 2 && f.startsWith("-Djava.util.concurrent.ForkJoinPool.common.parallelism=")) {
                    continue;
                }
                flags.add(f);
            }
            return flags;
        }
    }
}
