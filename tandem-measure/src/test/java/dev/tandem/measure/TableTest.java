package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    /** Was: a table without rows printed its headers over nothing (the comparison when nothing changed). */
    @Test
    void anEmptyTableWasHeadersOverNothing() {
        Table empty = new Table("Changes", List.of("metric", "before", "now"), List.of());
        assertThat(empty.markdown()).isEqualTo("*Changes*\n\nNone.\n").doesNotContain("| metric");
        assertThat(empty.text()).isEqualTo("Changes\nNone.\n");
        assertThat(empty.html()).contains("<p>None.</p>").doesNotContain("<table>");
        Table one = new Table("", List.of("metric", "now"), List.of(List.of("rss", "40.0 MiB")));
        assertThat(one.markdown()).contains("| rss | 40.0 MiB |").doesNotContain("None.");
    }
}
