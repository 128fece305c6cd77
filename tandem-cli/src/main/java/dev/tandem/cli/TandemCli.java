package dev.tandem.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.advisor.AdviseCommand;
import dev.tandem.lab.LabCommand;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem}: the command line. Subcommands: {@code lab} (the main job), {@code advise},
 * {@code node} (a cluster node), {@code info}, {@code classpath}, {@code version}.
 */
@Command(
        name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = TandemCli.Version.class,
        description = {
            "Threads or processes? One ExecutorService over both, a lab that measures the",
            "difference on this machine, and an advisor for your own task."
        },
        subcommands = {
            LabCommand.class,
            AdviseCommand.class,
            NodeCommand.class,
            TandemCli.Info.class,
            TandemCli.ClassPath.class,
            TandemCli.VersionCommand.class
        })
public final class TandemCli implements Callable<Integer> {
    private TandemCli() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new TandemCli());
    }

    @Override
    public Integer call() {
        commandLine().usage(System.out);
        return 0;
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

    @Command(name = "version", description = "Print Tandem's and the JDK's versions.")
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
            description = "Cores, memory and JDK of this machine, and a measured worker start time.")
    static final class Info implements Callable<Integer> {
        @Option(names = "--no-measure", description = "Skip starting a worker JVM.")
        boolean noMeasure;

        @Override
        public Integer call() throws Exception {
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            System.out.printf("tandem        %s%n", version());
            System.out.printf("cores         %d%n", Runtime.getRuntime().availableProcessors());
            System.out.printf(
                    "memory        %.1f GiB total, %.1f GiB free%n",
                    os.getTotalMemorySize() / (double) (1L << 30), os.getFreeMemorySize() / (double) (1L << 30));
            System.out.printf(
                    "os            %s %s (%s)%n",
                    System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
            System.out.printf(
                    "jdk           %s %s at %s%n",
                    System.getProperty("java.vm.name"), Runtime.version(), System.getProperty("java.home"));
            if (!noMeasure) {
                long t0 = System.nanoTime();
                try (TaskPool pool = Tandem.processes(1).start()) {
                    long started = System.nanoTime();
                    int answer = pool.submit(() -> 42).get();
                    long first = System.nanoTime();
                    System.out.printf(
                            "worker start  %.1f ms to a ready worker JVM, %.1f ms to its first result (%d)%n",
                            (started - t0) / 1e6, (first - t0) / 1e6, answer);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "classpath",
            mixinStandardHelpOptions = true,
            description = {
                "Print the class path for using Tandem from plain java/javac, as 'hadoop classpath' does:",
                "  javac -cp \"$(./tandem classpath)\" MyJob.java"
            })
    static final class ClassPath implements Callable<Integer> {
        /** The modules a program that uses Tandem needs: the API, its protocol, the worker, IPC. */
        private static final List<String> LIBRARY =
                List.of("tandem-core", "tandem-protocol", "tandem-worker", "tandem-ipc");

        @Option(names = "--all", description = "Include the lab, advisor and CLI and their dependencies.")
        boolean all;

        @Override
        public Integer call() {
            List<String> out = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                boolean library = LIBRARY.stream().anyMatch(entry::contains);
                if (all || library) {
                    out.add(new File(entry).getAbsolutePath());
                }
            }
            System.out.println(String.join(File.pathSeparator, out));
            return 0;
        }
    }
}
