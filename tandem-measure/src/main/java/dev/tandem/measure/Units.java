package dev.tandem.measure;

import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Numbers as people read them, one format for every report, table and chart label: about three
 * significant digits ({@code 1,235}, {@code 12.3}, {@code 1.69}, {@code 0.0123}), ratios as
 * {@code 12.3×}, sizes in binary units, durations in the largest unit that keeps a digit before the
 * point; and parsing of the sizes and durations people type ({@code 512m}, {@code 30s}). Stateless.
 */
public final class Units {
    /** The units of things counted one by one, whose whole values {@link #num(double, String)} writes without decimals. */
    public static final Set<String> COUNTS =
            Set.of("threads", "files", "count", "switches", "cores", "processes", "tasks", "workers");

    /** The size units {@link #parseBytes} accepts, for messages: the JVM's ({@code -Xmx1t}) and their IEC names. */
    public static final String SIZE_UNITS = "b, k, m, g and t, in either case, also written KiB, MiB, GiB, TiB";

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The units of a typed duration, longest first, with their length in nanoseconds. */
    private static final List<Map.Entry<String, Long>> DURATION_UNITS = List.of(
            Map.entry("h", 3_600_000_000_000L),
            Map.entry("m", 60_000_000_000L),
            Map.entry("s", 1_000_000_000L),
            Map.entry("ms", 1_000_000L),
            Map.entry("us", 1_000L),
            Map.entry("ns", 1L));

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ms|us|ns|h|m|s)");

    /** A size as {@link #parseBytes} reads it: a number, then b, or k, m, g or t with an optional iB or B. */
    private static final Pattern SIZE_TEXT =
            Pattern.compile("([0-9]*\\.?[0-9]+)\\s*(?:([kmgt])(?:i?b)?|(b))", Pattern.CASE_INSENSITIVE);

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
        // three significant digits written out: %.3g wrote 0.0000123 as "1.23e-05"
        return significant(v, 3);
    }

    /** {@return {@code v} (not 0, below 1) with {@code digits} significant digits, never in scientific notation} */
    private static String significant(double v, int digits) {
        int decimals = digits - 1 - (int) Math.floor(Math.log10(Math.abs(v)));
        return String.format(Locale.ROOT, "%." + Math.max(decimals, 0) + "f", v);
    }

    /**
     * {@return {@code v} with its unit, scaled to the unit that reads best, or "n/a"} A time ({@code ns},
     * {@code µs}, {@code ms}, {@code s}) or a size ({@code B}, {@code KiB}, {@code MiB}, {@code GiB}) moves to
     * the largest unit that keeps a digit before the point ({@code 36,200 ms} reads {@code 36.2 s}); a ratio
     * ({@code x} or {@code ×}) reads as {@link #ratio} writes it ({@code 1.69×}); a count ({@link #COUNTS}:
     * threads, files, switches) that is a whole number reads as one, and in the singular for one: "14
     * threads", "1 thread", not "14.0 threads" or "1 threads".
     */
    public static String num(double v, String unit) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (unit.equals("x") || unit.equals("×")) {
            return ratio(v);
        }
        if (COUNTS.contains(unit)) {
            return whole(v) + " " + (v == 1 ? singular(unit) : unit);
        }
        Scale scale = Scale.of(unit);
        if (scale == null || v == 0) {
            return num(v) + " " + unit;
        }
        int u = scale.fit(Math.abs(v) * scale.factors[scale.index(unit)]);
        return num(v * scale.factors[scale.index(unit)] / scale.factors[u]) + " " + scale.names[u];
    }

    /**
     * {@return a range of two values in one unit, the one that reads best for the larger: {@code 0.90–18.0 µs},
     * {@code 1.20–1.50×}, {@code 2–3 tasks}; "n/a" if either is not a number}
     */
    public static String range(double a, double b, String unit) {
        if (Double.isNaN(a) || Double.isInfinite(a) || Double.isNaN(b) || Double.isInfinite(b)) {
            return "n/a";
        }
        if (unit.equals("x") || unit.equals("×")) {
            return ratio(a).replace("×", "") + "–" + ratio(b);
        }
        if (COUNTS.contains(unit)) {
            return whole(a) + "–" + whole(b) + " " + unit;
        }
        Scale scale = Scale.of(unit);
        if (scale == null) {
            return num(a) + "–" + num(b) + " " + unit;
        }
        double f = scale.factors[scale.index(unit)];
        int u = scale.fit(Math.max(Math.abs(a), Math.abs(b)) * f);
        return num(a * f / scale.factors[u]) + "–" + num(b * f / scale.factors[u]) + " " + scale.names[u];
    }

    /**
     * {@return a cost as {@link #num(double, String)} writes it, or "~0 (noise)" when it is no larger than the
     * noise it was measured with} A cost of 0.4 µs over a spread of 2 µs is no cost anyone can tell; "0.400 µs"
     * read as a finding.
     *
     * @param v the cost
     * @param noise how far apart repeated measurements were, in the same unit (an interquartile range)
     * @param unit the unit of both
     */
    public static String cost(double v, double noise, String unit) {
        if (!Double.isNaN(v) && !Double.isNaN(noise) && Math.abs(v) <= Math.abs(noise)) {
            return "~0 (noise)";
        }
        return num(v, unit);
    }

    /** {@return the noun of a count for one of it: "tasks" gives "task", "processes" "process"} */
    static String singular(String unit) {
        if (unit.endsWith("sses") || unit.endsWith("ches")) {
            return unit.substring(0, unit.length() - 2);
        }
        return unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
    }

    /** The units of one kind, smallest first, with their size in the smallest. */
    private record Scale(String[] names, double[] factors) {
        private static final Scale TIME =
                new Scale(new String[] {"ns", "µs", "ms", "s"}, new double[] {1, 1e3, 1e6, 1e9});
        private static final Scale SIZE = new Scale(
                new String[] {"B", "KiB", "MiB", "GiB"}, new double[] {1, 1024, 1024.0 * 1024, 1024.0 * 1024 * 1024});

        static Scale of(String unit) {
            return TIME.index(unit) >= 0 ? TIME : SIZE.index(unit) >= 0 ? SIZE : null;
        }

        int index(String unit) {
            String u = unit.equals("us") ? "µs" : unit;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(u)) {
                    return i;
                }
            }
            return -1;
        }

        /** {@return the largest unit in which {@code smallest} (a value in the smallest unit) is at least 1} */
        int fit(double smallest) {
            int u = 0;
            while (u + 1 < factors.length && smallest >= factors[u + 1] * 0.9995) {
                u++;
            }
            return u;
        }
    }

    /**
     * {@return a moment as people read it, {@code 2026-12-02 15:33:23 UTC}, from an ISO-8601 instant
     * ({@code 2026-12-02T15:33:23.123456789Z}) or epoch milliseconds; the text as it is if it is neither} A
     * results file keeps the exact instant; a report and a terminal show it like this ({@code lab --compare}
     * showed the raw instant with its nanoseconds).
     */
    public static String when(String instant) {
        String t = instant == null ? "" : instant.strip();
        try {
            Instant i = t.matches("\\d{1,15}") ? Instant.ofEpochMilli(Long.parseLong(t)) : Instant.parse(t);
            return WHEN.format(i);
        } catch (DateTimeException | NumberFormatException e) {
            return t;
        }
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
        return a >= 0.01 ? String.format(Locale.ROOT, "%.2f×", r) : significant(r, 2) + "×";
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

    /**
     * {@return a duration in ns, µs, ms, s, h or d with about three significant digits ({@code 250 ms},
     * {@code 1.50 s}, {@code 1.50 h}), a whole number of hours or days without decimals ({@code 7 d}, not
     * {@code 604,800 s}), or "n/a" when negative}
     */
    public static String nanos(long ns) {
        return ns < 0 ? "n/a" : inUnit(ns, false);
    }

    /** {@return {@code ns} (not negative) in the largest unit that keeps a digit before the point} */
    private static String inUnit(long ns, boolean exact) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        double[] sizes = {1e3, 1e6, 1e9, 3.6e12, 8.64e13};
        String[] names = {" µs", " ms", " s", " h", " d"};
        int u = 0;
        while (u + 1 < sizes.length && ns >= sizes[u + 1]) {
            u++;
        }
        double v = ns / sizes[u];
        // hours and days read whole when they are ("7 d", not "7.00 d"), as does every unit of a value as set
        return (exact || u >= 3 ? whole(v) : num(v)) + names[u];
    }

    /**
     * {@return {@code v} as a whole number when it is one ({@code 14}, not {@code 14.0}), else as {@link #num(double)}
     * writes it; "n/a" for NaN} For counts: OS threads, open files.
     */
    public static String whole(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : num(v);
    }

    /**
     * {@return a duration as people read it, signed, whole numbers without decimals: {@code 5 s},
     * {@code 250 ms}, {@code 1.50 s}, {@code -3 ms}} For the
     * messages that echo a value; {@link Duration#toString()} wrote {@code PT-0.003S}.
     */
    public static String duration(Duration d) {
        long ns;
        try {
            ns = d.abs().toNanos();
        } catch (ArithmeticException tooLong) {
            ns = Long.MAX_VALUE;
        }
        return (d.isNegative() ? "-" : "") + inUnit(ns, true);
    }

    /** {@return {@code n} and the noun for it: "1 task", "3 tasks"} */
    public static String count(long n, String one, String many) {
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? one : many);
    }

    /**
     * {@return a rate, such as {@code 12,400/s} or {@code 3.50/s}; below one a second, per minute
     * ({@code 33.3/min}), and below one a minute, per hour ({@code 2.00/h}), so that a slow rate reads
     * without a string of zeros}
     */
    public static String rate(double perSecond) {
        double a = Math.abs(perSecond);
        if (a == 0 || a >= 0.9995 || Double.isNaN(a) || Double.isInfinite(a)) {
            return num(perSecond) + "/s";
        }
        if (a * 60 >= 0.9995) {
            return num(perSecond * 60) + "/min";
        }
        return num(perSecond * 3600) + "/h";
    }

    /**
     * {@return the text on one line; if longer than {@code max}, its beginning up to a whole word, then "…", with
     * each bracket it opened closed, so that it reads as prose wherever it is quoted} Cut at fixed offsets, a
     * failure read "worker 3 [...] visor.Calls$Call)": half a class name; cut in its middle, a reason quoted in a
     * verdict read "it runs several tasks in one worker JVM, [...] this machine: 1.00 s); it was killed), which
     * would take those tasks down together": an editor's mark, half a clause and brackets closed twice.
     */
    public static String abbreviate(String text, int max) {
        String s = String.valueOf(text).replace('\n', ' ').replace('\r', ' ');
        if (s.length() <= max) {
            return s;
        }
        int end = s.lastIndexOf(' ', Math.max(0, max - 1));
        // a single word longer than half of max is cut as is
        String head = (end >= max / 2 ? s.substring(0, end) : s.substring(0, Math.max(1, max - 1)))
                .replaceAll("[\\s,;:(\\[{-]+$", "");
        StringBuilder closing = new StringBuilder();
        for (int i = head.length() - 1, depth = 0; i >= 0; i--) {
            char c = head.charAt(i);
            if (c == ')' || c == ']' || c == '}') {
                depth++;
            } else if (c == '(' || c == '[' || c == '{') {
                if (depth > 0) {
                    depth--;
                } else {
                    closing.append(c == '(' ? ')' : c == '[' ? ']' : '}');
                }
            }
        }
        return head + "\u2026" + closing;
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
     * Parses a size such as {@code 512m}, {@code 2g}, {@code 1t}, {@code 64K}, {@code 512MiB} or {@code 4096b}:
     * every suffix the JVM takes for {@code -Xmx} (k, m, g, t in either case), their IEC names and bytes. A
     * number without a unit is refused rather than read as bytes ({@code 512} meant 512 MiB more often than 512
     * bytes), except 0. Every size option of every command parses with this one method, so that a size one
     * command takes no other refuses. Was: {@code 1t} was "not a size" to {@code tandem advise}, though the JVM
     * and {@code tandem node} took it.
     *
     * @param text the size as typed
     * @return the size in bytes, never negative; {@link Long#MAX_VALUE} for one beyond it
     * @throws IllegalArgumentException if {@code text} is no size or has no unit; the message quotes it and
     *     names the units
     */
    public static long parseBytes(String text) {
        return parseBytes(text, "512m, 2g or 64k");
    }

    /**
     * Parses a size as {@link #parseBytes(String)} does, suggesting {@code examples} in its messages: sizes the
     * option takes ("512m or 2g" for a heap, which 64k is too small to be).
     *
     * @param text the size as typed
     * @param examples sizes the option takes, such as "512m or 2g"
     * @return the size in bytes, never negative
     * @throws IllegalArgumentException if {@code text} is no size or has no unit
     */
    public static long parseBytes(String text, String examples) {
        String typed = text.strip();
        if (typed.matches("[0-9]*\\.?[0-9]+")) {
            if (Double.parseDouble(typed) == 0) {
                return 0;
            }
            throw new IllegalArgumentException("'" + text + "' has no unit; write it like " + typed + "m or " + typed
                    + "g (the units are " + SIZE_UNITS + ")");
        }
        Matcher m = SIZE_TEXT.matcher(typed);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size; write it like " + examples + " (the units are " + SIZE_UNITS + ")");
        }
        long unit = switch (m.group(2) == null
                ? 'b'
                : Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        double bytes = Double.parseDouble(m.group(1)) * unit;
        return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
    }

    /**
     * {@return the unit that follows the last unit of a compound duration without one at its end ("s" for
     * {@code 1m30}, "m" for {@code 1h30}, "ms" for {@code 1s500}), or null if it has no unit at all}
     */
    private static String nextUnit(String body) {
        Matcher m = Pattern.compile("(ms|us|ns|h|m|s)(?=[0-9.]+$)").matcher(body);
        if (!m.find()) {
            return null;
        }
        for (int i = 0; i + 1 < DURATION_UNITS.size(); i++) {
            if (DURATION_UNITS.get(i).getKey().equals(m.group(1))) {
                return DURATION_UNITS.get(i + 1).getKey();
            }
        }
        return "ns";
    }

    /**
     * Parses a duration as {@link #parseDuration(String)} does, but a number without a unit is refused with a
     * suggestion the caller accepts: {@code 50} for a limit that takes 50ms and 50s reads "write it like 50ms
     * or 50s", for one of 8 s to 1 h "write it like 50s", and {@code 0} "write it like {@code example}" (it
     * was told to write 0ms or 0s, both refused next).
     *
     * @param text the duration as typed
     * @param accepted the durations the caller takes
     * @param example what to suggest when neither reading of the number is accepted, such as "30s or 2m"
     * @return the duration, not yet checked against {@code accepted}: the caller says what is wrong with it
     * @throws IllegalArgumentException if {@code text} is no duration or has no unit
     */
    public static Duration parseDuration(String text, Predicate<Duration> accepted, String example) {
        try {
            return parseDuration(text);
        } catch (IllegalArgumentException e) {
            String t = text.strip();
            if (nextUnit(t.toLowerCase(Locale.ROOT).replace("µs", "us")) != null) {
                throw e; // 1m30: "write it like 1m30s", not "1m30ms or 1m30s"
            }
            if (t.isEmpty() || !Character.isDigit(t.charAt(t.length() - 1))) {
                // the general form ("30s, 250ms, 200us or 1m30s") may suggest what this caller refuses
                throw new IllegalArgumentException("'" + text + "' is not a duration; write it like " + example, e);
            }
            List<String> fit = Stream.of(t + "ms", t + "s")
                    .filter(c -> {
                        try {
                            return accepted.test(parseDuration(c));
                        } catch (IllegalArgumentException notOne) {
                            return false;
                        }
                    })
                    .toList();
            throw new IllegalArgumentException(
                    "'" + text + "' has no unit; write it like " + (fit.isEmpty() ? example : String.join(" or ", fit)),
                    e);
        }
    }

    /**
     * Parses a duration such as {@code 30s}, {@code 250ms}, {@code 200us}, {@code 2m}, {@code 1h}, or a
     * compound one with its units from the largest down, such as {@code 1m30s} or {@code 1h30m}. A
     * number without a unit is refused rather than guessed ({@code 50} could mean seconds or
     * milliseconds). A leading minus sign gives a negative duration, for the caller to refuse. A
     * well-formed duration longer than {@code Long.MAX_VALUE} nanoseconds (about 292 years) is that long,
     * so that a caller's range check names its range rather than call it no duration.
     *
     * @param text the duration as typed
     * @return the duration
     * @throws IllegalArgumentException if {@code text} is no duration or has no unit; the message quotes it
     *     and shows the form
     */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace("µs", "us");
        boolean negative = t.startsWith("-");
        String body = negative ? t.substring(1) : t;
        if (!body.isEmpty() && Character.isDigit(body.charAt(body.length() - 1))) {
            String next = nextUnit(body);
            if (next != null) {
                // 1m30 is 1m30s, as people say "a minute thirty": suggest the unit after the last one, not "1m30ms"
                throw new IllegalArgumentException(
                        "'" + text + "': its last number has no unit; write it like " + t + next);
            }
            throw new IllegalArgumentException("'" + text + "' has no unit; write it like " + t + "ms or " + t + "s");
        }
        Matcher m = DURATION_PART.matcher(body);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        int lastUnit = -1;
        while (at < body.length() && m.find(at) && m.start() == at) {
            int unit = 0;
            while (!DURATION_UNITS.get(unit).getKey().equals(m.group(2))) {
                unit++;
            }
            if (unit <= lastUnit) {
                throw new IllegalArgumentException("'" + text + "' is not a duration: its units must go from the"
                        + " largest down, each once; write it like 1h30m, 1m30s or 2.5s");
            }
            lastUnit = unit;
            nanos = nanos.add(new BigDecimal(m.group(1))
                    .multiply(BigDecimal.valueOf(DURATION_UNITS.get(unit).getValue())));
            at = m.end();
        }
        if (body.isEmpty() || at != body.length()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; write it like 30s, 250ms, 200us or 1m30s");
        }
        long n = nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : nanos.longValue();
        return Duration.ofNanos(negative ? -n : n);
    }
}
