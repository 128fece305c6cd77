package dev.tandem.advisor;

import dev.tandem.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code tandem advise --interactive}: a short questionnaire for someone without runnable code yet,
 * answered with a verdict that uses this machine's measured costs ({@link CostProbe}), not
 * constants.
 *
 * <p>Each question has a default (Enter accepts it); a bad answer is asked again, at most three
 * times; the end of input before the last question is an error that names the question.
 */
final class Interview {
    private static final int ATTEMPTS = 3;

    private Interview() {}

    /**
     * The answers.
     *
     * @param cpuShare share of a task's time on the CPU, 0 to 1
     * @param taskNanos typical time of one task
     * @param inFlight tasks that should run at once
     * @param sharedBytes data all tasks read
     * @param mutableShared tasks update state that other tasks must see
     * @param crashRisk a task may crash or end the JVM (native code, System.exit)
     * @param leakRisk a task may leak memory, or needs a heap cap of its own
     * @param untrustedOrUnsafe the code is untrusted or not thread-safe
     * @param maxLatencyNanos the latency limit per task, or 0
     */
    record Answers(
            double cpuShare,
            long taskNanos,
            int inFlight,
            long sharedBytes,
            boolean mutableShared,
            boolean crashRisk,
            boolean leakRisk,
            boolean untrustedOrUnsafe,
            long maxLatencyNanos) {}

    /** Asks the questions on {@code out}, reading answers from {@code in}. */
    static Answers ask(BufferedReader in, PrintStream out, int cores) {
        out.println("tandem advise --interactive: a few questions about your tasks (Enter takes the default).");
        double cpu = ask(
                in,
                out,
                "1. Of a task's time, what percent is computing on the CPU (the rest waits on disk,"
                        + " network, locks)?",
                "100",
                s -> {
                    double v = Double.parseDouble(s.replace("%", "").strip());
                    if (v < 0 || v > 100) {
                        throw new IllegalArgumentException("a percentage from 0 to 100");
                    }
                    return v / 100;
                });
        long task = ask(
                in,
                out,
                "2. How long does one task take (e.g. 200us, 5ms, 2s)?",
                "10ms",
                s -> positive(Units.parseDuration(s).toNanos()));
        int inFlight = ask(in, out, "3. How many tasks should be in flight at once?", Integer.toString(cores), s ->
                (int) positive(Long.parseLong(s.strip())));
        long shared = ask(
                in, out, "4. How much data do all tasks read in common (e.g. 0, 200m, 2g)?", "0", Units::parseBytes);
        boolean mutable =
                ask(in, out, "5. Do tasks update shared state that other tasks must see? (y/n)", "n", Interview::yesNo);
        boolean crash = ask(
                in,
                out,
                "6. Can a task crash or end the JVM (native code/JNI, System.exit)? (y/n)",
                "n",
                Interview::yesNo);
        boolean leak = ask(
                in,
                out,
                "7. Can a task leak memory, or does it need a heap cap of its own? (y/n)",
                "n",
                Interview::yesNo);
        boolean unsafe =
                ask(in, out, "8. Is the task code untrusted, or not thread-safe? (y/n)", "n", Interview::yesNo);
        long latency = ask(
                in,
                out,
                "9. Longest acceptable latency per task (e.g. 50ms, or none)?",
                "none",
                s -> s.strip().equalsIgnoreCase("none")
                        ? 0L
                        : positive(Units.parseDuration(s).toNanos()));
        return new Answers(cpu, task, inFlight, shared, mutable, crash, leak, unsafe, latency);
    }

    private static long positive(long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("a positive value");
        }
        return v;
    }

    private static boolean yesNo(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "y", "yes" -> true;
            case "n", "no" -> false;
            default -> throw new IllegalArgumentException("y or n");
        };
    }

    private static <T> T ask(
            BufferedReader in, PrintStream out, String question, String dflt, Function<String, T> parse) {
        for (int attempt = 1; ; attempt++) {
            out.print(question + " [" + dflt + "] ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (line == null) {
                throw new IllegalArgumentException("input ended before an answer to: " + question);
            }
            String answer = line.isBlank() ? dflt : line.strip();
            try {
                return parse.apply(answer);
            } catch (IllegalArgumentException e) {
                String want = e instanceof NumberFormatException ? "a number" : e.getMessage();
                if (attempt == ATTEMPTS) {
                    throw new IllegalArgumentException("no valid answer to: " + question + " (last answer '" + answer
                            + "'; expected " + want + ")");
                }
                out.println("  '" + answer + "' is not valid here: expected " + want + ".");
            }
        }
    }

    /** The verdict for these answers, with reasons citing the measured costs. */
    static Advice.Verdict verdict(Answers a, CostProbe.Costs c, Advice.Machine m) {
        int cores = m.cores();
        boolean blocking = a.cpuShare() < 0.5;
        boolean isolate = a.crashRisk() || a.leakRisk() || a.untrustedOrUnsafe();
        Mode mode;
        int workers;
        int tpw = 1;
        if (isolate) {
            if (blocking && !a.crashRisk() && !a.untrustedOrUnsafe()) {
                mode = Mode.HYBRID;
                workers = Math.max(1, cores / 2);
                tpw = Math.max(2, Math.min(256, (a.inFlight() + workers - 1) / workers));
            } else {
                mode = Mode.PROCESSES;
                workers = blocking ? Math.max(cores, Math.min(a.inFlight(), 4 * cores)) : cores;
            }
        } else if (blocking && a.inFlight() > 4 * cores) {
            mode = Mode.VIRTUAL_THREADS;
            workers = 0;
        } else if (blocking) {
            mode = Mode.THREADS;
            workers = Math.max(cores, a.inFlight());
        } else {
            mode = Mode.THREADS;
            workers = cores;
        }
        long roundTrip = switch (mode) {
            case THREADS -> c.threadRoundTripNanos();
            case VIRTUAL_THREADS -> c.virtualRoundTripNanos();
            case PROCESSES, HYBRID, CLUSTER -> c.processRoundTripNanos();
        };
        boolean batch = roundTrip > 0
                && a.taskNanos() < 20 * roundTrip
                && (a.maxLatencyNanos() == 0 || a.maxLatencyNanos() >= 50_000_000L);
        String label = Trials.label(mode, workers, tpw, 0, false);
        List<Advice.Reason> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        String rss = Units.bytes(c.workerRssBytes());
        reasons.add(new Advice.Reason(
                Advice.Angle.RESOURCES,
                blocking
                        ? "tasks compute only " + Units.percent(a.cpuShare()) + " of the time, so " + cores
                                + " cores serve about " + Math.round(cores / Math.max(a.cpuShare(), 0.01))
                                + " tasks at once; each worker JVM here holds " + rss
                                + " resident when idle, a thread none of that."
                        : "tasks compute: " + cores + " cores run " + cores
                                + " at once, and Java threads already use every core"
                                + " (no GIL), so worker JVMs would add " + rss
                                + " each (measured, idle) without adding speed."));
        reasons.add(new Advice.Reason(
                Advice.Angle.CONCURRENCY,
                a.inFlight() + " tasks in flight, "
                        + Units.percent(1 - a.cpuShare()) + " of their time waiting: starting a virtual thread took "
                        + Units.nanos(c.virtualStartNanos()) + " here against " + Units.nanos(c.threadStartNanos())
                        + " for a platform thread, and a blocked virtual thread frees its carrier"
                        + (mode == Mode.VIRTUAL_THREADS
                                ? ", so virtual threads carry that many waiting tasks cheaply."
                                : blocking ? "." : "; computing tasks gain nothing from more threads than cores.")));
        String copy = c.copyNanosPerMiB() > 0 && a.sharedBytes() > 0
                ? "copying the " + Units.bytes(a.sharedBytes()) + " that tasks share into a worker JVM costs about "
                        + Units.nanos(c.copyNanosPerMiB() * Math.max(1, a.sharedBytes() >> 20))
                        + " (serialization measured at " + Units.nanos(c.copyNanosPerMiB())
                        + " per MiB): once per worker with"
                        + " an initializer, never per task; threads read it in place"
                : "serializing 1 MiB and back costs " + Units.nanos(c.copyNanosPerMiB())
                        + " here, which processes pay for everything a task takes and returns; threads pass references";
        if (a.mutableShared()) {
            copy += "; tasks update shared state: threads see each other's writes (with synchronization), worker JVMs"
                    + " share no heap, so that state would have to live in the caller or outside (a database, a cache)";
            if (isolate) {
                warnings.add("isolation and shared mutable state pull apart: move the shared state out of the tasks");
            }
        }
        reasons.add(new Advice.Reason(Advice.Angle.DATA_SHARING, copy + "."));
        reasons.add(new Advice.Reason(
                Advice.Angle.FAILURE,
                a.crashRisk()
                        ? "a task that crashes or calls System.exit ends every thread of its JVM, your application included;"
                                + " a process pool replaces just that worker, which takes about "
                                + Units.nanos(c.processStartNanos())
                                + " here (measured start of a worker JVM)."
                        : a.leakRisk()
                                ? "a leak in one JVM grows until OutOfMemoryError takes everything down; worker JVMs have their own"
                                        + " heap caps (jvmOptions(\"-Xmx...\")) and are replaced after maxTasksPerWorker tasks, each"
                                        + " replacement costing about " + Units.nanos(c.processStartNanos()) + " here."
                                : "nothing you describe needs a process boundary: an exception in a task fails only its Future"
                                        + " in every model, and a worker JVM (" + Units.nanos(c.processStartNanos())
                                        + " to start here) would buy nothing."));
        reasons.add(
                new Advice.Reason(
                        Advice.Angle.STRUCTURE,
                        a.untrustedOrUnsafe()
                                ? "untrusted or non-thread-safe code gets a JVM of its own per task in processes(n); Java has no"
                                        + " SecurityManager any more, so a process (plus OS limits) is the smallest boundary. The code"
                                        + " stays the same TaskPool calls either way."
                                : "with Tandem the code is the same TaskPool in every model (" + label
                                        + " now, processes(n) later is one"
                                        + " line), but shared state must be thread-safe under threads and is copied under processes."));
        String rt =
                "an empty task's round trip measured " + Units.nanos(c.threadRoundTripNanos()) + " through threads(1), "
                        + Units.nanos(c.virtualRoundTripNanos()) + " through virtual threads, "
                        + (c.processRoundTripNanos() > 0
                                ? Units.nanos(c.processRoundTripNanos()) + " through processes(1)"
                                : "processes unavailable (" + c.processError() + ")")
                        + "; against a " + Units.nanos(a.taskNanos()) + " task the chosen model's hand-off is "
                        + (roundTrip > 0 ? Units.percent(Math.min(1, (double) roundTrip / a.taskNanos())) : "n/a")
                        + (batch ? ", so batch with pool.map(fn, inputs)" : "");
        reasons.add(new Advice.Reason(Advice.Angle.OVERHEAD, rt + "."));

        List<String> effects = new ArrayList<>();
        if (a.maxLatencyNanos() > 0) {
            long floor = roundTrip > 0 ? a.taskNanos() + roundTrip : a.taskNanos();
            if (floor > a.maxLatencyNanos()) {
                effects.add("--max-latency " + Units.nanos(a.maxLatencyNanos())
                        + " cannot be met: the task plus one hand-off" + " is already " + Units.nanos(floor)
                        + "; make tasks shorter");
            } else {
                effects.add("latency " + Units.nanos(a.maxLatencyNanos()) + ": task plus hand-off is about "
                        + Units.nanos(floor)
                        + (batch ? "" : "; batching stays off because map() holds results per batch"));
            }
            if (mode.isolated() && c.processStartNanos() > a.maxLatencyNanos()) {
                effects.add("a worker JVM takes " + Units.nanos(c.processStartNanos())
                        + " to start, more than the latency limit:"
                        + " start the pool before the first task and keep it running");
            }
        }
        String code = "try (TaskPool pool = "
                + switch (mode) {
                    case THREADS -> "Tandem.threads(" + workers + ")";
                    case VIRTUAL_THREADS -> "Tandem.virtualThreads()";
                    case PROCESSES -> "Tandem.processes(" + workers + ")";
                    case HYBRID -> "Tandem.hybrid(" + workers + ", " + tpw + ")";
                    case CLUSTER -> "Tandem.localCluster(1).perNode(" + workers + ", " + tpw + ")";
                }
                + (mode.isolated() && a.leakRisk() ? ".maxTasksPerWorker(1000)" : "") + ".start()) {\n"
                + (batch ? "    List<R> results = pool.map(fn, inputs);\n" : "    Future<R> f = pool.submit(task);\n")
                + "}";
        String why = a.crashRisk()
                ? "a task can end its JVM, and only a process boundary contains that"
                : a.untrustedOrUnsafe()
                        ? "untrusted or non-thread-safe code needs a JVM of its own"
                        : a.leakRisk()
                                ? "leaks and heap caps are contained per worker JVM"
                                : mode == Mode.VIRTUAL_THREADS
                                        ? a.inFlight() + " mostly waiting tasks at once fit virtual threads"
                                        : blocking
                                                ? "a few waiting tasks fit as many platform threads"
                                                : "CPU-bound Java runs on every core with threads; processes would add "
                                                        + rss + " per worker and "
                                                        + Units.nanos(c.processRoundTripNanos()) + " per task";
        return new Advice.Verdict(
                mode,
                workers,
                tpw,
                batch,
                code,
                "Use " + label + ": " + why + (batch ? "; batch tasks this short with map()" : "") + ".",
                reasons,
                effects,
                warnings);
    }

    /** Prints the measured costs. */
    static void printCosts(PrintStream out, CostProbe.Costs c) {
        out.println();
        out.println("Measured on this machine: thread start " + Units.nanos(c.threadStartNanos())
                + ", virtual thread start "
                + Units.nanos(c.virtualStartNanos()) + ", worker JVM start " + Units.nanos(c.processStartNanos())
                + " (" + Units.bytes(c.workerRssBytes()) + " resident);");
        out.println("round trip of an empty task: threads " + Units.nanos(c.threadRoundTripNanos()) + ", virtual "
                + Units.nanos(c.virtualRoundTripNanos()) + ", processes " + Units.nanos(c.processRoundTripNanos())
                + "; serialization " + Units.nanos(c.copyNanosPerMiB()) + " per MiB."
                + (c.processError() != null ? " (processes: " + c.processError() + ")" : ""));
        out.println();
    }
}
