package dev.tandem.protocol;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes task results: the common small values (null, {@link Integer}, {@link Long},
 * {@link Double}, {@link Boolean}, {@link String}, {@code byte[]}) as a tag byte and their bytes,
 * everything else as a tag byte and Java serialization. The compact forms skip Java serialization's
 * stream header and class descriptors, which cost more than the value on a hot path, and cannot
 * instantiate anything, so they need no filter. A value with primitive arrays or buffers above the
 * shared-memory threshold (a large {@code byte[]} result included) is serialized with them in shared
 * memory, and the payload starts with their table ({@link BulkTable}).
 *
 * <pre>
 *   [table] tag(1) | body
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
     * Encodes a value, everything inside the payload.
     *
     * @param value the value, may be null
     * @return the bytes
     * @throws IOException if the value needs Java serialization and that failed
     */
    public static byte[] encode(Object value) throws IOException {
        return encode(value, null, Integer.MAX_VALUE - 8).bytes();
    }

    /**
     * Encodes a value, its large arrays and buffers through shared memory.
     *
     * @param value the value, may be null
     * @param bulk where large arrays and buffers go, or null to keep them in the payload
     * @param limit the longest payload
     * @return the payload and its leases
     * @throws FrameTooLargeException if the payload would be longer than {@code limit}
     * @throws IOException if the value needs Java serialization and that failed, or a segment could
     *     not be made
     */
    public static ObjectCodec.Encoded encode(Object value, BulkWriter bulk, long limit) throws IOException {
        return encode(value, bulk, limit, null);
    }

    /**
     * Encodes a task's result in a worker: as {@link #encode(Object, BulkWriter, long)}, the shared
     * arrays the worker made and returns handed over to the caller, into {@code shares}.
     *
     * @param value the value, may be null
     * @param bulk where large arrays and buffers go, or null to keep them in the payload
     * @param limit the longest payload
     * @param shares the task's shares, closed when it ends; null in a caller
     * @return the payload and its leases
     * @throws FrameTooLargeException if the payload would be longer than {@code limit}
     * @throws IOException if the value needs Java serialization and that failed, or a segment could
     *     not be made
     */
    public static ObjectCodec.Encoded encode(Object value, BulkWriter bulk, long limit, TaskShares shares)
            throws IOException {
        byte[] compact = compact(value, bulk);
        if (compact != null) {
            if (compact.length > limit) {
                throw new FrameTooLargeException(compact.length, limit);
            }
            return new ObjectCodec.Encoded(compact, List.of());
        }
        ChunkedBytes body = new ChunkedBytes(limit);
        List<BulkWriter.Lease> leases = new ArrayList<>(0);
        try {
            body.write(SERIALIZED);
            ObjectCodec.write(body, value, null, bulk, leases, shares);
            return new ObjectCodec.Encoded(
                    BulkTable.assemble(ObjectCodec.entries(leases), body, limit), List.copyOf(leases));
        } catch (IOException | RuntimeException | Error e) {
            for (BulkWriter.Lease l : leases) {
                l.release();
            }
            throw e;
        }
    }

    /** {@return the compact form of a small common value, or null if it must be serialized} */
    private static byte[] compact(Object value, BulkWriter bulk) {
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
            return tagged(STRING, ((String) value).getBytes(StandardCharsets.UTF_8));
        }
        if (c == byte[].class && (bulk == null || !bulk.accepts(value))) {
            return tagged(BYTES, (byte[]) value);
        }
        return null;
    }

    private static byte[] tagged(byte tag, byte[] b) {
        byte[] out = new byte[b.length + 1];
        out[0] = tag;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }

    /**
     * Decodes bytes made by {@link #encode(Object)}.
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
        return decode(bytes, loader, filter, null);
    }

    /**
     * Decodes a payload made by {@link #encode(Object, BulkWriter, long)}.
     *
     * @param bytes the payload
     * @param loader the class loader to try first for serialized values, or null
     * @param filter the filter for serialized values, or null
     * @param bulk the reader of shared-memory values, or null if the payload may not have any
     * @return the value
     * @throws IOException if malformed, refused by the filter, or a shared-memory value could not be read
     * @throws ClassNotFoundException if a serialized value's class is missing
     */
    public static Object decode(byte[] bytes, ClassLoader loader, ObjectInputFilter filter, BulkReader bulk)
            throws IOException, ClassNotFoundException {
        return decode(bytes, loader, filter, bulk, null);
    }

    /**
     * Decodes a result in the caller, as {@link #decode(byte[], ClassLoader, ObjectInputFilter,
     * BulkReader)}, the shared arrays it brings into {@code received}.
     *
     * @param bytes the payload
     * @param loader the class loader to try first for serialized values, or null
     * @param filter the filter for serialized values, or null
     * @param bulk the reader of shared-memory values, or null if the payload may not have any
     * @param received where the shared arrays the value brings go ({@link TaskShares#inCaller()}), or null
     * @return the value
     * @throws IOException if malformed, refused by the filter, or a shared-memory value could not be read
     * @throws ClassNotFoundException if a serialized value's class is missing
     */
    public static Object decode(
            byte[] bytes, ClassLoader loader, ObjectInputFilter filter, BulkReader bulk, TaskShares received)
            throws IOException, ClassNotFoundException {
        BulkTable.Parsed table = BulkTable.parse(bytes);
        int at = table.bodyOffset();
        if (bytes.length <= at) {
            throw new IOException("malformed value: empty");
        }
        int n = bytes.length - at - 1;
        ByteBuffer b = ByteBuffer.wrap(bytes, at + 1, n);
        if (!table.entries().isEmpty() && bytes[at] != SERIALIZED) {
            throw new IOException("malformed value: a table before tag " + bytes[at]);
        }
        try {
            return switch (bytes[at]) {
                case NULL -> null;
                case INT -> b.getInt();
                case LONG -> b.getLong();
                case DOUBLE -> b.getDouble();
                case BOOLEAN -> b.get() != 0;
                case STRING -> new String(bytes, at + 1, n, StandardCharsets.UTF_8);
                case BYTES -> Arrays.copyOfRange(bytes, at + 1, bytes.length);
                case SERIALIZED ->
                    ObjectCodec.decode(bytes, at + 1, n, loader, filter, table.entries(), bulk, received);
                default -> throw new IOException("malformed value: tag " + bytes[at]);
            };
        } catch (BufferUnderflowException e) {
            throw new IOException("malformed value: truncated", e);
        }
    }
}
