package dev.tandem.advisor;

import dev.tandem.Mode;
import dev.tandem.measure.Units;
import java.util.List;

/**
 * The questionnaire's data-sharing reason: threads read shared data in place; worker JVMs get it through
 * Tandem's own shared arrays ({@code dev.tandem.ipc}) rather than a copy per worker, each priced with this
 * machine's measured costs. Stateless.
 */
final class SharedData {
    /** Tandem's shared arrays, named as both the questionnaire and a measured run name them. */
    static final String ARRAYS = "dev.tandem.ipc.SharedByteArray (or SharedLongArray, SharedDoubleArray for numbers)";

    /** A task that serializes to this much or more carries data that a shared array would hold without a copy. */
    static final long WORTH_SHARING = 1L << 20;

    private SharedData() {}

    /**
     * {@return for a measured run, the shared-array advice when a task with its input serializes to {@code taskBytes},
     * {@link #WORTH_SHARING} or more, else ""} A task capturing a 32 MiB array was told only that processes copy it
     * on every call, while the questionnaire named the shared arrays that avoid the copy.
     *
     * @param processes the worker-JVM trial, whose overhead per task shows what the copy cost, or null
     */
    static String measured(long taskBytes, Advice.Trial processes) {
        if (taskBytes < WORTH_SHARING) {
            return "";
        }
        return "; data that every task reads belongs in a " + ARRAYS + ": a task that captures one carries it by"
                + " reference, and a worker JVM attaches it without a copy (its pages are mapped, not copied; `tandem"
                + " advise --interactive` measures the attach on this machine), so a call copies only the rest"
                + (processes != null && processes.overheadNanos() > 0
                        ? ", where " + processes.label() + " paid " + Units.nanos(processes.overheadNanos())
                                + " of overhead per task copying all " + Units.bytes(taskBytes)
                        : "")
                + "; threads read it in place";
    }

    /** The data-sharing reason: in place for threads, Tandem's shared arrays rather than copies for processes. */
    static String reason(Interview.Answers a, CostProbe.Costs c, Mode mode, boolean isolate, List<String> warnings) {
        long mib = Math.max(1, a.sharedBytes() >> 20);
        String copy = c.copyNanosPerMiB() > 0 ? Units.nanos(c.copyNanosPerMiB() * mib) : "n/a";
        String attach = c.sharedNanosPerMiB() > 0 ? Units.nanos(c.sharedNanosPerMiB() * mib) : "n/a";
        String arrays = ARRAYS;
        // attaching shared memory measured slower than copying (a busy machine, a tiny array): then it is not
        // advised, and the numbers say why; it was advised whatever they said
        boolean attachPays =
                c.sharedNanosPerMiB() <= 0 || c.copyNanosPerMiB() <= 0 || c.sharedNanosPerMiB() < c.copyNanosPerMiB();
        String slower = "attaching a SharedByteArray measured " + Units.nanos(c.sharedNanosPerMiB()) + " per MiB here,"
                + " no faster than serializing a copy (" + Units.nanos(c.copyNanosPerMiB()) + " per MiB), so shared"
                + " memory is not advised on this machine as measured";
        String text;
        if (a.sharedBytes() <= 0) {
            text = "serializing 1 MiB and back costs " + Units.nanos(c.copyNanosPerMiB())
                    + " here, which processes pay for everything a task takes and returns; threads pass references";
        } else if (mode.isolated() && !attachPays) {
            text = "copy the " + Units.bytes(a.sharedBytes()) + " that tasks share into each worker once, with an"
                    + " initializer (about " + copy + " per worker), never per task: " + slower + " (about " + attach
                    + " to attach all of it)";
        } else if (!mode.isolated() && !attachPays) {
            text = "threads read the " + Units.bytes(a.sharedBytes()) + " in place; copying it into a worker JVM would"
                    + " cost about " + copy + " per worker here, and " + slower;
        } else if (mode.isolated()) {
            text = "do not copy the " + Units.bytes(a.sharedBytes()) + " that tasks share into each worker (about "
                    + copy
                    + " per worker at the serialization speed measured here, " + Units.nanos(c.copyNanosPerMiB())
                    + " per MiB): put it in a " + arrays + ", whose handle a task carries; a worker attaches it"
                    + " without a copy, about " + attach + " for all of it here (its pages are mapped, not copied)."
                    + " Data that is not an array of numbers or bytes is copied once per worker with an initializer,"
                    + " never per task";
        } else {
            text = "threads read the " + Units.bytes(a.sharedBytes()) + " in place; copying it into a worker JVM would"
                    + " cost about " + copy + " per worker here, and if you move to processes later, a " + arrays
                    + " shares it without a copy (about " + attach + " to attach all of it)";
        }
        if (a.mutableShared()) {
            text += "; tasks update shared state: threads see each other's writes (with synchronization); worker JVMs"
                    + " share no heap, so counters and flags go to dev.tandem.ipc (SharedLongArray with atomic"
                    + " operations, SharedCounter, SharedLock) and richer state to the caller or a database";
            if (isolate) {
                warnings.add("isolation and shared mutable state pull apart: keep the shared state in dev.tandem.ipc"
                        + " primitives or outside the tasks");
            }
        }
        return text + ".";
    }
}
