package dev.tandem.protocol;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link ByteBuffer} (which is not {@link Serializable}) as it travels inside a frame: its
 * remaining bytes and what kind of buffer it was. Buffers above the shared-memory threshold travel as
 * a {@link BulkRef} instead. Rebuilt as {@link #toBuffer()} says.
 *
 * @param bytes the buffer's remaining bytes
 * @param flags {@link BulkEntry#DIRECT}, {@link BulkEntry#BIG_ENDIAN}, {@link BulkEntry#READ_ONLY}
 */
public record BufferValue(byte[] bytes, byte flags) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** {@return the stand-in of {@code b}'s remaining bytes; {@code b} itself is not changed} */
    static BufferValue of(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(b.position(), bytes);
        return new BufferValue(bytes, BulkEntry.flagsOf(b));
    }

    /**
     * {@return the rebuilt buffer} A new buffer of the same kind (direct or heap), byte order and
     * read-only flag as the sender's, holding its remaining bytes: position 0, limit and capacity
     * their count.
     */
    ByteBuffer toBuffer() {
        ByteBuffer b;
        if ((flags & BulkEntry.DIRECT) != 0) {
            b = ByteBuffer.allocateDirect(bytes.length);
            b.put(0, bytes);
        } else {
            b = ByteBuffer.wrap(bytes);
        }
        return finish(b, flags);
    }

    /** Gives a freshly filled buffer (position 0) the sender's byte order and read-only flag. */
    static ByteBuffer finish(ByteBuffer b, byte flags) {
        b.order((flags & BulkEntry.BIG_ENDIAN) != 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        return (flags & BulkEntry.READ_ONLY) != 0 ? b.asReadOnlyBuffer().order(b.order()) : b;
    }
}
