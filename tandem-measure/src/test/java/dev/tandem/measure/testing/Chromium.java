package dev.tandem.measure.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Headless Chromium for the render tests of the lab's and the advisor's reports: loads a page at a
 * given window size, dumps the DOM after the charts are drawn, takes screenshots, and reads back
 * what the page's own script found ({@code data-rendered}, {@code data-clipped},
 * {@code data-overlaps}, {@code data-missing-categories} on each chart, {@code data-overflow} on the body).
 *
 * <p>Headless Chromium will not make a window narrower than {@value #NARROWEST} CSS pixels, so a
 * phone's width is emulated with a wrapper page that loads the page in an {@code iframe} of that width
 * and, once its charts are drawn, copies the iframe's DOM out for {@code --dump-dom}.
 *
 * <p>Each run gets a fresh profile directory, deleted afterwards; the browser and its children are
 * killed if they outlive the run. Debian's {@code chromium} at {@link #BINARY}.
 */
public final class Chromium {
    /** Where Debian installs it. */
    public static final Path BINARY = Path.of("/usr/bin/chromium");

    /** A desktop window. */
    public static final int[] DESKTOP = {1280, 900};
    /** A phone's window (an iPhone 12-14 is 390 CSS pixels wide). */
    public static final int[] PHONE = {390, 844};
    /** The narrowest window headless Chromium lays a page out in. */
    public static final int NARROWEST = 500;

    private Chromium() {}

    /** {@return the DOM of {@code html} after its scripts ran, in a window of {@code size}} */
    public static String dumpDom(Path html, int[] size) throws IOException, InterruptedException {
        if (size[0] >= NARROWEST) {
            return run(html, "--dump-dom", "--window-size=" + size[0] + "," + size[1]);
        }
        Path wrapper = narrow(html, size);
        try {
            String outer = run(
                    wrapper,
                    "--dump-dom",
                    "--allow-file-access-from-files",
                    "--window-size=" + NARROWEST + "," + (size[1] + 40));
            Matcher inner = Pattern.compile("(?s)<textarea id=\"inner\">(.*)</textarea>")
                    .matcher(outer);
            if (!inner.find()) {
                throw new IOException("the narrow page did not report its DOM: " + outer);
            }
            return unescape(inner.group(1));
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }

    /** Writes a screenshot of the first {@code size[1]} pixels of {@code html} to {@code png}. */
    public static void screenshot(Path html, Path png, int[] size) throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        if (size[0] >= NARROWEST) {
            run(
                    html,
                    "--screenshot=" + png.toAbsolutePath(),
                    "--window-size=" + size[0] + "," + size[1],
                    "--hide-scrollbars");
            return;
        }
        Path wrapper = narrow(html, size);
        try {
            run(
                    wrapper,
                    "--screenshot=" + png.toAbsolutePath(),
                    "--allow-file-access-from-files",
                    "--window-size=" + NARROWEST + "," + size[1],
                    "--hide-scrollbars");
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }

    /** A page that shows {@code html} in an iframe of {@code size} and copies out its DOM once drawn. */
    private static Path narrow(Path html, int[] size) throws IOException {
        Path wrapper = Files.createTempFile("narrow-", ".html");
        Files.writeString(wrapper, """
                <!doctype html><html><body style="margin:0">
                <iframe id="page" src="%s" style="width:%dpx;height:%dpx;border:0;display:block"></iframe>
                <textarea id="inner"></textarea>
                <script>
                (function wait() {
                  var d = document.getElementById('page').contentDocument;
                  var body = d && d.body;
                  var charts = body ? d.querySelectorAll('.chart') : [];
                  var done = body && body.hasAttribute('data-charts') && Array.prototype.every.call(charts,
                      function (c) { return c.hasAttribute('data-labels') || c.hasAttribute('data-error'); });
                  if (done) {
                    document.getElementById('inner').textContent = d.documentElement.outerHTML;
                  } else {
                    setTimeout(wait, 100);
                  }
                })();
                </script></body></html>
                """.formatted(html.toAbsolutePath().toUri(), size[0], size[1]));
        return wrapper;
    }

    /** {@return the attributes of every chart element of the DOM, by chart id (without "chart-")} */
    public static Map<String, Map<String, String>> charts(String dom) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Matcher tag = Pattern.compile("<div\\b([^>]*\\bclass=\"chart\"[^>]*)>").matcher(dom);
        while (tag.find()) {
            Map<String, String> attrs = attributes(tag.group(1));
            out.put(attrs.getOrDefault("id", "?").replaceFirst("^chart-", ""), attrs);
        }
        return out;
    }

    /** {@return the attributes of the body element} */
    public static Map<String, String> body(String dom) {
        Matcher tag = Pattern.compile("<body\\b([^>]*)>").matcher(dom);
        return tag.find() ? attributes(tag.group(1)) : Map.of();
    }

    /**
     * {@return what is wrong with the page as drawn, one line per finding: a chart not drawn or with
     * fewer than 20 SVG nodes, a label outside its chart, labels that cover each other, a category of a
     * category axis not drawn as a label (hidden, or dropped for want of room), a page wider than the
     * window; empty if nothing is}
     */
    public static List<String> problems(String dom) {
        List<String> out = new ArrayList<>();
        charts(dom).forEach((id, a) -> {
            if (!"true".equals(a.get("data-rendered"))) {
                out.add(id + ": not drawn (" + a.getOrDefault("data-error", "no error recorded") + ")");
                return;
            }
            if (Integer.parseInt(a.getOrDefault("data-svg-nodes", "0")) < 20) {
                out.add(id + ": only " + a.get("data-svg-nodes") + " SVG nodes");
            }
            if (!"0".equals(a.get("data-clipped"))) {
                out.add(id + ": " + a.get("data-clipped") + " label(s) outside the chart: "
                        + unescape(a.get("data-clipped-labels")));
            }
            if (!a.containsKey("data-missing-categories")) {
                out.add(id + ": the page did not check that its category axes show their labels");
            } else if (!"0".equals(a.get("data-missing-categories"))) {
                out.add(id + ": " + a.get("data-missing-categories") + " of " + a.get("data-categories")
                        + " category label(s) not drawn on their axis: "
                        + unescape(a.get("data-missing-category-labels")));
            }
            if (!"0".equals(a.get("data-overlaps"))) {
                out.add(id + ": " + a.get("data-overlaps") + " pair(s) of labels cover each other: "
                        + unescape(a.get("data-overlapping-labels")));
            }
        });
        String overflow = body(dom).getOrDefault("data-overflow", "0");
        if (!overflow.equals("0")) {
            out.add("the page is " + overflow + " px wider than the window");
        }
        return out;
    }

    private static Map<String, String> attributes(String tagBody) {
        Map<String, String> attrs = new LinkedHashMap<>();
        Matcher a = Pattern.compile("([\\w-]+)=\"([^\"]*)\"").matcher(tagBody);
        while (a.find()) {
            attrs.put(a.group(1), a.group(2));
        }
        return attrs;
    }

    private static String unescape(String s) {
        return s == null
                ? ""
                : s.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&");
    }

    private static String run(Path html, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> cmd = new ArrayList<>(List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=15000"));
        cmd.addAll(List.of(args));
        cmd.add(html.toAbsolutePath().toUri().toString());
        Path out = Files.createTempFile("chromium-", ".out");
        Path err = Files.createTempFile("chromium-", ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new IOException("chromium did not finish in 180 s; stderr: " + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            deleteTree(profile);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temp profile left behind is harmless
        }
    }
}
