package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one experiment found: the note's claim, the method, every metric with its raw samples, tables,
 * one chart, notes on honesty (wide spreads, OS cross-checks, what could not be measured) and a
 * verdict computed from the numbers.
 *
 * <p>Filled by one experiment on the lab's thread, then only read. Not thread-safe.
 */
final class Section {
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
    /** The machine's 1-minute load average when the section ended: how much else wanted the CPUs. */
    double loadAverage = Double.NaN;

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

    Optional<Metric> metric(String key) {
        return Optional.ofNullable(metrics.get(key));
    }

    /** {@return the median of a metric, or NaN if it was not measured} */
    double median(String key) {
        Metric m = metrics.get(key);
        return m == null ? Double.NaN : m.median();
    }

    void note(String text) {
        notes.add(text);
    }

    void verdict(Outcome outcome, String text) {
        this.outcome = outcome;
        this.verdict = text;
    }

    /** Adds a note for every metric whose spread is too wide to conclude from. */
    void noteWideSpreads() {
        List<String> wide = new ArrayList<>();
        for (Metric m : metrics.values()) {
            Stats s = m.stats();
            boolean meaningful = Math.abs(s.median()) > 1e-9 && Double.isFinite(s.relativeSpread());
            if (s.n() >= Stats.MIN_SAMPLES && meaningful && s.relativeSpread() > Stats.WIDE) {
                wide.add(m.label() + String.format(" (IQR %.0f%% of the median)", 100 * s.relativeSpread()));
            }
        }
        if (!wide.isEmpty()) {
            int shown = Math.min(wide.size(), 8);
            note("Spread too wide to conclude from these alone (IQR > " + Math.round(100 * Stats.WIDE)
                    + "% of the median; the machine was busy or the effect is noisy): "
                    + String.join("; ", wide.subList(0, shown))
                    + (wide.size() > shown ? "; and " + (wide.size() - shown) + " more" : "") + ".");
        }
    }
}
