package dev.tandem.measure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What else the machine did while something was measured: the load average before and after, the
 * CPU time other processes took, and the time the hypervisor stole. Measured by a {@link Meter}
 * around the measurement, from {@code /proc/stat} (all CPU time by state), {@code /proc/loadavg}
 * and the CPU time of this JVM and its descendants ({@code /proc/PID/stat}, children it reaped
 * included), so that the lab's own child JVMs and worker processes do not count as "others".
 *
 * <p>The machine counts as <em>busy</em> when other processes used at least {@link #BUSY_CPUS} of a
 * CPU on average, or steal took at least {@link #BUSY_STEAL} of the time: then measured times may
 * be inflated, and a result whose spread is wide is repeated and, if still wide, called
 * inconclusive. Immutable.
 *
 * @param seconds the length of the window
 * @param cores the CPUs this JVM may use
 * @param loadBefore the 1-minute load average when the window opened, or NaN
 * @param loadAfter the 1-minute load average when it closed, or NaN
 * @param ownCpus CPUs used on average by this JVM and its descendants, or NaN
 * @param othersCpus CPUs used on average by every other process, or NaN
 * @param steal the share of all CPU time the hypervisor gave to other guests, or NaN
 */
public record Load(
        double seconds,
        int cores,
        double loadBefore,
        double loadAfter,
        double ownCpus,
        double othersCpus,
        double steal) {
    /** Other processes' average CPU use (in CPUs) from which the machine counts as busy. */
    public static final double BUSY_CPUS = 0.5;
    /** The share of stolen time from which the machine counts as busy. */
    public static final double BUSY_STEAL = 0.10;

    /** {@return a meter that starts now} */
    public static Meter start() {
        return new Meter();
    }

    /** {@return true if other processes or the hypervisor took a noticeable share of the CPUs} */
    public boolean busy() {
        return othersCpus >= BUSY_CPUS || steal >= BUSY_STEAL;
    }

    /** {@return the CPUs left for this JVM on average: cores minus others' use and steal} */
    public double freeCpus() {
        double others = Double.isNaN(othersCpus) ? 0 : othersCpus;
        double stolen = Double.isNaN(steal) ? 0 : steal * cores;
        return Math.max(0, cores - others - stolen);
    }

    /** {@return one sentence, such as "load average 4.6 to 7.3 on 2 CPUs; other processes used 1.2 CPUs, steal 3%"} */
    public String describe() {
        StringBuilder b = new StringBuilder(
                String.format(Locale.ROOT, "load average %s to %s on %d CPUs", num(loadBefore), num(loadAfter), cores));
        if (!Double.isNaN(othersCpus)) {
            b.append(String.format(Locale.ROOT, "; other processes used %s CPUs", Units.num(othersCpus)));
        }
        if (!Double.isNaN(steal) && steal > 0) {
            b.append(", steal ").append(Units.percent(steal));
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** {@return this window as JSON: every field, plus {@code busy}} */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("seconds", Charts.round(seconds));
        o.put("cores", cores);
        put(o, "loadAverageBefore", loadBefore);
        put(o, "loadAverageAfter", loadAfter);
        put(o, "ownCpus", ownCpus);
        put(o, "othersCpus", othersCpus);
        put(o, "steal", steal);
        o.put("busy", busy());
        return o;
    }

    private static void put(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, Charts.round(v));
        }
    }

    /** Reads the counters when created; {@link #stop()} reads them again. Not thread-safe. */
    public static final class Meter {
        private final long t0 = System.nanoTime();
        private final double load0 = ProcFs.loadAverage();
        private final ProcFs.CpuTimes cpu0 = ProcFs.cpuTimes().orElse(null);
        private final long own0 = ownNanos();

        private Meter() {}

        /** {@return the window from this meter's creation to now} */
        public Load stop() {
            long wall = System.nanoTime() - t0;
            double load1 = ProcFs.loadAverage();
            ProcFs.CpuTimes cpu1 = ProcFs.cpuTimes().orElse(null);
            long own1 = ownNanos();
            int cores = Runtime.getRuntime().availableProcessors();
            double own = Double.NaN;
            double others = Double.NaN;
            double steal = Double.NaN;
            if (cpu0 != null && cpu1 != null && wall > 0) {
                double busy = (cpu1.busyNanos() - cpu0.busyNanos()) / (double) wall;
                long total = cpu1.totalNanos() - cpu0.totalNanos();
                own = Math.max(0, (own1 - own0) / (double) wall);
                others = Math.max(0, busy - own);
                steal = total > 0 ? (cpu1.stealNanos() - cpu0.stealNanos()) / (double) total : 0;
            }
            return new Load(wall / 1e9, cores, load0, load1, own, others, steal);
        }

        /** CPU time of this JVM, its reaped children and its living descendants (with their reaped children). */
        private static long ownNanos() {
            long sum = ProcFs.self().map(u -> u.cpuNanos() + u.childNanos()).orElse(0L);
            for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
                sum += ProcFs.usage(p.pid())
                        .map(u -> u.cpuNanos() + u.childNanos())
                        .orElse(0L);
            }
            return sum;
        }
    }
}
