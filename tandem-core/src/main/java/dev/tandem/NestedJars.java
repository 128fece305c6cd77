package dev.tandem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Turns code that lives inside another jar (a Spring Boot executable jar's {@code BOOT-INF/lib/*.jar}
 * and {@code BOOT-INF/classes/}, or any {@code jar:...!/inner.jar!/} URL) into plain jar files that a
 * worker JVM can put on its class path.
 *
 * <p><b>Cache.</b> Extracted jars live in {@code $XDG_CACHE_HOME/tandem/jars} or
 * {@code ~/.cache/tandem/jars} (owner-only), content-addressed: the folder name is a digest of the
 * names, CRC-32s and sizes of what was extracted, read from the outer jar's central directory
 * without reading the content, so a second start of the same application extracts nothing and its
 * AOT cache key stays the same. A file is written under a temporary name and moved into place
 * atomically, so concurrent callers never see half a jar. Nothing is deleted: a new build of the
 * application makes new folders (clean the cache folder by hand if it grows).
 *
 * <p>Stateless and thread-safe.
 */
final class NestedJars {
    private NestedJars() {}

    /**
     * {@return a plain jar with the content of {@code entry} in {@code outer}} An entry ending in
     * {@code .jar} is copied out; an entry ending in {@code /} (a folder of classes) is packed into a
     * new jar, with the folder's prefix removed from the names.
     *
     * @param outer the outer jar file
     * @param entry the entry's name in it, such as {@code BOOT-INF/lib/x.jar} or {@code BOOT-INF/classes/}
     * @throws IOException if the outer jar cannot be read or the cache cannot be written
     */
    static Path extract(Path outer, String entry) throws IOException {
        try (ZipFile zip = new ZipFile(outer.toFile())) {
            if (!entry.endsWith("/")) {
                ZipEntry e = zip.getEntry(entry);
                if (e == null) {
                    throw new IOException(outer + " has no entry " + entry);
                }
                Path target = cacheDir(digest(List.of(e))).resolve(fileName(entry));
                if (!Files.isRegularFile(target)) {
                    try (InputStream in = zip.getInputStream(e)) {
                        publish(target, out -> in.transferTo(out));
                    }
                }
                return target;
            }
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().startsWith(entry) && !e.isDirectory()) {
                    entries.add(e);
                }
            }
            String outerName = outer.getFileName().toString().replaceFirst("\\.jar$", "");
            Path target = cacheDir(digest(entries))
                    .resolve(outerName + "-"
                            + entry.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("-$", "") + ".jar")
                    .normalize();
            if (!Files.isRegularFile(target)) {
                publish(target, out -> {
                    try (ZipOutputStream z = new ZipOutputStream(out)) {
                        for (ZipEntry e : entries) {
                            z.putNextEntry(new ZipEntry(e.getName().substring(entry.length())));
                            try (InputStream in = zip.getInputStream(e)) {
                                in.transferTo(z);
                            }
                            z.closeEntry();
                        }
                    }
                });
            }
            return target;
        }
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void publish(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-"
                + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        try (OutputStream out = Files.newOutputStream(tmp)) {
            writer.write(out);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String fileName(String entry) {
        return entry.substring(entry.lastIndexOf('/') + 1);
    }

    private static String digest(List<ZipEntry> entries) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (ZipEntry e : entries) {
                d.update(
                        (e.getName() + "\0" + e.getCrc() + "\0" + e.getSize() + "\0").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Path cacheDir(String digest) throws IOException {
        Path dir = cacheRoot().resolve(digest);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    /** {@return {@code $XDG_CACHE_HOME/tandem/jars} or {@code ~/.cache/tandem/jars}} */
    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tandem").resolve("jars");
    }
}
