package dev.tandem.lab;

import java.util.Locale;

/** Formats measured numbers for people: three significant digits, a unit, a ratio. Stateless. */
final class Fmt {
    private Fmt() {}

    /** {@return {@code v} with about three significant digits, or "n/a" for NaN} */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String num(double v, String unit) {
        return Double.isNaN(v) ? "n/a" : num(v) + " " + unit;
    }

    /** {@return a ratio such as "12x" or "0.8x"} */
    static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "n/a";
        }
        return (r >= 10
                        ? String.format(Locale.ROOT, "%,.0f", r)
                        : r >= 1 ? String.format(Locale.ROOT, "%.1f", r) : String.format(Locale.ROOT, "%.2f", r))
                + "x";
    }

    /** {@return "median (IQR q1-q3, n=N)"} */
    static String stats(Stats s, String unit) {
        if (s.n() == 0) {
            return "n/a";
        }
        return num(s.median()) + " " + unit + " (IQR " + num(s.q1()) + "-" + num(s.q3()) + ", n=" + s.n() + ")";
    }

    static String pct(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
