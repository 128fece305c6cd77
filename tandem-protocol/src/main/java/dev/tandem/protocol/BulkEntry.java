package dev.tandem.protocol;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One array or buffer that travels through shared memory instead of inside a frame: where its bytes
 * are (the file {@code path}, whose bulk area starts at {@code offset}, laid out as
 * {@link BulkDescriptor} says), which write of that area holds them ({@code sequence}) and what to
 * rebuild from them ({@code kind}, {@code length} elements, {@code flags}). A payload that
 * carries entries starts with their table (see {@link BulkTable}); the serialized value refers to
 * them by index ({@link BulkRef}). Immutable.
 *
 * @param path the segment file's absolute path
 * @param offset where the bulk area (its sequence word) starts in the file
 * @param sequence the even seqlock value under which the data was written
 * @param kind what the bytes are: one of the {@code KIND_*} constants
 * @param length elements (bytes for {@link #KIND_BUFFER})
 * @param flags for a buffer: {@link #DIRECT}, {@link #BIG_ENDIAN}, {@link #READ_ONLY}
 */
public record BulkEntry(String path, long offset, long sequence, byte kind, int length, byte flags) {
    /** A {@code byte[]}. */
    public static final byte KIND_BYTES = 1;
    /** A {@code short[]}. */
    public static final byte KIND_SHORTS = 2;
    /** A {@code char[]}. */
    public static final byte KIND_CHARS = 3;
    /** An {@code int[]}. */
    public static final byte KIND_INTS = 4;
    /** A {@code long[]}. */
    public static final byte KIND_LONGS = 5;
    /** A {@code float[]}. */
    public static final byte KIND_FLOATS = 6;
    /** A {@code double[]}. */
    public static final byte KIND_DOUBLES = 7;
    /** A {@code boolean[]}. */
    public static final byte KIND_BOOLEANS = 8;
    /** A {@link ByteBuffer}'s remaining bytes. */
    public static final byte KIND_BUFFER = 9;

    /** Buffer flag: the buffer was direct. */
    public static final byte DIRECT = 1;
    /** Buffer flag: the buffer's order was big-endian. */
    public static final byte BIG_ENDIAN = 2;
    /** Buffer flag: the buffer was read-only. */
    public static final byte READ_ONLY = 4;

    /** {@return the bytes of data} */
    public long bytes() {
        return (long) length * elementBytes(kind);
    }

    /** {@return the bytes of one element of {@code kind}} */
    static int elementBytes(byte kind) {
        return switch (kind) {
            case KIND_BYTES, KIND_BOOLEANS, KIND_BUFFER -> 1;
            case KIND_SHORTS, KIND_CHARS -> 2;
            case KIND_INTS, KIND_FLOATS -> 4;
            case KIND_LONGS, KIND_DOUBLES -> 8;
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    /** {@return the kind of a primitive array or buffer, or 0 for anything else} */
    static byte kindOf(Object value) {
        // Called for every object serialized: plain tests, no type switch (its bootstrap costs a
        // worker memory even when no large value ever comes).
        Class<?> c = value.getClass();
        if (!c.isArray()) {
            return value instanceof ByteBuffer ? KIND_BUFFER : 0;
        }
        if (c == byte[].class) {
            return KIND_BYTES;
        } else if (c == int[].class) {
            return KIND_INTS;
        } else if (c == long[].class) {
            return KIND_LONGS;
        } else if (c == double[].class) {
            return KIND_DOUBLES;
        } else if (c == float[].class) {
            return KIND_FLOATS;
        } else if (c == short[].class) {
            return KIND_SHORTS;
        } else if (c == char[].class) {
            return KIND_CHARS;
        } else if (c == boolean[].class) {
            return KIND_BOOLEANS;
        }
        return 0;
    }

    /** {@return the buffer flags of {@code b}} */
    static byte flagsOf(ByteBuffer b) {
        return (byte) ((b.isDirect() ? DIRECT : 0)
                | (b.order() == ByteOrder.BIG_ENDIAN ? BIG_ENDIAN : 0)
                | (b.isReadOnly() ? READ_ONLY : 0));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeUTF(path);
        out.writeLong(offset);
        out.writeLong(sequence);
        out.writeByte(kind);
        out.writeInt(length);
        out.writeByte(flags);
    }

    static BulkEntry read(DataInputStream in) throws IOException {
        String path = in.readUTF();
        long offset = in.readLong();
        long sequence = in.readLong();
        byte kind = in.readByte();
        int length = in.readInt();
        byte flags = in.readByte();
        if (kind < KIND_BYTES || kind > KIND_BUFFER || length < 0 || offset < 0 || !path.startsWith("/")) {
            throw new IOException("protocol error: a malformed shared-memory entry (kind " + kind + ", length " + length
                    + ", offset " + offset + ", path " + path + ")");
        }
        return new BulkEntry(path, offset, sequence, kind, length, flags);
    }
}
