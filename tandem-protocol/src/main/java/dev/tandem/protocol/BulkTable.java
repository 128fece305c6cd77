package dev.tandem.protocol;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The table of {@link BulkEntry}s that starts a payload whose value left arrays or buffers in shared
 * memory. A payload without entries has no table, so it is exactly what it was before the lane
 * existed.
 *
 * <pre>
 *   payload := body                                    (no entries)
 *            | MARK(1) count(int) entry{count} body    (entries; MARK = 0x42)
 *   entry   := utf(path) long(offset) long(sequence) byte(kind) int(length) byte(flags)
 * </pre>
 *
 * A body is a Java serialization stream (it starts with 0xAC) or a {@link ValueCodec} value (a tag
 * below 0x10), so the mark cannot be mistaken for either. Stateless and thread-safe.
 */
public final class BulkTable {
    /** The first byte of a payload with a table. */
    static final byte MARK = 0x42;
    /** The most entries a table may list; a payload announcing more is malformed. */
    static final int MAX_ENTRIES = 1 << 20;

    private BulkTable() {}

    /** A parsed table: the entries, and where the body starts. */
    record Parsed(List<BulkEntry> entries, int bodyOffset) {}

    /**
     * Assembles a payload: the table of {@code entries} (none: no table), then {@code body}, copied
     * once into an array of the exact size.
     *
     * @throws FrameTooLargeException if the whole is longer than {@code limit}
     */
    static byte[] assemble(List<BulkEntry> entries, ChunkedBytes body, long limit) throws IOException {
        if (entries.isEmpty()) {
            if (body.size() > limit) {
                throw new FrameTooLargeException(body.size(), limit);
            }
            return body.toByteArray();
        }
        ChunkedBytes table = new ChunkedBytes(limit);
        try (DataOutputStream out = new DataOutputStream(table)) {
            out.writeByte(MARK);
            out.writeInt(entries.size());
            for (BulkEntry e : entries) {
                e.write(out);
            }
        }
        long size = table.size() + body.size();
        if (size > limit) {
            throw new FrameTooLargeException(size, limit);
        }
        byte[] payload = new byte[(int) size];
        table.copyTo(payload, 0);
        body.copyTo(payload, (int) table.size());
        return payload;
    }

    /**
     * {@return the table of a payload, and where its body starts; no entries and offset 0 for a
     * payload without one}
     *
     * @throws IOException if the table is malformed
     */
    static Parsed parse(byte[] payload) throws IOException {
        if (payload.length == 0 || payload[0] != MARK) {
            return new Parsed(List.of(), 0);
        }
        ByteArrayInputStream bytes = new ByteArrayInputStream(payload, 1, payload.length - 1);
        DataInputStream in = new DataInputStream(bytes);
        int n = in.readInt();
        if (n < 1 || n > MAX_ENTRIES || n > payload.length / 8) {
            throw new IOException("protocol error: a shared-memory table of " + n + " entries");
        }
        List<BulkEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(BulkEntry.read(in));
        }
        return new Parsed(List.copyOf(entries), payload.length - bytes.available());
    }

    /**
     * {@return the entries a payload's table lists, or none} For giving back what a payload holds
     * when it was decoded or dropped; a malformed table lists none.
     *
     * @param payload a TASK or RESULT payload
     */
    public static List<BulkEntry> entries(byte[] payload) {
        try {
            return parse(payload).entries();
        } catch (IOException e) {
            return List.of();
        }
    }
}
