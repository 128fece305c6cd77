package dev.tandem.cluster;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cluster's messages. Each travels as one byte array inside a {@link NodeCall} (caller to node)
 * or as the call's value (node to caller), sealed by the {@link Secret}:
 *
 * <pre>
 *  0      2         3      4        12                           n-32      n
 *  +------+---------+------+--------+----------------------------+---------+
 *  | "TD" | version | type | nonce  | body (DataOutput encoding)  | HMAC    |
 *  +------+---------+------+--------+----------------------------+---------+
 * </pre>
 *
 * A reply repeats its request's nonce, so an old reply cannot stand for a new one. Requests:
 * {@link #HELLO} (versions, class-path digests), {@link #UPLOAD} (a chunk of a class-path entry),
 * {@link #OPEN} (a session: options, class path, initializer), {@link #SUBMIT} (frames of a session:
 * tasks, cancels, close, kill, with a sequence number that must grow), {@link #POLL} (wait for a
 * session's replies). Replies: {@link #OK}, {@link #REFUSED} (why, for good), {@link #BUSY} (why
 * not now: the node's worker processes are in use, it is stopping; ask again or another node),
 * {@link #REPLIES}, {@link #GONE} (the session ended, why). A SUBMIT's {@link #OK} carries replies
 * too, encoded as in {@link #REPLIES} after its end reason: the first ones of tasks it brought to an
 * idle session, or none. A node that cannot verify a request's seal answers with the unsealed
 * {@link #BAD_SEAL}, which says nothing but that.
 *
 * <p>Also the Hazelcast {@link DataSerializableFactory} of {@link NodeCall}, registered on nodes
 * and clients: Hazelcast's Java serialization is never used on Tandem's path.
 */
final class Wire implements DataSerializableFactory {
    /** Tandem's Hazelcast factory id ("TND"). */
    static final int FACTORY_ID = 0x544E44;

    static final byte VERSION = 1;

    static final byte HELLO = 1;
    static final byte UPLOAD = 2;
    static final byte OPEN = 3;
    static final byte SUBMIT = 4;
    static final byte POLL = 5;

    static final byte OK = 64;
    static final byte REFUSED = 65;
    static final byte REPLIES = 66;
    static final byte GONE = 67;
    static final byte BUSY = 68;
    static final byte BAD_SEAL = 127;

    /** Frames of a SUBMIT. */
    static final byte FRAME_TASK = 1;

    static final byte FRAME_STATELESS_TASK = 2;
    static final byte FRAME_CANCEL = 3;
    static final byte FRAME_CLOSE = 4;
    static final byte FRAME_KILL = 5;

    /** Kinds of a reply in REPLIES. */
    static final byte REPLY_RESULT = 1;

    static final byte REPLY_FAILED = 2;
    static final byte REPLY_COPY_FAILED = 3;

    /** The unsealed answer to a request whose seal did not verify. */
    static final byte[] BAD_SEAL_MESSAGE = {'T', 'D', VERSION, BAD_SEAL};

    /** The largest message a node or caller accepts: 64 MiB plus headers. */
    static final int MAX_MESSAGE = (64 << 20) + 4096;

    @Override
    public IdentifiedDataSerializable create(int typeId) {
        return typeId == NodeCall.CLASS_ID ? new NodeCall() : null;
    }

    /** A message being written. */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        private final DataOutputStream out = new DataOutputStream(bytes);
        private final long nonce;

        Out(byte type, long nonce) {
            this.nonce = nonce;
            bytes.write('T');
            bytes.write('D');
            bytes.write(VERSION);
            bytes.write(type);
            writeLong(nonce);
        }

        Out writeLong(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out writeInt(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        long nonce() {
            return nonce;
        }

        /** Appends bytes as they are, without a length. */
        Out writeRaw(byte[] b) {
            bytes.write(b, 0, b.length);
            return this;
        }

        Out writeByte(int v) {
            bytes.write(v);
            return this;
        }

        Out writeBytes(byte[] b) {
            writeInt(b.length);
            bytes.write(b, 0, b.length);
            return this;
        }

        Out writeString(String s) {
            return writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        Out writeStrings(List<String> list) {
            writeInt(list.size());
            for (String s : list) {
                writeString(s);
            }
            return this;
        }

        /** {@return the message, sealed} */
        byte[] seal(Secret secret) {
            return secret.seal(bytes.toByteArray());
        }
    }

    /** A message being read; every read is bounded by what the message holds. */
    static final class In {
        final byte type;
        final long nonce;
        private final byte[] body;
        private final DataInputStream in;

        private In(byte[] body) throws IOException {
            this.body = body;
            this.in = new DataInputStream(new ByteArrayInputStream(body));
            if (in.read() != 'T' || in.read() != 'D' || in.read() != VERSION) {
                throw new IOException("not a Tandem cluster message of version " + VERSION);
            }
            this.type = in.readByte();
            this.nonce = in.readLong();
        }

        /**
         * {@return the message whose seal {@code secret} verifies, or null if it does not}
         *
         * @throws IOException if it verifies but is malformed
         */
        static In open(byte[] sealed, Secret secret) throws IOException {
            if (sealed == null || sealed.length > MAX_MESSAGE) {
                return null;
            }
            byte[] body = secret.open(sealed);
            return body == null ? null : new In(body);
        }

        long readLong() throws IOException {
            return in.readLong();
        }

        int readInt() throws IOException {
            return in.readInt();
        }

        byte readByte() throws IOException {
            return in.readByte();
        }

        byte[] readBytes() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > in.available()) {
                throw new IOException("malformed message: " + n + " bytes announced, " + in.available() + " left");
            }
            return in.readNBytes(n);
        }

        String readString() throws IOException {
            return new String(readBytes(), StandardCharsets.UTF_8);
        }

        List<String> readStrings() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > body.length) {
                throw new IOException("malformed message: " + n + " strings");
            }
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(readString());
            }
            return out;
        }
    }

    /** {@return whether {@code reply} is the node's unsealed answer to a seal it could not verify} */
    static boolean isBadSeal(byte[] reply) {
        return reply != null && Arrays.equals(reply, BAD_SEAL_MESSAGE);
    }

    /** A node's {@link #BUSY} answer: it cannot take a session now, for its reason; the caller asks again later. */
    static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy(String reason) {
            super(reason);
        }
    }
}
