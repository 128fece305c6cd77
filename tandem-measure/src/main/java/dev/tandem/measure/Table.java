package dev.tandem.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table of a report: a caption, column headers and cells, written as Markdown, HTML or aligned
 * plain text for a terminal. One row may be marked (the recommended model, say): Markdown sets it
 * in bold, HTML gives it the class {@code mark}, text puts a {@code >} before it. A table without rows
 * is written as "None." under its caption, in every form: headers over nothing read as a rendering fault.
 * Immutable.
 *
 * @param title the caption, or "" for none
 * @param columns the column headers
 * @param rows the cells, row by row; shorter rows are padded with empty cells
 * @param marked the index of the marked row, or -1
 */
public record Table(String title, List<String> columns, List<List<String>> rows, int marked) {
    /** What a table without rows prints instead of its headers over nothing. */
    public static final String NONE = "None.";

    /** Copies the lists. */
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
    }

    /** A table without a marked row. */
    public Table(String title, List<String> columns, List<List<String>> rows) {
        this(title, columns, rows, -1);
    }

    /** {@return a GitHub-flavoured Markdown table, its caption in italics above it} */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        if (!title.isBlank()) {
            md.append('*').append(mdCell(title)).append("*\n\n");
        }
        if (rows.isEmpty()) {
            return md.append(NONE).append('\n').toString();
        }
        md.append("| ")
                .append(String.join(" | ", columns.stream().map(Table::mdCell).toList()))
                .append(" |\n|");
        md.append("---|".repeat(columns.size())).append('\n');
        for (int r = 0; r < rows.size(); r++) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                String cell = c < rows.get(r).size() ? mdCell(rows.get(r).get(c)) : "";
                cells.add(r == marked && !cell.isBlank() ? "**" + cell + "**" : cell);
            }
            md.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return md.toString();
    }

    /** {@return an HTML table in a horizontally scrolling box; cells that hold numbers align right} */
    public String html() {
        if (rows.isEmpty()) {
            return (title.isBlank() ? "" : "<p class=\"caption\">" + Page.esc(title) + "</p>\n") + "<p>" + NONE
                    + "</p>\n";
        }
        StringBuilder b = new StringBuilder("<div class=\"scroll\"><table>");
        if (!title.isBlank()) {
            b.append("<caption>").append(Page.esc(title)).append("</caption>");
        }
        b.append("<tr>");
        columns.forEach(c -> b.append("<th>").append(Page.esc(c)).append("</th>"));
        b.append("</tr>\n");
        for (int r = 0; r < rows.size(); r++) {
            b.append(r == marked ? "<tr class=\"mark\">" : "<tr>");
            for (int c = 0; c < columns.size(); c++) {
                String cell = c < rows.get(r).size() ? rows.get(r).get(c) : "";
                b.append(numeric(cell) ? "<td class=\"num\">" : "<td>")
                        .append(Page.esc(cell))
                        .append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</table></div>\n").toString();
    }

    /**
     * {@return the table as aligned plain text, two spaces between columns: columns of numbers align
     * right, the others left; the marked row starts with {@code >}}
     */
    public String text() {
        if (rows.isEmpty()) {
            return (title.isBlank() ? "" : title + "\n") + NONE + "\n";
        }
        List<List<String>> all = new ArrayList<>();
        all.add(columns);
        all.addAll(rows);
        int[] widths = new int[columns.size()];
        boolean[] right = new boolean[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            right[c] = c > 0 && !rows.isEmpty();
            for (List<String> r : all) {
                String cell = c < r.size() ? r.get(c) : "";
                widths[c] = Math.max(widths[c], cell.length());
                if (r != columns && !cell.isEmpty() && !numeric(cell)) {
                    right[c] = false;
                }
            }
        }
        StringBuilder b = new StringBuilder();
        if (!title.isBlank()) {
            b.append(title).append('\n');
        }
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            StringBuilder line = new StringBuilder(marked < 0 ? "" : r > 0 && r - 1 == marked ? "> " : "  ");
            for (int c = 0; c < widths.length; c++) {
                String cell = c < row.size() ? row.get(c) : "";
                String format = (right[c] ? "%" : "%-") + widths[c] + "s";
                line.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, format, cell));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /** {@return true for a number with or without a unit, such as {@code 1,235}, {@code 17.8 µs}, {@code 1.69×}} */
    static boolean numeric(String cell) {
        return cell.matches("-?[0-9][0-9,.]*( ?[a-zA-Zµ×%/]+)?( \\(.*\\))?") || cell.equals("n/a") || cell.equals("-");
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
