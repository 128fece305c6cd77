package dev.tandem.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A caller's class path as it is shipped to nodes: one entry per jar or class folder, named by the
 * SHA-256 of its content. A folder (such as {@code target/classes}) is packed into a deterministic
 * jar first (entries sorted, one fixed time stamp), so the same classes give the same digest on
 * every run and a node caches them once. Entries that do not exist are left out, as the
 * {@code java} launcher ignores them.
 *
 * <p>Immutable once built. Packing reads every file of the folders: done once per pool start.
 */
final class ClassPathShipment {
    /**
     * One entry.
     *
     * @param name the file name, for messages (a folder's is its path, ending in {@code /})
     * @param digest the SHA-256 of its content, 64 hex digits
     * @param size its size in bytes
     * @param jar the jar's path, or null for a packed folder
     * @param packed the packed folder's bytes, or null for a jar
     */
    record Entry(String name, String digest, long size, Path jar, byte[] packed) {
        /** {@return its content as a stream} */
        InputStream open() throws IOException {
            return jar != null ? Files.newInputStream(jar) : new ByteArrayInputStream(packed);
        }
    }

    /** The time stamp of every packed entry, so that packing is deterministic. */
    private static final LocalDateTime PACKED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private final List<Entry> entries;

    private ClassPathShipment(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Digests (and packs) the class path.
     *
     * @param classPath jar files and folders, in class path order
     * @return the shipment
     * @throws UncheckedIOException if an entry cannot be read
     */
    static ClassPathShipment of(List<String> classPath) {
        List<Entry> out = new ArrayList<>();
        for (String e : classPath) {
            Path p = Path.of(e);
            try {
                if (Files.isDirectory(p)) {
                    byte[] packed = pack(p);
                    out.add(new Entry(p.toAbsolutePath() + "/", sha256(packed), packed.length, null, packed));
                } else if (Files.isRegularFile(p)) {
                    out.add(new Entry(p.getFileName().toString(), sha256(p), Files.size(p), p, null));
                }
            } catch (IOException x) {
                throw new UncheckedIOException("cannot read the class path entry " + e + ": " + x, x);
            }
        }
        return new ClassPathShipment(out);
    }

    List<Entry> entries() {
        return entries;
    }

    /** {@return the digests in class path order} */
    List<String> digests() {
        return entries.stream().map(Entry::digest).toList();
    }

    static byte[] pack(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> !f.equals(dir)).sorted().toList();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Path f : files) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                boolean folder = Files.isDirectory(f);
                ZipEntry z = new ZipEntry(folder ? name + "/" : name);
                z.setTimeLocal(PACKED_TIME);
                zip.putNextEntry(z);
                if (!folder) {
                    Files.copy(f, zip);
                }
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                d.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }
}
