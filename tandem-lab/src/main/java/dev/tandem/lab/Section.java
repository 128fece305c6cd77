package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.measure.Load;
import dev.tandem.measure.Stats;
import dev.tandem.measure.Table;
import dev.tandem.measure.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one experiment found: the note's claim, the method, every metric with its raw samples, tables,
 * one chart, notes on honesty (wide spreads, OS cross-checks, what could not be measured), the load
 * of the machine meanwhile, and a verdict computed from the numbers.
 *
 * <h2>What a verdict rests on</h2>
 * An experiment names the metrics its verdict rests on ({@link #restsOn}), the pairs it compares
 * ({@link #compares}), and any condition of the machine that made a measurement meaningless
 * ({@link #contended}, such as "no CPU was free to show a speed-up"). {@link #problems()} lists each
 * metric that is noise, each compared pair in which a noisy number overlaps the other (a noisy number
 * whose whole interquartile range lies on one side of what it is compared with still decides the
 * comparison), and each condition. The lab repeats an experiment with problems once and, if they
 * remain, turns its verdict into {@link Outcome#INCONCLUSIVE} with {@link #inconclusive}, so that no
 * verdict rests on a number the report flags as noise.
 *
 * <p>Filled by one experiment on the lab's thread, then only read. Not thread-safe.
 */
final class Section {
    /**
     * On a busy machine, the spread (interquartile range over the median) beyond which the slower of two
     * compared times may owe its lead to the load: half of {@link Stats#WIDE}, the noise line of a quiet one.
     */
    static final double BUSY_WIDE = Stats.WIDE / 2;
    /** How many times the other's slowest quarter the slower side's fastest quarter must be for load not to explain it. */
    static final double BEYOND_LOAD = 4;

    final String id;
    final String title;
    final String claim;
    final String claimOriginal;
    String method = "";
    final Map<String, Metric> metrics = new LinkedHashMap<>();
    final List<Table> tables = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    ObjectNode chart;
    String chartCaption = "";
    Outcome outcome = Outcome.INCONCLUSIVE;
    String verdict = "";
    String headline = "";
    double seconds;
    /** The machine's load while this section measured; null until the experiment ended. */
    Load load;
    /** The loads of the attempts, first to last: one, or two when the experiment was repeated. */
    final List<Load> attempts = new ArrayList<>();
    /** Why the experiment was repeated, or "" if it was not. */
    String repeatedBecause = "";
    /**
     * For each derived metric (one computed from other sections' metrics, such as the verdict's ratios),
     * the metrics it was computed from as {@code "section/key"}; measured metrics have no entry.
     */
    final Map<String, List<String>> inputs = new LinkedHashMap<>();
    /** The ids of the sections this one derived numbers from that measured on a busy machine. */
    final Set<String> busyInputs = new TreeSet<>();

    /** Metrics whose median lies beyond what is physically possible, with the bound: artefacts, never results. */
    private final Map<String, String> artefacts = new LinkedHashMap<>();

    private final Set<String> basis = new LinkedHashSet<>();
    private final List<String[]> pairs = new ArrayList<>();
    private final List<String> contention = new ArrayList<>();

    Section(String id, String title, String claim, String claimOriginal) {
        this.id = id;
        this.title = title;
        this.claim = claim;
        this.claimOriginal = claimOriginal;
    }

    /**
     * Adds a metric, replacing none: keys are unique within a section.
     *
     * @return the metric
     */
    Metric add(String key, String label, String unit, List<Double> samples, Map<String, Object> params) {
        Metric m = new Metric(key, label, unit, samples, params);
        if (metrics.putIfAbsent(key, m) != null) {
            throw new IllegalStateException("metric " + key + " measured twice in " + id);
        }
        return m;
    }

    /**
     * Adds a metric computed from other sections' metrics. Its parameters are its own plus, for each
     * input, the input's parameters under {@code "section/key"}, so {@code --compare} matches it only with
     * a metric derived from the same inputs measured with the same settings; if an input's section
     * measured on a busy machine, so did this one ({@link #busy()}).
     *
     * @param from the inputs, each a section and the key of one of its metrics; absent metrics are skipped
     * @return the metric
     */
    Metric derive(
            String key,
            String label,
            String unit,
            List<Double> samples,
            Map<String, Object> params,
            List<Map.Entry<Section, String>> from) {
        Map<String, Object> all = new TreeMap<>(params);
        List<String> refs = new ArrayList<>();
        for (Map.Entry<Section, String> in : from) {
            Metric m = in.getKey().metrics.get(in.getValue());
            if (m == null) {
                continue;
            }
            String ref = in.getKey().id + "/" + m.key();
            refs.add(ref);
            all.put(ref, new TreeMap<>(m.params()).toString());
            if (in.getKey().busy()) {
                busyInputs.add(in.getKey().id);
            }
        }
        inputs.put(key, List.copyOf(refs));
        return add(key, label, unit, samples, all);
    }

    /** {@return true if this section, or a section it derived numbers from, measured on a busy machine} */
    boolean busy() {
        return (load != null && load.busy()) || !busyInputs.isEmpty();
    }

    Optional<Metric> metric(String key) {
        return Optional.ofNullable(metrics.get(key));
    }

    /** {@return the statistics of a metric, or statistics without samples if it was not measured} */
    Stats stats(String key) {
        Metric m = metrics.get(key);
        return m == null ? Stats.none() : m.stats();
    }

    /** {@return the median of a metric, or NaN if it was not measured} */
    double median(String key) {
        Metric m = metrics.get(key);
        return m == null ? Double.NaN : m.median();
    }

    /** {@return a metric's median with its unit, marked "(noise)" if its spread is too wide} */
    String quote(String key) {
        Metric m = metrics.get(key);
        if (m == null) {
            return "n/a";
        }
        if (artefact(key)) {
            return Units.num(m.median(), m.unit()) + " (artefact)";
        }
        Stats st = m.stats();
        if (m.noisy() && st.q1() <= 0 && st.q3() >= 0) {
            // a cost whose spread reaches zero is no cost anyone can tell: "0.400 µs (noise)" read as a finding
            return Units.cost(m.median(), st.q3() - st.q1(), m.unit());
        }
        return Units.num(m.median(), m.unit()) + (m.noisy() ? " (noise)" : "");
    }

    /** {@return a ratio metric's median as "2.00×", marked "(artefact)" if it is physically impossible} */
    String ratio(String key) {
        return Units.ratio(median(key)) + (artefact(key) ? " (artefact)" : "");
    }

    /**
     * Declares the most a metric can physically be, such as a CPU-bound speed-up on {@code n} cores
     * (the bound includes the tolerance). A median beyond it is an artefact of the measurement (say, an
     * inflated baseline): it counts among the {@link #problems()} (so the experiment is repeated, and
     * its verdict becomes inconclusive if it remains), {@link #quote} and {@link #ratio} mark it, and
     * {@code --compare} treats it as noise.
     *
     * @param why the bound's reason for people, such as "2 cores"
     */
    void atMost(String key, double bound, String why) {
        Metric m = metrics.get(key);
        if (m != null && m.median() > bound) {
            artefacts.put(
                    key,
                    String.format(
                            Locale.ROOT,
                            "%s: %s, above the %s that %s allow (an artefact of the measurement, not a result)",
                            m.label(),
                            Units.num(m.median(), m.unit()),
                            Units.num(bound, m.unit()),
                            why));
        }
    }

    /** {@return true if the metric's median lies beyond the bound declared with {@link #atMost}} */
    boolean artefact(String key) {
        return artefacts.containsKey(key);
    }

    void note(String text) {
        notes.add(text);
    }

    void verdict(Outcome outcome, String text) {
        this.outcome = outcome;
        this.verdict = text;
    }

    /** Names metrics the verdict rests on: their spread must not be noise. */
    void restsOn(String... keys) {
        basis.addAll(List.of(keys));
    }

    /** Names two metrics the verdict compares: noise in either matters only if their IQRs overlap. */
    void compares(String a, String b) {
        pairs.add(new String[] {a, b});
    }

    /** Records that the machine kept a measurement from meaning anything, and why (with the numbers). */
    void contended(String why) {
        contention.add(why);
    }

    /**
     * {@return why the verdict cannot stand: each metric it rests on whose spread is noise (or that has
     * fewer than {@link Stats#MIN_SAMPLES} samples), and each contention; empty if none}
     */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        for (String key : basis) {
            Metric m = metrics.get(key);
            if (m == null) {
                continue; // a missing number is the experiment's own verdict to give
            }
            Stats s = m.stats();
            if (s.n() < Stats.MIN_SAMPLES) {
                out.add(m.label() + ": only " + Units.count(s.n(), "sample", "samples"));
            } else if (m.noisy()) {
                out.add(m.label()
                        + String.format(
                                Locale.ROOT,
                                ": %s, IQR %s",
                                Units.num(s.median(), m.unit()),
                                spread(s.relativeSpread())));
            }
        }
        for (String[] pair : pairs) {
            Metric a = metrics.get(pair[0]);
            Metric b = metrics.get(pair[1]);
            if (a == null || b == null || !(a.noisy() || b.noisy()) || separated(a, b)) {
                continue;
            }
            out.add(a.label() + " (" + quote(a.key()) + ") against " + b.label() + " (" + quote(b.key())
                    + "): their spreads overlap and one is noise");
        }
        if (busy()) {
            for (String[] pair : pairs) {
                String loaded = loadMadeSlower(metrics.get(pair[0]), metrics.get(pair[1]));
                if (loaded != null) {
                    out.add(loaded);
                }
            }
        }
        out.addAll(artefacts.values());
        out.addAll(contention);
        return out;
    }

    /**
     * {@return why a difference of two times measured on a busy machine may be the load's, or null if it
     * cannot be} Load only ever lengthens a time, and it shows in the spread of what it hit: a difference
     * whose slower side spreads beyond {@link #BUSY_WIDE} of its median could be the load's doing, unless
     * even that side's fastest quarter is {@link #BEYOND_LOAD} times the other's slowest. Was: on a machine
     * where others used 1.48 of 2 CPUs, thread round trips of 10.5 to 30.8 µs against 6.3 µs for processes
     * "refuted" that a process switch costs more, and the verdict's overhead row favored processes.
     */
    String loadMadeSlower(Metric a, Metric b) {
        if (a == null || b == null || !separated(a, b)) {
            return null;
        }
        double fa = timeFactor(a.unit());
        double fb = timeFactor(b.unit());
        if (Double.isNaN(fa) || Double.isNaN(fb)) {
            return null;
        }
        boolean aSlower = a.median() * fa > b.median() * fb;
        Metric slow = aSlower ? a : b;
        Metric fast = aSlower ? b : a;
        double fs = aSlower ? fa : fb;
        double ff = aSlower ? fb : fa;
        Stats st = slow.stats();
        if (!(st.relativeSpread() > BUSY_WIDE)
                || st.q1() * fs >= BEYOND_LOAD * fast.stats().q3() * ff) {
            return null;
        }
        return slow.label() + " (" + quote(slow.key()) + ") measured slower than " + fast.label() + " ("
                + quote(fast.key()) + "), but on a busy machine, with a spread of " + spread(st.relativeSpread())
                + ": the load may be what made it slower";
    }

    /** {@return the factor to µs of a unit of time, or NaN for other units} */
    private static double timeFactor(String unit) {
        return switch (unit) {
            case "ns", "µs", "ms", "s" -> toBase(unit);
            default -> Double.NaN;
        };
    }

    /** {@return true if the interquartile ranges of two metrics do not overlap, in a common unit} */
    static boolean separated(Metric a, Metric b) {
        double fa = toBase(a.unit());
        double fb = toBase(b.unit());
        if (Double.isNaN(fa) || Double.isNaN(fb)) {
            return a.unit().equals(b.unit()) && a.stats().separatedFrom(b.stats());
        }
        Stats x = a.stats();
        Stats y = b.stats();
        return x.n() > 0 && y.n() > 0 && (x.q3() * fa < y.q1() * fb || y.q3() * fb < x.q1() * fa);
    }

    /** {@return the factor to µs (times) or KiB (sizes), or NaN for other units} */
    private static double toBase(String unit) {
        return switch (unit) {
            case "ns" -> 1e-3;
            case "µs", "KiB" -> 1;
            case "ms" -> 1e3;
            case "MiB" -> 1024;
            case "s" -> 1e6;
            case "B" -> 1.0 / 1024;
            case "GiB" -> 1024.0 * 1024;
            default -> Double.NaN;
        };
    }

    /**
     * Replaces the verdict: the numbers it needs are noise. Keeps tables, chart and metrics.
     *
     * @param problems what {@link #problems()} found
     */
    void inconclusive(List<String> problems) {
        boolean busy = busy();
        String why = busy ? "machine busy" : "noisy measurement";
        this.outcome = Outcome.INCONCLUSIVE;
        this.verdict = "Inconclusive (" + why + "): the numbers this verdict rests on were too noisy to conclude from"
                + (repeatedBecause.isBlank() ? "" : ", also when the experiment was repeated") + ": "
                + String.join("; ", problems) + "."
                + (load == null ? "" : " Meanwhile: " + load.describe() + ".")
                + " Run it again on a quieter machine: tandem lab " + id + ".";
        this.headline = "inconclusive (" + why + ")" + (headline.isBlank() ? "" : "; " + headline);
    }

    /** Adds a note for every metric whose spread is too wide to conclude from. */
    void noteWideSpreads() {
        List<String> wide = new ArrayList<>();
        for (Metric m : metrics.values()) {
            if (m.noisy()) {
                wide.add(m.label()
                        + String.format(
                                Locale.ROOT, " (IQR %s)", spread(m.stats().relativeSpread())));
            }
        }
        if (!wide.isEmpty()) {
            int shown = Math.min(wide.size(), 8);
            note("Noise: the spread of these numbers is too wide to conclude from (IQR > "
                    + Units.percent(Stats.WIDE) + " of the median; the machine was busy or the effect is noisy), "
                    + "so a verdict uses them only where their whole IQR lies on one side of what they are compared "
                    + "with: "
                    + String.join("; ", wide.subList(0, shown))
                    + (wide.size() > shown ? "; and " + (wide.size() - shown) + " more" : "") + ".");
        }
    }

    /**
     * {@return an interquartile range relative to the median, for people: "42 % of the median", or, from
     * ten times the median up, "3,428x the median" (a median near zero made it "3427720 %")}
     */
    static String spread(double relative) {
        return relative >= 10 ? Units.ratio(relative) + " the median" : Units.percent(relative) + " of the median";
    }

    /** {@return a count with its noun in the right number: "1 worker", "2 workers", "1 verdict is"} */
    static String count(long n, String one, String many) {
        return Units.count(n, one, many);
    }
}
