package dev.tandem.lab;

import dev.tandem.PoolOptions;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.WorkerStartException;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What an experiment works with: the options, a seeded random source, a private temporary directory,
 * child JVMs, process pools that may not be available, the progress display, the machine's pace for
 * scaling time limits, and the sections of the experiments that ran before it (the verdict reads
 * them). One per experiment attempt; used by the lab's thread only.
 */
final class Bench {
    final LabOptions options;
    final Path tmp;
    final Map<String, Section> done;
    private final Progress progress;
    private final String experimentId;

    Bench(LabOptions options, Path tmp, Map<String, Section> done, Progress progress, String experimentId) {
        this.options = options;
        this.tmp = tmp;
        this.done = done;
        this.progress = progress;
        this.experimentId = experimentId;
    }

    boolean quick() {
        return options.quick();
    }

    int repeats() {
        return options.repeats();
    }

    /** {@return a random source seeded from the run's seed and this experiment, independent of order} */
    Random random() {
        return new Random(options.seed() * 31 + experimentId.hashCode());
    }

    /** Reports the start of the next step to the progress display. */
    void step(String what) {
        progress.step(experimentId + ": " + what);
    }

    /**
     * {@return how much longer than on a quiet machine things take now (spins about 40 ms to find
     * out)} Time limits that bound an expected duration are stretched by it.
     */
    Pace pace() {
        return Pace.measure();
    }

    /** {@return a fixed limit of the lab, stretched by the pace measured now: the one way the lab applies one} */
    Duration limit(Pace.Limit which) {
        return pace().limit(which);
    }

    /** {@return {@code limit} stretched by the pace measured now} */
    Duration bound(Duration limit) {
        return pace().scale(limit);
    }

    /** Starts {@code LabChild role args...} with a small serial-GC heap and native access. */
    ChildJvm child(List<String> jvmOptions, String role, List<String> args, boolean pipeStdout) throws IOException {
        return LabChild.start(tmp, jvmOptions, role, args, pipeStdout);
    }

    /**
     * Starts a pool from {@code builder}, or explains why that mode is not available in this build
     * of Tandem or on this machine.
     *
     * @throws Unavailable if the mode cannot start here
     */
    static TaskPool start(Tandem.Builder builder) throws Unavailable {
        try {
            return paced(builder, Pace.measure()).start();
        } catch (UnsupportedOperationException | WorkerStartException e) {
            throw new Unavailable(
                    e.getClass().getSimpleName() + ": " + Units.firstLine(e.getMessage())
                            + workerOutput(e.getMessage()),
                    e);
        }
    }

    /**
     * {@return {@code builder}, its worker JVMs' start bounded by {@link Pace.Limit#WORKER_START}
     * stretched by {@code pace} unless a start timeout was set already} Every pool of the lab with worker
     * JVMs starts through here or through {@link PoolProbe}, which calls this.
     */
    static Tandem.Builder paced(Tandem.Builder builder, Pace pace) {
        PoolOptions o = builder.options();
        if (o.mode().isolated() && o.workerStartTimeout().equals(Pace.Limit.WORKER_START.quiet())) {
            builder.workerStartTimeout(pace.limit(Pace.Limit.WORKER_START));
        }
        return builder;
    }

    /** {@return the first line a worker JVM printed, quoted from a start failure's message, or nothing} */
    private static String workerOutput(String message) {
        if (message == null) {
            return "";
        }
        List<String> lines = message.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).trim().toLowerCase(Locale.ROOT).startsWith("its output")) {
                return "; the worker said: " + Units.firstLine(lines.get(i + 1).trim());
            }
        }
        return "";
    }

    /** The worker JVM options every lab process pool uses: crash logs in the lab's temp dir, native access. */
    List<String> workerJvmOptions(String... more) {
        return workerJvmOptions(tmp, more);
    }

    static List<String> workerJvmOptions(Path tmp, String... more) {
        List<String> opts = new ArrayList<>(List.of(
                "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-XX:-CreateCoredumpOnCrash",
                "--enable-native-access=ALL-UNNAMED"));
        opts.addAll(List.of(more));
        return opts;
    }

    /** A mode that cannot run in this build or on this machine; the section says so. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
