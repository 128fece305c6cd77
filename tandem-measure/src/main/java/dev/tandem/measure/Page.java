package dev.tandem.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The one HTML writer of the lab's and the advisor's reports: a self-contained page that opens
 * offline and on a phone, with Apache ECharts inlined from its webjar. Callers add blocks in order
 * (headings, paragraphs, a load banner, tables, charts); {@link #html()} puts them into the page
 * template ({@code page.html} beside this class), which shares one look between both reports.
 *
 * <p>Charts: each is an ECharts option drawn with the SVG renderer. Its title and legend are
 * written as HTML above the drawing (they wrap on a phone instead of being cut), and the series get
 * fixed colours so that the legend matches. Once drawn, the page marks the chart element with
 * {@code data-rendered}, {@code data-clipped} (labels that stick out of the chart),
 * {@code data-overlaps} (labels that cover each other) and {@code data-missing-categories} (categories
 * of a category axis not drawn as labels), which the render tests read.
 *
 * <p>Not thread-safe; one page per report.
 */
public final class Page {
    /** ECharts' default palette, so that charts look as ECharts users expect. */
    private static final List<String> PALETTE =
            List.of("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc");

    private static final String ECHARTS = "META-INF/resources/webjars/echarts/%s/dist/echarts.min.js";

    private final String title;
    private final String generator;
    private final StringBuilder body = new StringBuilder();
    private final ArrayNode charts = Json.MAPPER.createArrayNode();

    /**
     * @param title the page's title (the browser tab)
     * @param generator what wrote it, such as {@code tandem lab}
     */
    public Page(String title, String generator) {
        this.title = title;
        this.generator = generator;
    }

    /** Appends HTML as it is; the caller escapes what it interpolates. */
    public Page raw(String html) {
        body.append(html);
        return this;
    }

    /** Appends a paragraph of text (escaped) with an optional class. */
    public Page paragraph(String text, String cssClass) {
        body.append(cssClass == null || cssClass.isBlank() ? "<p>" : "<p class=\"" + cssClass + "\">")
                .append(esc(text))
                .append("</p>\n");
        return this;
    }

    /** Appends a heading of level 2 or 3 (escaped), with an anchor id when {@code id} is not null. */
    public Page heading(int level, String id, String text) {
        body.append("<h")
                .append(level)
                .append(id == null ? "" : " id=\"" + esc(id) + "\"")
                .append('>')
                .append(esc(text))
                .append("</h")
                .append(level)
                .append(">\n");
        return this;
    }

    /** Appends the load banner: a warning that the machine was busy, with what was measured. */
    public Page banner(String headline, String text) {
        body.append("<div class=\"banner\" role=\"note\"><strong>")
                .append(esc(headline))
                .append("</strong>")
                .append(esc(text))
                .append("</div>\n");
        return this;
    }

    /** Appends a bulleted list (escaped items) with an optional class; nothing when empty. */
    public Page list(List<String> items, String cssClass) {
        if (!items.isEmpty()) {
            body.append(cssClass == null || cssClass.isBlank() ? "<ul>" : "<ul class=\"" + cssClass + "\">");
            items.forEach(i -> body.append("<li>").append(esc(i)).append("</li>"));
            body.append("</ul>\n");
        }
        return this;
    }

    /** Appends a table. */
    public Page table(Table t) {
        body.append(t.html());
        return this;
    }

    /**
     * Appends a chart.
     *
     * @param id unique on the page, used in the element id {@code chart-ID}
     * @param option the ECharts option (copied; its {@code title} and {@code legend} become HTML)
     * @param caption the text under the chart
     */
    public Page chart(String id, JsonNode option, String caption) {
        ObjectNode o = (ObjectNode) option.deepCopy();
        String heading = takeTitle(o);
        Map<String, String> colors = colorSeries(o);
        o.remove("legend");
        body.append("<figure class=\"chart-box\">");
        if (!heading.isBlank()) {
            body.append("<p class=\"chart-title\">").append(esc(heading)).append("</p>");
        }
        if (colors.size() > 1) {
            body.append("<ul class=\"legend\">");
            colors.forEach((name, color) -> body.append("<li><i style=\"background:")
                    .append(esc(color))
                    .append("\"></i>")
                    .append(esc(name))
                    .append("</li>"));
            body.append("</ul>");
        }
        body.append("<div class=\"chart\" id=\"chart-")
                .append(esc(id))
                .append("\" role=\"img\" aria-label=\"")
                .append(esc(heading))
                .append("\"></div></figure>\n");
        if (caption != null && !caption.isBlank()) {
            body.append("<p class=\"caption\">").append(esc(caption)).append("</p>\n");
        }
        charts.addObject().put("id", id).set("option", o);
        return this;
    }

    /** {@return the whole page} */
    public String html() {
        String template = resource("page.html");
        try {
            return template.replace("{{TITLE}}", esc(title))
                    .replace("{{GENERATOR}}", esc(generator))
                    .replace("{{CHARTS}}", scriptSafe(Json.MAPPER.writeValueAsString(charts)))
                    .replace("{{ECHARTS}}", scriptSafe(echarts()))
                    .replace("{{BODY}}", body.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Proves a report directory can be created and written, by creating it if needed and writing a file
     * into it once, so that a run fails before it measures anything rather than after. It leaves nothing
     * behind: the probe file is deleted, and so are the directories it had to create, so that a run
     * refused later (a bad task, a failed measurement) leaves no empty report directory; the report's
     * writer creates them again.
     *
     * @return {@code dir}
     * @throws IllegalArgumentException naming the directory and why: "DIR: cannot create or write this
     *         directory (permission denied); give a writable directory"
     */
    public static Path prepareDirectory(Path dir) {
        if (dir.toString().isBlank()) {
            throw new IllegalArgumentException("'" + dir + "': an empty path; give a writable directory");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            // was "is a file" for /dev/null too: a device is no file to overwrite
            throw new IllegalArgumentException(dir
                    + (Files.isRegularFile(dir)
                            ? ": is a file, not a directory"
                            : ": is not a directory (a device, pipe or other special file)")
                    + "; give a writable directory");
        }
        Path created = null; // the outermost directory this call creates
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            created = p;
        }
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".tandem-", ".probe"));
            for (Path p = dir.toAbsolutePath();
                    created != null && p != null && p.startsWith(created);
                    p = p.getParent()) {
                Files.deleteIfExists(p);
            }
            return dir;
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(
                    dir + ": cannot create or write this directory" + Units.why(e) + "; give a writable directory", e);
        }
    }

    /**
     * As {@link #prepareDirectory(Path)}, and refuses a directory where writing the report would overwrite
     * files this command did not write: {@code tandem advise --report tandem-report} replaced the lab's
     * report. A file of {@code files} that exists counts as this command's own only if the directory's
     * {@code results.json} names this command's format ({@code "format"} or {@code "schema"} starting with
     * {@code format}), so a report is rewritten by the command that wrote it, and nothing else is touched.
     *
     * @param format the start of the format of the {@code results.json} this command writes, such as
     *        {@code "tandem-advise/"}
     * @param command the command, for the message, such as "tandem advise"
     * @param files the names of the files the command writes into the directory
     * @return {@code dir}
     * @throws IllegalArgumentException naming the file and whose it is: "DIR/index.html: a report of another
     *         program (results.json: tandem-lab-results/2), which tandem advise would overwrite; give another
     *         directory"
     */
    public static Path prepareDirectory(Path dir, String format, String command, List<String> files) {
        prepareDirectory(dir);
        String owner = formatOf(dir.resolve("results.json"));
        if (owner != null && owner.startsWith(format)) {
            return dir;
        }
        for (String name : files) {
            Path f = dir.resolve(name);
            if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(f + ": "
                        + (owner != null
                                ? "a report of another command (results.json: " + owner + ")"
                                : "a file that " + command + " did not write")
                        + ", which " + command + " would overwrite; give another directory");
            }
        }
        return dir;
    }

    /**
     * {@return where to write the report at the end of a run: {@code dir} if it is still free or this command's own,
     * else the first of {@code dir-1}, {@code dir-2}, ... that does not exist yet} {@link #prepareDirectory(Path, String, String,
     * List)} checked {@code dir} before the run; another command may have written its report there since (was: an
     * advisor's report written into the lab's output directory while the lab ran was overwritten when the lab
     * finished). Neither report is lost: the caller says where this one went.
     *
     * @param dir the directory checked before the run
     * @param format as for {@link #prepareDirectory(Path, String, String, List)}
     * @param command as for {@link #prepareDirectory(Path, String, String, List)}
     * @param files as for {@link #prepareDirectory(Path, String, String, List)}
     * @throws IllegalArgumentException if no such directory can be made or written (its message as there)
     */
    public static Path stillOurs(Path dir, String format, String command, List<String> files) {
        try {
            return prepareDirectory(dir, format, command, files);
        } catch (IllegalArgumentException taken) {
            Path parent = dir.toAbsolutePath().getParent();
            String name =
                    dir.getFileName() == null ? "report" : dir.getFileName().toString();
            for (int i = 1; i < 1000; i++) {
                Path other = parent.resolve(name + "-" + i);
                if (!Files.exists(other, LinkOption.NOFOLLOW_LINKS)) {
                    return prepareDirectory(other, format, command, files);
                }
            }
            throw taken;
        }
    }

    /** {@return the "format" or "schema" field of a results file, or null if there is none or it is no such file} */
    private static String formatOf(Path results) {
        if (!Files.isRegularFile(results)) {
            return null;
        }
        try {
            JsonNode root = Json.MAPPER.readTree(results.toFile());
            String f = root.path("format").asText(root.path("schema").asText(""));
            return f.isEmpty() ? null : f;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@return a coloured badge such as "supported" or "recommended"; its class is {@code o-LABEL}} */
    public static String badge(String label) {
        return "<span class=\"badge o-" + esc(label.replace(' ', '-')) + "\">" + esc(label) + "</span>";
    }

    /** {@return the title text of the option, removed from it; for several titles only the first} */
    private static String takeTitle(ObjectNode o) {
        JsonNode t = o.path("title");
        if (t.isArray()) {
            String text = t.path(0).path("text").asText("");
            ((ArrayNode) t).remove(0);
            return text;
        }
        o.remove("title");
        return t.path("text").asText("");
    }

    /** Gives every series a fixed colour, one per distinct name; returns the legend, name to colour. */
    private static Map<String, String> colorSeries(ObjectNode o) {
        Map<String, String> colors = new LinkedHashMap<>();
        for (JsonNode s : o.path("series")) {
            ObjectNode series = (ObjectNode) s;
            String name = series.path("name").asText("");
            String given = series.path("itemStyle").path("color").asText("");
            String color = colors.computeIfAbsent(
                    name, n -> given.isEmpty() ? PALETTE.get(colors.size() % PALETTE.size()) : given);
            Charts.obj(series, "itemStyle").put("color", color);
            if (series.path("type").asText().equals("line")) {
                Charts.obj(series, "lineStyle").put("color", color);
            } else if (series.path("type").asText().equals("boxplot")) {
                Charts.obj(series, "itemStyle").put("borderColor", color).put("color", "#ffffff");
            }
        }
        return colors;
    }

    /** {@return the version of the charting library inlined into every page} */
    public static String echartsVersion() {
        return versions().getProperty("echarts.version", "5.3.1");
    }

    /** {@return Tandem's version, from the build} */
    public static String tandemVersion() {
        return versions().getProperty("tandem.version", "unknown");
    }

    private static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = Page.class.getResourceAsStream("measure.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // versions stay unknown
        }
        return p;
    }

    /** {@return the ECharts library, read from the webjar on the class path} */
    static String echarts() {
        String path = String.format(Locale.ROOT, ECHARTS, echartsVersion());
        ClassLoader cl = Page.class.getClassLoader();
        try (InputStream in = cl == null ? ClassLoader.getSystemResourceAsStream(path) : cl.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the charting library " + path + " is not on the class path (webjar "
                        + "org.webjars.npm:echarts:" + echartsVersion() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Page.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Keeps text inside a script element from closing it early: only {@code </script} and {@code <!--}
     * matter to the HTML parser, and their escaped forms mean the same inside JS strings and regexes.
     */
    static String scriptSafe(String js) {
        return js.replaceAll("(?i)</script", "<\\\\/script").replace("<!--", "<\\!--");
    }

    /** {@return {@code s} with {@code < > & "} escaped for HTML text and attributes; "" for null} */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
