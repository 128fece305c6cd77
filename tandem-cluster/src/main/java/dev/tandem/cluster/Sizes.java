package dev.tandem.cluster;

import java.util.Locale;

/** Sizes in the JVM's notation ({@code 512m}, {@code 2g}, {@code 65536k}, bytes), parsed and printed. */
final class Sizes {
    private Sizes() {}

    /**
     * {@return the bytes of {@code size}}
     *
     * @throws IllegalArgumentException naming the size if it is not one
     */
    static long parse(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("k")) {
            unit = 1L << 10;
        } else if (s.endsWith("m")) {
            unit = 1L << 20;
        } else if (s.endsWith("g")) {
            unit = 1L << 30;
        } else if (s.endsWith("t")) {
            unit = 1L << 40;
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "not a size: " + size + " (give a positive number of bytes, or with k, m or g: 512m, 2g)");
        }
    }

    /** {@return {@code bytes} in the largest whole unit: 512m, 2g} */
    static String format(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "g";
        }
        if (bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "m";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + "k" : Long.toString(bytes);
    }
}
