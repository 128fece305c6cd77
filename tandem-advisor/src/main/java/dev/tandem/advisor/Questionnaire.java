package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The questions of {@code tandem advise --interactive} ({@link Interview}) and how their answers are read.
 *
 * <p>Each question has a default (Enter accepts it) unless no default can be right (the tasks in flight of a
 * task at 0 % CPU); a bad answer is asked again, at most three times; the end of input before the last
 * question is an error that names the question. Not thread-safe: one questionnaire per reader.
 */
final class Questionnaire {
    /** The most tasks in flight the questionnaire takes: a million virtual threads, far past any verdict's change. */
    static final int MAX_IN_FLIGHT = 1_000_000;

    private static final int ATTEMPTS = 3;
    /** The longest task or latency an answer may give. */
    private static final Duration MAX_DURATION = Duration.ofHours(168);

    private Questionnaire() {}

    /** Asks the questions on {@code out}, reading answers from {@code in}. */
    static Interview.Answers ask(BufferedReader in, PrintStream out, int cores) {
        out.println("tandem advise --interactive: a few questions about your tasks (Enter takes the default).");
        double cpu = ask(
                in,
                out,
                "1. Of a task's time, what percent is computing on the CPU (the rest waits on disk,"
                        + " network, locks)?",
                "100",
                s -> {
                    double v = Double.parseDouble(s.replace("%", "").strip());
                    if (!(v >= 0 && v <= 100)) { // NaN too: "NaN" parses
                        throw new Expected("a percentage from 0 to 100");
                    }
                    return v / 100;
                });
        long task =
                ask(in, out, "2. How long does one task take (e.g. 200us, 5ms, 2s)?", "10ms", Questionnaire::duration);
        String keepBusy = keepBusyDefault(cpu, cores);
        int inFlight = ask(
                in,
                out,
                "3. How many tasks should be in flight at once?"
                        + (keepBusy == null
                                ? " (a task at 0% CPU only waits, so the cores set no number: only you can say)"
                                : ""),
                keepBusy,
                Questionnaire::inFlight);
        long shared = ask(
                in,
                out,
                "4. How much data do all tasks read in common (e.g. 0, 200m, 2g)?",
                "0",
                Questionnaire::shared);
        boolean mutable = ask(
                in, out, "5. Do tasks update shared state that other tasks must see? (y/n)", "n", Questionnaire::yesNo);
        boolean crash = ask(
                in,
                out,
                "6. Can a task crash or end the JVM (native code/JNI, System.exit)? (y/n)",
                "n",
                Questionnaire::yesNo);
        boolean leak = ask(
                in,
                out,
                "7. Can a task leak memory, or does it need a heap cap of its own? (y/n)",
                "n",
                Questionnaire::yesNo);
        boolean unsafe =
                ask(in, out, "8. Is the task code untrusted, or not thread-safe? (y/n)", "n", Questionnaire::yesNo);
        long latency = ask(
                in,
                out,
                "9. Longest acceptable latency per task (e.g. 50ms, or none)?",
                "none",
                s -> s.strip().equalsIgnoreCase("none") ? 0L : duration(s));
        return new Interview.Answers(cpu, task, inFlight, shared, mutable, crash, leak, unsafe, latency);
    }

    /**
     * {@return the default answer to "how many tasks in flight": the tasks that keep {@code cores} busy at this CPU
     * share (cores over the share, at least the cores, at most {@link #MAX_IN_FLIGHT}), or null at 0 %, where the
     * cores set no number} Was: the cores' count whatever the share, so Enter gave a 5 % task 2 tasks at once on 2
     * cores, and a task that only waits the same 2.
     */
    static String keepBusyDefault(double cpuShare, int cores) {
        if (cpuShare <= 0) {
            return null;
        }
        double keep = Math.round(cores / cpuShare);
        return Long.toString((long) Math.min(MAX_IN_FLIGHT, Math.max(cores, keep)));
    }

    /**
     * {@return an answer to "how many tasks in flight", 1 to {@link #MAX_IN_FLIGHT}} Was: 99999999999999 was
     * read as a long and cut to an int, 276447231, and the verdict rested on that.
     */
    static int inFlight(String s) {
        long v = positive(Long.parseLong(s.strip()));
        if (v > MAX_IN_FLIGHT) {
            throw new Expected("a number of tasks from 1 to " + Units.num(MAX_IN_FLIGHT));
        }
        return (int) v;
    }

    /**
     * {@return an answer to "how much data do tasks read in common", at most this machine's memory} Was: 100g
     * on a 24 GiB machine was taken, and the advice priced sharing it as if it fit.
     */
    static long shared(String s) {
        long v = Units.parseBytes(s);
        long machine = Durations.machineMemory();
        if (machine > 0 && v > machine) {
            throw new Expected("at most this machine's memory, " + Units.bytes(machine)
                    + " (data shared in memory must fit in it; answer for what tasks read at once)");
        }
        return v;
    }

    private static long positive(long v) {
        if (v <= 0) {
            throw new Expected("a positive value");
        }
        return v;
    }

    /**
     * {@return a duration answered, in ns: above zero and at most {@link #MAX_DURATION}} Was: a bad one was
     * re-asked as "expected '30' has no unit; write it like 30ms or 30s", the problem given as the form.
     */
    static long duration(String s) {
        Duration d = Units.parseDuration(
                s, x -> !x.isNegative() && !x.isZero() && x.compareTo(MAX_DURATION) <= 0, "5ms or 2s");
        if (d.isNegative() || d.isZero()) {
            throw new Expected("a positive duration, such as 5ms or 2s");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new Expected("a duration up to 168h (a week)");
        }
        return d.toNanos();
    }

    private static boolean yesNo(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "y", "yes" -> true;
            case "n", "no" -> false;
            default -> throw new Expected("y or n");
        };
    }

    /**
     * Asks one question until it gets a valid answer, at most {@link #ATTEMPTS} times.
     *
     * @param dflt the answer Enter gives, or null if the question has none (an empty answer is asked again)
     */
    private static <T> T ask(
            BufferedReader in, PrintStream out, String question, String dflt, Function<String, T> parse) {
        for (int attempt = 1; ; attempt++) {
            out.print(question + (dflt == null ? " " : " [" + dflt + "] "));
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
            String answer = line.isBlank() && dflt != null ? dflt : line.strip();
            if (answer.isEmpty()) {
                if (attempt == ATTEMPTS) {
                    throw new IllegalArgumentException(
                            "no valid answer to: " + question + " (it has no default, and every answer was empty)");
                }
                out.println("  This question has no default: type an answer.");
                continue;
            }
            try {
                return parse.apply(answer);
            } catch (IllegalArgumentException e) {
                // the problem once: the form expected for an answer out of range, else the parser's own words
                String want =
                        e instanceof NumberFormatException ? "a number" : e instanceof Expected ? e.getMessage() : null;
                if (attempt == ATTEMPTS) {
                    throw new IllegalArgumentException("no valid answer to: " + question + " (last answer "
                            + (want != null ? "'" + answer + "'; expected " + want : e.getMessage()) + ")");
                }
                out.println(
                        "  " + (want != null ? "'" + answer + "' is not valid here: expected " + want : e.getMessage())
                                + ".");
            }
        }
    }
}
