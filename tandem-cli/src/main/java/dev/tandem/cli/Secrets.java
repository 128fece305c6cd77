package dev.tandem.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code tandem node --secret-file} checks before the cluster's own check
 * ({@code ClusterOptions.checkSecretFile}, which advises {@code chmod 600} for a file others can read):
 * that the file is the user's own, and that it holds a secret at all. {@code /etc/passwd} was answered
 * with "chmod 600 /etc/passwd"; a file that is not the user's, or that is plain text of several words or
 * lines, or fewer than 64 hex digits, must not be chmodded but replaced by a secret of their own.
 *
 * <p>Stateless.
 */
final class Secrets {
    /** The most bytes a secret file is read for this check; a secret is tens of bytes. */
    private static final long MAX_READ = 1 << 20;

    private Secrets() {}

    /**
     * {@return why {@code file} is not the user's own secret, or null if it may be one (then the cluster's
     * check of its size and mode follows)} A file that does not exist or cannot be read is left to that check.
     */
    static String notYours(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            String owner = Files.getOwner(file).getName();
            String user = System.getProperty("user.name");
            if (user != null && !owner.equals(user)) {
                return "belongs to " + owner + ", not to you (" + user + "): a secret must be a file of your own";
            }
            if (Files.size(file) > MAX_READ) {
                return "holds " + Files.size(file) + " bytes, not a secret (32 random bytes, or 64 hex digits)";
            }
            return notASecret(Files.readAllBytes(file));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /**
     * {@return why {@code bytes} are not a secret, or null} Text (printable ASCII) with spaces or line
     * breaks inside is not one; nor is a hex string shorter than 64 digits. Random binary bytes and one
     * word of text (base64) pass; their length is checked by the cluster.
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
                    + " not a secret (32 random bytes, or 64 hex digits)";
        }
        if (text && hex && n < 64) {
            return "holds " + n + " hex digits, fewer than 64 (32 random bytes)";
        }
        return null;
    }
}
