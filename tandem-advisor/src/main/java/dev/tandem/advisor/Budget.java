package dev.tandem.advisor;

import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The time budget of one advisor run ({@code --time}), shared among its phases: the probe, the trials
 * and the side-by-side duel. The budget bounds the whole run, probe included:
 *
 * <ul>
 *   <li><b>Every phase gets a share</b> of what is left when it starts ({@link #slice}), so a phase
 *       that ran long shortens the ones after it instead of adding to the run.</li>
 *   <li><b>A phase that cannot fit is skipped</b> ({@link #fits}): when its share is below the least
 *       it needs to measure anything, it does not run, and a note says so, with both figures.</li>
 *   <li><b>A phase that must stretch says why.</b> Some bounds cannot follow the budget: the probe
 *       waits for a call until its deadline before it may call the task hung, a JVM on a busy machine
 *       starts slowly, a pool's last task is waited for. When a phase takes longer than its share
 *       (beyond a small tolerance) a note gives the phase, both times and the reason
 *       ({@link #ran}), and the report states the run's actual wall time ({@link #summary}).</li>
 * </ul>
 *
 * <p>Time comes from a {@link LongSupplier} of nanoseconds ({@code System::nanoTime} in a run), so a
 * test drives it with a fake clock. Not thread-safe: the conductor's thread only.
 */
final class Budget {
    /** A phase may overrun its share by this much before a note explains it. */
    static final long TOLERANCE_NANOS = 250_000_000L;

    private final LongSupplier clock;
    private final long start;
    private final long total;
    /** Phases skipped or stretched, with the reason. */
    private final List<String> notes = new ArrayList<>();

    Budget(long totalNanos, LongSupplier clock) {
        this.clock = clock;
        this.total = totalNanos;
        this.start = clock.getAsLong();
    }

    /** {@return the clock's time now, ns} */
    long now() {
        return clock.getAsLong();
    }

    /** {@return the time since the run began, ns} */
    long elapsed() {
        return clock.getAsLong() - start;
    }

    /** {@return the budget not yet spent, ns; negative when the run is over it} */
    long left() {
        return total - elapsed();
    }

    /** {@return the whole budget, ns} */
    long total() {
        return total;
    }

    /**
     * {@return the share of the next of {@code phases} equal phases: what is left after {@code reserve}
     * (kept for a later phase), divided evenly; 0 when nothing is left}
     */
    long slice(long reserve, int phases) {
        return Math.max(0, (left() - reserve) / Math.max(1, phases));
    }

    /**
     * {@return true if a phase whose share is {@code share} can run, needing at least {@code minimum};
     * otherwise notes that {@code phase} is skipped, with both figures}
     */
    boolean fits(String phase, long share, long minimum) {
        if (share >= minimum) {
            return true;
        }
        // what remained in all is said too: "0 ns was left" read as a contradiction of a run that ended early
        long remained = Math.max(0, left());
        // "0 ns of the budget left" for a budget that was used up: say so
        boolean kept = remained > Math.max(0, share) + TOLERANCE_NANOS;
        notes.add(phase + " skipped: "
                + (share > 0
                        ? Units.nanos(share) + " of the " + Units.nanos(total) + " budget was left for it"
                        : kept
                                ? "nothing of the " + Units.nanos(total) + " budget was left for it"
                                : "the " + Units.nanos(total) + " budget was used up before it")
                + (kept
                        ? " (" + Units.nanos(remained) + " remained, kept for the phases after it and the closing)"
                        : "")
                + ", and it needs at least " + Units.nanos(minimum) + "; give a longer --time to measure it");
        return false;
    }

    /**
     * {@return why a trial was skipped for want of budget, {@code forTrials} being what was left for the trials}
     * "The budget was used up before the trials" was said of a trial that came after others had run.
     *
     * @param afterATrial a trial of this run has run already
     * @param minimum the least a trial needs
     */
    static String trialSkipped(long forTrials, boolean afterATrial, long minimum) {
        return (forTrials > 0
                        ? "the budget ran out: " + Units.nanos(forTrials) + " was left for the trials"
                        : afterATrial
                                ? "the budget was used up by the trials before it"
                                : "the budget was used up before the trials")
                + ", a trial needs at least " + Units.nanos(minimum) + "; give a longer --time";
    }

    /**
     * Records that {@code phase}, begun at {@code startedAt} with a share of {@code share}, has ended: if
     * it took longer than its share by more than {@link #TOLERANCE_NANOS}, a note says by how much and
     * {@code why}.
     *
     * @return how long it took, ns
     */
    long ran(String phase, long startedAt, long share, String why) {
        long took = clock.getAsLong() - startedAt;
        if (took > share + TOLERANCE_NANOS) {
            notes.add(phase + " took " + Units.nanos(took) + ", its share was " + Units.nanos(share) + ": " + why);
        }
        return took;
    }

    /** Notes what became of a phase that ran but gave nothing, such as a duel whose rounds did not fit. */
    void note(String text) {
        notes.add(text);
    }

    /** {@return the phases skipped or stretched, with their reasons, in order} */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * {@return one sentence: the wall time of the measuring, from the probe's start to the verdict, against its
     * budget, and whether the notes explain more} The JVM's start and the report's writing are not in it; the
     * command prints the whole wall time beside it.
     */
    String summary() {
        long wall = elapsed();
        return "measuring took " + Units.nanos(wall) + " of its " + Units.nanos(total) + " budget (--time)"
                + (wall > total + TOLERANCE_NANOS
                        ? ", " + Units.nanos(wall - total) + " over: "
                                + (notes.stream().anyMatch(n -> n.contains(" took "))
                                        ? "the phases below stretched"
                                        : "starting and stopping pools beyond the trials' shares")
                        : "");
    }
}
