package dev.tandem;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * The heap a worker JVM gets by default, and the heap its options give it.
 *
 * <h2>Why sized, and how</h2>
 * A worker must hold what users pass it: a 256 MiB argument or result, once decoded, plus what the
 * task makes of it. A fixed small heap made such tasks end the worker with {@link OutOfMemoryError}.
 * A maximum heap costs nothing until used (the serial collector commits memory as the heap grows and
 * gives it back when it shrinks), so the default is generous but bounded by the machine:
 *
 * <pre>
 *   max heap = max(floor, min(memory / 4, memory / 2 / workers)),   floor = min(1 GiB, memory / 2)
 * </pre>
 *
 * where {@code memory} is the machine's physical memory, or the container's limit, as the JVM sees
 * it ({@link OperatingSystemMXBean#getTotalMemorySize()}). Half the memory is shared among the
 * workers, none gets more than the JVM's own default (a quarter), and none less than 1 GiB, enough
 * for a 256 MiB argument and a 256 MiB result at once. On this project's 23.5 GiB machine two
 * workers get 5.9 GiB each. An idle worker stays small regardless: see docs/performance.md. A user's
 * {@code -Xmx} in {@code jvmOptions} comes later on the command line and wins.
 *
 * <p>Stateless and thread-safe.
 */
final class WorkerHeap {
    /** The smallest default: 1 GiB, or half the memory on a smaller machine. */
    static final long FLOOR_BYTES = 1L << 30;

    private WorkerHeap() {}

    /** {@return the default {@code -Xmx} option for a pool of {@code workers} worker JVMs} */
    static String defaultOption(int workers) {
        return "-Xmx" + (defaultBytes(totalMemory(), workers) >> 20) + "m";
    }

    /**
     * {@return the default maximum heap, in bytes, rounded down to a MiB}
     *
     * @param memory the machine's memory in bytes
     * @param workers the number of worker JVMs
     */
    static long defaultBytes(long memory, int workers) {
        long floor = Math.min(FLOOR_BYTES, memory / 2);
        long share = memory / 2 / Math.max(1, workers);
        long bytes = Math.max(floor, Math.min(memory / 4, share));
        return bytes >> 20 << 20;
    }

    /** {@return the machine's (or container's) memory in bytes} */
    static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total;
            }
        }
        return 4L * Runtime.getRuntime().maxMemory(); // the JVM's default heap is a quarter of it
    }

    /**
     * {@return the maximum heap that a worker started with {@code options} gets, in bytes, or 0 if
     * they do not say it in bytes} The last {@code -Xmx} or {@code -XX:MaxHeapSize=} wins, as on the
     * JVM's command line; a percentage ({@code -XX:MaxRAMPercentage}) after it makes it unknown.
     *
     * @param options the worker's JVM options, Tandem's defaults first
     */
    static long maxBytes(List<String> options) {
        long max = 0;
        for (String o : options) {
            if (o.startsWith("-Xmx")) {
                max = parseSize(o.substring(4));
            } else if (o.startsWith("-XX:MaxHeapSize=")) {
                max = parseSize(o.substring("-XX:MaxHeapSize=".length()));
            } else if (o.startsWith("-XX:MaxRAMPercentage=") || o.startsWith("-XX:MaxRAMFraction=")) {
                max = 0;
            }
        }
        return max;
    }

    /** {@return a JVM size such as "512m", "2G" or "1048576" in bytes, or 0 if it is not one} */
    static long parseSize(String size) {
        if (size.isEmpty()) {
            return 0;
        }
        String s = size.toLowerCase(Locale.ROOT);
        long unit = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return 0;
        }
    }
}
