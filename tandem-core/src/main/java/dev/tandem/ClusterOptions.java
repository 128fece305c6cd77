package dev.tandem;

import dev.tandem.spi.DurationWords;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of a {@link Mode#CLUSTER} pool, built by {@link Tandem#cluster} or
 * {@link Tandem#localCluster}. Immutable; validated when built, with messages that name the value
 * and the fix.
 *
 * @param seeds the {@code host:port} of nodes to connect to (any of the cluster's); empty for a local
 *     cluster
 * @param localNodes how many node JVMs a local cluster starts on 127.0.0.1 (children of the caller,
 *     stopped with the pool); 0 for a remote cluster
 * @param clusterName the Hazelcast cluster name the nodes were started with; a namespace, not a
 *     credential
 * @param secretFile the shared secret's file (at least 32 bytes, readable only by its owner), or
 *     null: then every seed must be a loopback address
 * @param minNodes how many nodes {@code start()} waits for
 * @param nodeFailureTimeout how long a node may stay silent (frozen, unreachable) before its tasks
 *     fail with {@link NodeLostException}
 */
public record ClusterOptions(
        List<String> seeds,
        int localNodes,
        String clusterName,
        Path secretFile,
        int minNodes,
        Duration nodeFailureTimeout) {

    /** The fewest bytes a secret file must hold: 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;

    /** The fewest hex digits a secret file of hex digits must hold: two a byte, {@link #MIN_SECRET_BYTES} bytes. */
    public static final int MIN_SECRET_HEX_DIGITS = 2 * MIN_SECRET_BYTES;

    /** The most node JVMs a local cluster starts. */
    public static final int MAX_LOCAL_NODES = 16;

    /** The most bytes a secret file is read for its check; a secret is tens of bytes. */
    private static final long MAX_SECRET_FILE_BYTES = 1 << 20;

    /** host:port: a name or IPv4 address, or an IPv6 address in brackets; a port of 1 to 5 digits. */
    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^\\s:\\[\\]]+):(\\d{1,5})");

    /** Validates every option. */
    public ClusterOptions {
        seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodeFailureTimeout, "nodeFailureTimeout");
        require(!clusterName.isBlank(), "clusterName must not be blank");
        if (localNodes > 0) {
            require(seeds.isEmpty(), "a local cluster has no seeds, was " + seeds);
            require(
                    localNodes <= MAX_LOCAL_NODES,
                    "localCluster(n) starts at most " + MAX_LOCAL_NODES + " nodes on this machine, was " + localNodes);
            require(
                    minNodes >= 1 && minNodes <= localNodes,
                    "minNodes must be between 1 and the " + localNodes + " local nodes, was " + minNodes);
        } else {
            require(localNodes == 0, "localCluster(n) needs n >= 1, was " + localNodes);
            require(!seeds.isEmpty(), "Tandem.cluster(seeds...) needs at least one seed, host:port");
            require(minNodes >= 1, "minNodes must be >= 1, was " + minNodes);
            for (String seed : seeds) {
                checkAddress("seed", seed);
            }
            // was: a start waited 30 s, then "cannot connect ... Are nodes running there", for a name with no address
            List<String> unresolved =
                    seeds.stream().filter(s -> !resolves(host(s))).toList();
            require(
                    unresolved.size() < seeds.size(),
                    (seeds.size() == 1
                                    ? "seed '" + seeds.getFirst() + "': its host " + host(seeds.getFirst())
                                            + " does not resolve"
                                    : "no seed resolves: " + String.join(", ", seeds))
                            + " (no such host name, or no DNS here); give the host name or address of a running node,"
                            + " as its tandem node --bind");
            if (secretFile == null) {
                for (String seed : seeds) {
                    require(
                            isLoopback(host(seed)),
                            "seed " + seed + " is not a loopback address, so the cluster needs a shared secret:"
                                    + " give secretFile(path) (a file of at least " + MIN_SECRET_BYTES
                                    + " random bytes, readable only by you, e.g. `openssl rand -hex 32`)");
                }
            }
        }
        if (secretFile != null) {
            checkSecretFile(secretFile);
        }
        require(
                nodeFailureTimeout.compareTo(Duration.ofSeconds(1)) >= 0
                        && nodeFailureTimeout.compareTo(Duration.ofHours(1)) <= 0,
                "nodeFailureTimeout must be between 1 s and 1 h, was " + DurationWords.of(nodeFailureTimeout));
    }

    /** {@return whether this is a local cluster, started and owned by the pool} */
    public boolean local() {
        return localNodes > 0;
    }

    /**
     * Checks a secret file: it exists; it is the user's own; it holds a secret at all (not text of several
     * words or lines, such as {@code /etc/passwd} or notes); at least {@link #MIN_SECRET_BYTES} bytes of key
     * (a file of hex digits holds half a byte per digit, so it needs at least {@value #MIN_SECRET_HEX_DIGITS}
     * of them, what {@code openssl rand -hex 32} writes); and it is readable only by its owner. A file that is
     * not the user's, or not a secret, is to be replaced, not chmodded: its message says so rather than advise
     * {@code chmod 600} on it.
     *
     * @param file the file
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static void checkSecretFile(Path file) {
        require(Files.isRegularFile(file), "the secret file " + file + " does not exist or is not a file");
        String replace = "; do not change that file: make a secret of your own, openssl rand -hex 32 > FILE;"
                + " chmod 600 FILE, and give that FILE";
        try {
            String owner = Files.getOwner(file).getName();
            String user = System.getProperty("user.name");
            require(
                    user == null || owner.equals(user),
                    "the secret file " + file + " belongs to " + owner + ", not to you (" + user
                            + "): a secret must be a file of your own" + replace);
        } catch (IOException | UnsupportedOperationException e) {
            // no owner to compare on this file system: the other checks still hold
        }
        try {
            long size = Files.size(file);
            require(
                    size <= MAX_SECRET_FILE_BYTES,
                    "the secret file " + file + " holds " + size + " bytes, not a secret (32 random bytes, or "
                            + MIN_SECRET_HEX_DIGITS + " hex digits)" + replace);
            String notASecret = notASecret(Files.readAllBytes(file));
            require(notASecret == null, "the secret file " + file + " " + notASecret + replace);
            require(
                    size >= MIN_SECRET_BYTES,
                    "the secret file " + file + " holds " + size + " bytes, fewer than " + MIN_SECRET_BYTES
                            + ": write at least " + MIN_SECRET_BYTES + " random bytes, e.g. `openssl rand -hex 32 > "
                            + file + "`");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            require(
                    perms.stream()
                            .noneMatch(p ->
                                    p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")),
                    "the secret file " + file + " is readable by others (mode " + PosixFilePermissions.toString(perms)
                            + "): `chmod 600 " + file + "`");
        } catch (IOException e) {
            throw new IllegalArgumentException("the secret file " + file + " cannot be read: " + e, e);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: permissions cannot be checked here
        }
    }

    /**
     * {@return why {@code bytes}, a secret file's contents, are not a secret, or null} Text (printable ASCII)
     * with spaces or line breaks inside is not one; nor is a hex string of fewer than
     * {@value #MIN_SECRET_HEX_DIGITS} digits, as each digit holds half a byte. Random binary bytes and one
     * word of text (base64) pass; their length is checked next. Trailing blanks (a final line break) do not
     * count.
     */
    static String notASecret(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && Character.isWhitespace(bytes[n - 1])) {
            n--;
        }
        boolean text = true;
        boolean hex = n > 0;
        int lines = 1;
        boolean blanks = false;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            text &= (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\r' || b == '\t';
            hex &= Character.digit(b, 16) >= 0;
            lines += b == '\n' ? 1 : 0;
            blanks |= b == ' ' || b == '\t' || b == '\n' || b == '\r';
        }
        if (text && blanks) {
            return "holds text (" + lines + (lines == 1 ? " line" : " lines") + " with spaces or line breaks),"
                    + " not a secret (32 random bytes, or " + MIN_SECRET_HEX_DIGITS + " hex digits)";
        }
        if (text && hex && n < MIN_SECRET_HEX_DIGITS) {
            return "holds " + n + (n == 1 ? " hex digit, " : " hex digits, ") + n / 2
                    + (n / 2 == 1 ? " byte of key" : " bytes of key") + ": a hex secret needs at least "
                    + MIN_SECRET_HEX_DIGITS + " hex digits (" + MIN_SECRET_BYTES + " bytes), as"
                    + " openssl rand -hex 32 writes";
        }
        return null;
    }

    /**
     * Checks a node's address: {@code host:port}, the host a name, an IPv4 address or an IPv6 address
     * in brackets ({@code [::1]:5701}), the port between 1 and 65535. The host is not looked up.
     *
     * @param what what the address is, for the message, such as {@code seed} or {@code --join}
     * @param address the address
     * @throws IllegalArgumentException with a message {@code <what> '<address>': <what is wrong>}
     */
    public static void checkAddress(String what, String address) {
        Matcher m = address == null ? null : ADDRESS.matcher(address);
        require(
                m != null && m.matches(),
                what + " '" + address + "': a node's address is host:port, such as 10.0.0.5:5701 or [::1]:5701");
        int port = Integer.parseInt(m.group(2));
        require(port >= 1 && port <= 65535, what + " '" + address + "': the port must be between 1 and 65535");
    }

    /** {@return the host of an address {@link #checkAddress} accepted, without IPv6 brackets} */
    private static String host(String address) {
        Matcher m = ADDRESS.matcher(address);
        require(m.matches(), "not host:port: " + address);
        String host = m.group(1);
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean resolves(String host) {
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
