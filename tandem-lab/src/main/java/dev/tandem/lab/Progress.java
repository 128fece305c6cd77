package dev.tandem.lab;

import dev.tandem.measure.Pace;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows on stderr what the lab is running and what is left: a progress bar (me.tongfei's
 * {@code progressbar}) on a terminal, one line per step otherwise (CI logs, pipes), or nothing.
 * The bar's text names the current step and the experiments still to come.
 *
 * <p>Used by the lab's thread only; the bar redraws itself on its own thread.
 */
final class Progress implements AutoCloseable {
    /** Why the total of steps may grow, said when it is first printed. */
    static final String GROWS = "an experiment whose verdict would rest on noise runs again, adding its steps";

    private final PrintStream err;
    private final boolean enabled;
    private final boolean terminal;
    private final List<String> left = new ArrayList<>();
    private ProgressBar bar;
    private int done;
    private int total;
    private final long t0 = System.nanoTime();

    Progress(PrintStream err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
        this.terminal = enabled && System.console() != null && System.console().isTerminal();
    }

    /** Starts the display for experiments {@code plan} and {@code totalSteps} steps in all. */
    void begin(List<String> plan, int totalSteps) {
        left.addAll(plan);
        total = totalSteps;
        if (terminal) {
            int width = terminalWidth();
            bar = new ProgressBarBuilder()
                    .setTaskName("tandem lab")
                    .setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(200)
                    .continuousUpdate()
                    .setConsumer(new ConsoleProgressBarConsumer(err, width))
                    .build();
        } else if (enabled) {
            err.printf(
                    Locale.ROOT,
                    "tandem lab: %s (%s), %s (%s)%n",
                    Units.count(plan.size(), "experiment", "experiments"),
                    String.join(", ", plan),
                    Units.count(totalSteps, "step", "steps"),
                    GROWS);
        }
    }

    /** Marks the start of an experiment: it is no longer "left". */
    void experiment(String id) {
        left.remove(id);
    }

    /** Reports that the step {@code what} starts now. */
    void step(String what) {
        done++;
        if (done > total) {
            total = done;
        }
        String rest = left.isEmpty() ? "last experiment" : "then " + String.join(", ", left);
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(done - 1);
            bar.setExtraMessage(what + " | " + rest);
        } else if (enabled) {
            err.printf(Locale.ROOT, "[%3d/%3d %5.1fs] %s%n", done, total, (System.nanoTime() - t0) / 1e9, what);
        }
    }

    /**
     * Adds {@code steps} to the total, for an experiment run again: the count then reads [17/29] while the
     * repeat runs, not [17/17] ... [29/29] as if the total grew with each step.
     */
    void more(int steps) {
        total += steps;
        if (bar != null) {
            bar.maxHint(total);
        }
    }

    /**
     * Adds the {@code steps} of experiment {@code id}, run again because {@code why}, and says so with the
     * new total: the one reason the total grows mid-run (was: [../49] became [../62] with no word why).
     */
    void repeat(String id, int steps, String why) {
        more(steps);
        note(id + ": repeating, " + why + "; " + steps + " more steps, " + total + " in all");
    }

    /** Tells what the lab decided (such as repeating an experiment), between steps. */
    void note(String what) {
        if (bar != null) {
            bar.setExtraMessage(what);
        } else if (enabled) {
            err.printf(Locale.ROOT, "[%3d/%3d %5.1fs] %s%n", done, total, (System.nanoTime() - t0) / 1e9, what);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.stepTo(total);
            bar.setExtraMessage("done");
            bar.close();
            bar = null;
        }
    }

    private static int terminalWidth() {
        try {
            int cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
            if (cols > 20) {
                return cols - 1;
            }
        } catch (NumberFormatException ignored) {
            // not set: ask the terminal
        }
        try {
            Process p = new ProcessBuilder("stty", "size")
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String[] size = new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
            if (Pace.await(Pace.Limit.COMMAND, ns -> p.waitFor(ns, TimeUnit.NANOSECONDS)) && size.length == 2) {
                return Math.max(40, Integer.parseInt(size[1]) - 1);
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back to a width every terminal has
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
