package dev.tandem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds a base folder where a pool folder's control socket has a path short enough for a Unix
 * domain socket address: Linux's {@code sun_path} holds 108 bytes, the final NUL included
 * ({@code unix(7)}), so the path may have at most {@link #MAX_SOCKET_PATH_BYTES} bytes.
 *
 * <h2>Order</h2>
 * <ol>
 * <li>{@code java.io.tmpdir}, when it fits: the usual case.
 * <li>{@code $XDG_RUNTIME_DIR}, a per-user {@code 0700} folder made for sockets (the XDG Base
 * Directory Specification), when set, a folder of this user, and short enough.
 * <li>{@code /tmp/tandem-<uid>}, created {@code 0700} if missing, and used only if it is a real
 * folder (not a link) of this user with exactly those permissions, so that no other user can plant
 * or read anything there.
 * </ol>
 * Pool folders in a fallback are swept like those in {@code java.io.tmpdir} (by the next pool
 * created there). If nothing fits, the error names the socket's path, the limit and what to do.
 *
 * <p>Stateless and thread-safe.
 */
final class SocketRoom {
    /** The longest path of a Unix domain socket: {@code sun_path}'s 108 bytes less the final NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;
    /** The socket's file name in its pool folder. */
    static final String SOCKET_NAME = "control.sock";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private SocketRoom() {}

    /** {@return the bytes of the socket's path for a pool folder {@code name} in {@code base}} */
    static int socketPathBytes(Path base, String name) {
        return base.resolve(name).resolve(SOCKET_NAME).toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * {@return the base folder for a pool folder named {@code name}}
     *
     * @param tmpdir {@code java.io.tmpdir}, absolute
     * @param runtimeDir {@code $XDG_RUNTIME_DIR}, or null
     * @param shortTmp where the last fallback is created, {@code /tmp}
     * @throws IOException if no candidate fits
     */
    static Path baseFor(Path tmpdir, String name, String runtimeDir, Path shortTmp) throws IOException {
        if (socketPathBytes(tmpdir, name) <= MAX_SOCKET_PATH_BYTES) {
            return tmpdir;
        }
        List<String> tried = new ArrayList<>();
        long uid = uid();
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            Path run = Path.of(runtimeDir).toAbsolutePath();
            if (socketPathBytes(run, name) <= MAX_SOCKET_PATH_BYTES && isPrivate(run, uid)) {
                return run;
            }
            tried.add(run + " ($XDG_RUNTIME_DIR)");
        }
        Path own = shortTmp.toAbsolutePath().resolve("tandem-" + uid);
        if (socketPathBytes(own, name) <= MAX_SOCKET_PATH_BYTES) {
            try {
                Files.createDirectory(own, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                // made by an earlier pool of this user, or planted: checked below
            } catch (IOException e) {
                tried.add(own + " (" + e + ")");
            }
            if (isPrivate(own, uid)) {
                return own;
            }
            tried.add(own + " (not a 0700 folder of uid " + uid + ")");
        } else {
            tried.add(own + " (too long too)");
        }
        throw new IOException("the pool's control socket "
                + tmpdir.resolve(name).resolve(SOCKET_NAME) + " would be "
                + socketPathBytes(tmpdir, name) + " bytes long, over the " + MAX_SOCKET_PATH_BYTES
                + " bytes a Unix domain socket path may have (sun_path is 108 bytes), and no short private fallback"
                + " could be used: " + String.join("; ", tried) + ". Start the JVM with a shorter"
                + " -Djava.io.tmpdir (at most " + (MAX_SOCKET_PATH_BYTES - 1 - name.length() - 1 - SOCKET_NAME.length())
                + " bytes), or set XDG_RUNTIME_DIR to a short folder of yours");
    }

    /** {@return whether {@code dir} is a folder (not a link) owned by {@code uid}, mode 0700} */
    static boolean isPrivate(Path dir, long uid) {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == uid
                    && Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)
                            .equals(EnumSet.copyOf(OWNER_ONLY));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@return this process's user id: the owner of {@code /proc/self}} */
    static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
