package dev.tandem.cluster;

import dev.tandem.ClusterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's shared secret, and the seal every message between a caller and a node carries:
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) over the whole message, appended as its last 32 bytes. A
 * message whose seal does not verify is refused before anything in it is read.
 *
 * <p>Without a secret (nodes bound to loopback only) the key is a fixed, public one: the seal then
 * only detects corruption, and the loopback bind is the protection. Thread-safe: each thread keeps
 * its own {@link Mac}.
 */
final class Secret {
    static final int SEAL_BYTES = 32;

    /** The fingerprint of a node without a secret. */
    static final String NO_SECRET = "none";

    private static final String ALGORITHM = "HmacSHA256";
    /** The key of clusters without a secret: public, so it authenticates nothing. */
    private static final byte[] LOOPBACK_KEY = "tandem: loopback only, no secret".getBytes(StandardCharsets.US_ASCII);

    /** What a fingerprint is the HMAC of. */
    private static final byte[] FINGERPRINT_TEXT =
            "tandem: member fingerprint of the cluster's secret".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    /** Where the secret came from, for messages: a file, "a random secret", or "no secret". */
    private final String origin;

    private final ThreadLocal<Mac> macs;
    /** See {@link #fingerprint()}. */
    private final String fingerprint;

    private Secret(byte[] keyBytes, String origin) {
        this.key = new SecretKeySpec(keyBytes, ALGORITHM);
        this.origin = origin;
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.fingerprint = isNone() ? NO_SECRET : HexFormat.of().formatHex(newMac().doFinal(FINGERPRINT_TEXT), 0, 16);
    }

    /** {@return the secret of a cluster without one: loopback only} */
    static Secret none() {
        return new Secret(LOOPBACK_KEY, "no secret (loopback only)");
    }

    /**
     * Reads a secret file: its bytes, less trailing whitespace, are the key (so the 64 hex digits of
     * {@code openssl rand -hex 32} work as they are).
     *
     * @throws IllegalArgumentException if the file is unfit (see {@code ClusterOptions.checkSecretFile})
     */
    static Secret fromFile(Path file) {
        ClusterOptions.checkSecretFile(file);
        try {
            byte[] bytes = Files.readAllBytes(file);
            int n = bytes.length;
            while (n > 0 && Character.isWhitespace(bytes[n - 1])) {
                n--;
            }
            return new Secret(Arrays.copyOf(bytes, n), "the secret file " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalArgumentException("the secret file " + file + " cannot be read: " + e, e);
        }
    }

    /** {@return a secret of these bytes, described as {@code origin}} */
    static Secret of(byte[] key, String origin) {
        return new Secret(key.clone(), origin);
    }

    String origin() {
        return origin;
    }

    /** {@return whether this is the public key of a cluster without a secret ({@link #none()})} */
    boolean isNone() {
        return Arrays.equals(key.getEncoded(), LOOPBACK_KEY);
    }

    /**
     * {@return what a node announces to the other members of its cluster (a Hazelcast member
     * attribute) so that a node or a caller with another secret, or none, is told apart at once}
     * {@value #NO_SECRET} without a secret, else the hex of the first 16 bytes of HMAC-SHA256 of a
     * fixed text under the secret: it tells secrets apart without revealing one (the secret is at
     * least 32 random bytes). It authenticates nothing, since any member can read and repeat it: it
     * catches a mistake (a node started without {@code --secret-file}, or with another file), not an
     * attacker, whom only the seal of every message stops.
     */
    String fingerprint() {
        return fingerprint;
    }

    /**
     * {@return how a member with {@code theirs} differs from one with {@code mine}, as in "that node
     * has ... and this one ..."}
     */
    static String difference(String theirs, String mine) {
        if (theirs == null) {
            return "announces no Tandem secret fingerprint (it is not a node of this Tandem build)";
        }
        if (NO_SECRET.equals(theirs)) {
            return "has no secret and this one has one";
        }
        return NO_SECRET.equals(mine) ? "has a secret and this one has none" : "has another secret than this one";
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** {@return {@code body} with its seal appended} */
    byte[] seal(byte[] body) {
        Mac mac = macs.get();
        mac.update(body);
        byte[] out = Arrays.copyOf(body, body.length + SEAL_BYTES);
        try {
            mac.doFinal(out, body.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * {@return the body of a sealed message, or null if its seal does not verify} Compares in
     * constant time.
     */
    byte[] open(byte[] sealed) {
        if (sealed == null || sealed.length < SEAL_BYTES) {
            return null;
        }
        int n = sealed.length - SEAL_BYTES;
        Mac mac = macs.get();
        mac.update(sealed, 0, n);
        byte[] expected = mac.doFinal();
        byte[] given = Arrays.copyOfRange(sealed, n, sealed.length);
        return MessageDigest.isEqual(expected, given) ? Arrays.copyOf(sealed, n) : null;
    }
}
