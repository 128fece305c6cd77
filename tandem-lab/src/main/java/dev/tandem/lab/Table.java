package dev.tandem.lab;

import java.util.List;

/**
 * A table of a report section: derived from the metrics of that section, or of observations that are
 * not numbers (such as what happened to a pool after a fault).
 *
 * @param title the caption
 * @param columns the column headers
 * @param rows the cells, row by row
 */
record Table(String title, List<String> columns, List<List<String>> rows) {
    Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
    }
}
