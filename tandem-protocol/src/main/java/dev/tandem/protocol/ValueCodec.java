package dev.tandem.protocol;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes task results: the common small values (null, {@link Integer}, {@link Long},
 * {@link Double}, {@link Boolean}, {@link String}, {@code byte[]}) as a tag byte and their bytes,
 * everything else as a tag byte and Java serialization. The compact forms skip Java serialization's
 * stream header and class descriptors, which cost more than the value on a hot path, and cannot
 * instantiate anything, so they need no filter.
 *
 * <pre>
 *   tag(1) | body
 *   0 serialized | 1 null | 2 int(4) | 3 long(8) | 4 double(8) | 5 boolean(1) | 6 UTF-8 string | 7 bytes
 * </pre>
 * Stateless and thread-safe.
 */
public final class ValueCodec {
    private static final byte SERIALIZED = 0;
    private static final byte NULL = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte BOOLEAN = 5;
    private static final byte STRING = 6;
    private static final byte BYTES = 7;

    private ValueCodec() {}

    /**
     * Encodes a value.
     *
     * @param value the value, may be null
     * @return the bytes
     * @throws IOException if the value needs Java serialization and that failed
     */
    public static byte[] encode(Object value) throws IOException {
        if (value == null) {
            return new byte[] {NULL};
        }
        Class<?> c = value.getClass();
        if (c == Integer.class) {
            return ByteBuffer.allocate(5).put(INT).putInt((Integer) value).array();
        }
        if (c == Long.class) {
            return ByteBuffer.allocate(9).put(LONG).putLong((Long) value).array();
        }
        if (c == Double.class) {
            return ByteBuffer.allocate(9).put(DOUBLE).putDouble((Double) value).array();
        }
        if (c == Boolean.class) {
            return new byte[] {BOOLEAN, (byte) ((Boolean) value ? 1 : 0)};
        }
        if (c == String.class) {
            byte[] s = ((String) value).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[s.length + 1];
            out[0] = STRING;
            System.arraycopy(s, 0, out, 1, s.length);
            return out;
        }
        if (c == byte[].class) {
            byte[] b = (byte[]) value;
            byte[] out = new byte[b.length + 1];
            out[0] = BYTES;
            System.arraycopy(b, 0, out, 1, b.length);
            return out;
        }
        byte[] s = ObjectCodec.encode(value, null);
        byte[] out = new byte[s.length + 1];
        out[0] = SERIALIZED;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /**
     * Decodes bytes made by {@link #encode}.
     *
     * @param bytes the bytes
     * @param loader the class loader to try first for serialized values, or null
     * @param filter the filter for serialized values, or null
     * @return the value
     * @throws IOException if malformed, or refused by the filter
     * @throws ClassNotFoundException if a serialized value's class is missing
     */
    public static Object decode(byte[] bytes, ClassLoader loader, ObjectInputFilter filter)
            throws IOException, ClassNotFoundException {
        if (bytes.length == 0) {
            throw new IOException("malformed value: empty");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            return switch (bytes[0]) {
                case NULL -> null;
                case INT -> b.getInt();
                case LONG -> b.getLong();
                case DOUBLE -> b.getDouble();
                case BOOLEAN -> b.get() != 0;
                case STRING -> new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
                case BYTES -> Arrays.copyOfRange(bytes, 1, bytes.length);
                case SERIALIZED -> ObjectCodec.decode(bytes, 1, bytes.length - 1, loader, filter);
                default -> throw new IOException("malformed value: tag " + bytes[0]);
            };
        } catch (BufferUnderflowException e) {
            throw new IOException("malformed value: truncated", e);
        }
    }
}
