package dev.tandem.measure;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Locale;

/**
 * Numbers as people read them, one format for every report, table and chart label: about three
 * significant digits ({@code 1,235}, {@code 12.3}, {@code 1.69}, {@code 0.0123}), ratios as
 * {@code 12.3×}, sizes in binary units, durations in the largest unit that keeps a digit before the
 * point; and parsing of the sizes and durations people type ({@code 512m}, {@code 30s}). Stateless.
 */
public final class Units {
    private Units() {}

    /** {@return {@code v} with about three significant digits, or "n/a" for NaN and infinities} */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 99.95) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 9.995) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.9995) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** {@return {@code v} with its unit, or "n/a"} */
    public static String num(double v, String unit) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : num(v) + " " + unit;
    }

    /** {@return a ratio with three significant digits above 1 and two decimals below: {@code 76,640×}, {@code 1.69×}, {@code 0.51×}} */
    public static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "n/a";
        }
        double a = Math.abs(r);
        if (a >= 0.9995 || a == 0) {
            return num(r) + "×";
        }
        return String.format(Locale.ROOT, a >= 0.01 ? "%.2f×" : "%.2g×", r);
    }

    /** {@return a share as a percentage without decimals, such as {@code 37%}} */
    public static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    /** {@return bytes in B, KiB, MiB or GiB, or "n/a" when negative} */
    public static String bytes(long b) {
        if (b < 0) {
            return "n/a";
        }
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return num(b / 1024.0) + " KiB";
        }
        if (b < 1024L * 1024 * 1024) {
            return num(b / 1048576.0) + " MiB";
        }
        return num(b / 1073741824.0) + " GiB";
    }

    /** {@return a duration in ns, µs, ms or s with about three significant digits, or "n/a" when negative} */
    public static String nanos(long ns) {
        if (ns < 0) {
            return "n/a";
        }
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return num(ns / 1e3) + " µs";
        }
        if (ns < 1_000_000_000) {
            return num(ns / 1e6) + " ms";
        }
        return num(ns / 1e9) + " s";
    }

    /** {@return a rate per second, such as {@code 12,400/s} or {@code 3.5/s}} */
    public static String rate(double perSecond) {
        return num(perSecond) + "/s";
    }

    /** {@return the text on one line, its middle cut out if longer than {@code max}} */
    public static String abbreviate(String text, int max) {
        String s = String.valueOf(text).replace('\n', ' ').replace('\r', ' ');
        if (s.length() <= max) {
            return s;
        }
        int head = max / 3;
        return s.substring(0, head) + " [...] " + s.substring(s.length() - (max - head));
    }

    /** {@return the first line of {@code s}, at most 200 characters; "" for null} */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * {@return why a file operation failed, for people: " (permission denied)", " (no such file or directory)",
     * " (the reason the system gave)", or "" when there is none}
     */
    public static String why(Exception e) {
        if (e instanceof AccessDeniedException) {
            return " (permission denied)";
        }
        if (e instanceof NoSuchFileException) {
            return " (no such file or directory)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return " (" + f.getReason() + ")";
        }
        return e.getMessage() == null ? "" : " (" + firstLine(e.getMessage()) + ")";
    }

    /**
     * Parses a size such as {@code 512m}, {@code 2g}, {@code 64k} or {@code 1048576} (bytes).
     *
     * @param text the size as typed
     * @return the size in bytes, never negative
     * @throws IllegalArgumentException if {@code text} is no size; the message quotes it and shows the form
     */
    public static long parseBytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
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
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write it like 512m, 2g or 64k", e);
        }
    }

    /**
     * Parses a duration such as {@code 30s}, {@code 250ms}, {@code 200us}, {@code 2m} or {@code 1h}. A
     * number without a unit is refused rather than guessed ({@code 50} could mean seconds or
     * milliseconds). A leading minus sign gives a negative duration, for the caller to refuse.
     *
     * @param text the duration as typed
     * @return the duration
     * @throws IllegalArgumentException if {@code text} is no duration or has no unit; the message quotes it
     *     and shows the form
     */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace("µs", "us");
        if (!t.isEmpty() && Character.isDigit(t.charAt(t.length() - 1))) {
            throw new IllegalArgumentException("'" + text + "' has no unit; write it like " + t + "ms or " + t + "s");
        }
        try {
            double nanos;
            if (t.endsWith("ms")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6;
            } else if (t.endsWith("us")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3;
            } else if (t.endsWith("ns")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 2));
            } else if (t.endsWith("s")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9;
            } else if (t.endsWith("m")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9;
            } else if (t.endsWith("h")) {
                nanos = Double.parseDouble(t.substring(0, t.length() - 1)) * 3600e9;
            } else {
                throw new NumberFormatException();
            }
            if (Double.isNaN(nanos) || Double.isInfinite(nanos) || Math.abs(nanos) > Long.MAX_VALUE / 2.0) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos((long) nanos);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; write it like 30s, 250ms or 200us", e);
        }
    }
}
