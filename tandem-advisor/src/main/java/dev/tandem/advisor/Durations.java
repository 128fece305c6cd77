package dev.tandem.advisor;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.measure.Units;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Predicate;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the sizes and durations of {@code tandem advise}: they read what people type
 * ({@code 50ms}, {@code 2m}, {@code 512m}) and refuse a bad value while the command line is parsed,
 * before anything is measured. picocli then names the option; the message quotes the value as typed
 * and shows the form. Stateless.
 */
final class Durations {
    private Durations() {}

    /** A duration above zero, such as {@code --max-latency 50ms}. */
    static final class Positive implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value, x -> !x.isNegative() && !x.isZero(), "50ms");
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException(
                        "'" + value + "' is not a positive duration; write it like 50ms, or leave the option out");
            }
            return d;
        }
    }

    /** The time budget of a run: {@link Advisor#MIN_TIME} to 1 h, such as {@code --time 30s}. */
    static final class Budget implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value, Budget::fits, "30s, 2m or 1m30s (8s to 1h)");
            if (!fits(d)) {
                throw new TypeConversionException("'" + value + "' is not between 8s and 1h (" + Advisor.WHY_MIN_TIME
                        + "); write it like 30s, 2m or 1m30s");
            }
            return d;
        }

        private static boolean fits(Duration d) {
            return d.compareTo(Advisor.MIN_TIME) >= 0 && d.compareTo(Duration.ofHours(1)) <= 0;
        }
    }

    /** A heap of at least 16 MiB and at most the machine's memory, such as {@code --heap-per-task 512m}. */
    static final class HeapSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes;
            try {
                // the one parser of every size option (1t, 64K, 512MiB); its general form's 64k is refused below
                bytes = Units.parseBytes(value, "512m or 2g");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (bytes < 16L << 20) {
                throw new TypeConversionException(
                        "'" + value + "' is less than 16m, too small for a JVM's heap; write it like 512m or 2g");
            }
            long machine = machineMemory();
            if (machine > 0 && bytes > machine) {
                throw new TypeConversionException("'" + value + "' is more than this machine's memory ("
                        + Units.bytes(machine) + "); one task's heap must fit in it");
            }
            return bytes;
        }
    }

    /** {@return the duration typed; a number without a unit is refused suggesting only values {@code accepted} takes} */
    private static Duration parse(String value, Predicate<Duration> accepted, String example) {
        try {
            return Units.parseDuration(value, accepted, example);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@return this machine's physical memory in bytes, or 0 if the JVM cannot tell} */
    static long machineMemory() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }
}
