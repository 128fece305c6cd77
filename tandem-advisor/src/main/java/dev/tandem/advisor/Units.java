package dev.tandem.advisor;

import java.time.Duration;
import java.util.Locale;

/** Numbers as people read them: "38 MiB", "21 µs", "1.9×", "12,400/s"; and parsing "512m", "30s". */
final class Units {
    private Units() {}

    static String bytes(long b) {
        if (b < 0) {
            return "n/a";
        }
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }

    static String nanos(long ns) {
        if (ns < 0) {
            return "n/a";
        }
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, ns < 10_000 ? "%.1f µs" : "%.0f µs", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, ns < 10_000_000 ? "%.2f ms" : "%.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }

    static String rate(double perSecond) {
        if (perSecond >= 100) {
            return String.format(Locale.ROOT, "%,.0f/s", perSecond);
        }
        return String.format(Locale.ROOT, "%.1f/s", perSecond);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    /** {@return the text on one line, its middle cut out if longer than {@code max}} */
    static String abbreviate(String text, int max) {
        String s = String.valueOf(text).replace('\n', ' ').replace('\r', ' ');
        if (s.length() <= max) {
            return s;
        }
        int head = max / 3;
        return s.substring(0, head) + " [...] " + s.substring(s.length() - (max - head));
    }

    /** Parses "512m", "2g", "64k", "1048576". */
    static long parseBytes(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            default -> {}
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(digits.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + s + "'; write it like 512m, 2g or 64k", e);
        }
    }

    /** Parses "30s", "250ms", "200us", "2m", "1h", or a number of seconds. */
    static Duration parseDuration(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replace("µs", "us");
        try {
            if (t.endsWith("ms")) {
                return Duration.ofNanos((long) (Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6));
            }
            if (t.endsWith("us")) {
                return Duration.ofNanos((long) (Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3));
            }
            if (t.endsWith("ns")) {
                return Duration.ofNanos(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofNanos((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9));
            }
            if (t.endsWith("m")) {
                return Duration.ofNanos((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9));
            }
            if (t.endsWith("h")) {
                return Duration.ofNanos((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 3600e9));
            }
            return Duration.ofNanos((long) (Double.parseDouble(t) * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + s + "'; write it like 30s, 250ms or 200us", e);
        }
    }
}
