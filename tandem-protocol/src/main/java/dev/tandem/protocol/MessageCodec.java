package dev.tandem.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bodies of the control frames that are not plain serialized values, encoded and decoded here
 * for both ends: the caller ({@code dev.tandem}) and the worker ({@code dev.tandem.worker}) never
 * hand-code a payload. Every method is stateless and thread-safe; decoding checks every length
 * against the bytes present, so a short or hostile payload fails with {@link IOException}, never
 * with a large allocation.
 *
 * <p>Payloads of the other frames: {@code TASK} and {@code TASK_STATELESS} carry the task serialized
 * by {@link ObjectCodec}; {@code RESULT} a value encoded by {@link ValueCodec}; {@code FAILED} and
 * {@code INIT_FAILED} a throwable encoded by {@link ThrowableCodec}; {@code READY}, {@code CANCEL}
 * and {@code EXIT} are empty.
 */
public final class MessageCodec {
    private MessageCodec() {}

    /**
     * {@code HELLO}, the worker's first frame on each of its two connections: {@code int
     * protocolVersion, long pid, utf token, byte role}.
     *
     * @param version the worker's {@link FrameType#PROTOCOL_VERSION}
     * @param pid the worker's process id, as it sees itself
     * @param token the one-time secret its caller gave it, proving it is the process the caller started
     * @param role which connection this is: {@link FrameType#ROLE_TASKS} or {@link FrameType#ROLE_REPLIES}
     */
    public record Hello(int version, long pid, String token, byte role) {
        /** {@return the payload} */
        public byte[] encode() {
            return write(d -> {
                d.writeInt(version);
                d.writeLong(pid);
                d.writeUTF(token);
                d.writeByte(role);
            });
        }

        /**
         * @param payload a HELLO payload
         * @return the message
         * @throws IOException if the payload is malformed
         */
        public static Hello decode(byte[] payload) throws IOException {
            DataInputStream in = reader(payload);
            Hello h = new Hello(in.readInt(), in.readLong(), in.readUTF(), in.readByte());
            end(in);
            return h;
        }
    }

    /**
     * {@code INIT}, the caller's answer to HELLO: {@code int threads, int transport}, then for
     * {@link FrameType#TRANSPORT_SHARED_MEMORY} {@code int length, byte[] channelHandle}, then the
     * initializer (the rest of the payload, maybe empty).
     *
     * @param threads the worker's task threads T, at least 1
     * @param channelHandle the serialized shared-memory channel handle, or null to stay on the socket
     * @param initializer the serialized initializer (a {@code Callable}), or an empty array
     */
    public record Init(int threads, byte[] channelHandle, byte[] initializer) {
        /** {@return the payload} */
        public byte[] encode() {
            return write(d -> {
                d.writeInt(threads);
                if (channelHandle == null) {
                    d.writeInt(FrameType.TRANSPORT_SOCKET);
                } else {
                    d.writeInt(FrameType.TRANSPORT_SHARED_MEMORY);
                    d.writeInt(channelHandle.length);
                    d.write(channelHandle);
                }
                d.write(initializer);
            });
        }

        /**
         * @param payload an INIT payload
         * @return the message
         * @throws IOException if the payload is malformed
         */
        public static Init decode(byte[] payload) throws IOException {
            DataInputStream in = reader(payload);
            int threads = in.readInt();
            if (threads < 1) {
                throw new IOException("protocol error: INIT with " + threads + " threads");
            }
            int transport = in.readInt();
            byte[] handle = null;
            if (transport == FrameType.TRANSPORT_SHARED_MEMORY) {
                handle = bytes(in, in.readInt());
            } else if (transport != FrameType.TRANSPORT_SOCKET) {
                throw new IOException("protocol error: INIT with transport " + transport);
            }
            return new Init(threads, handle, in.readAllBytes());
        }
    }

    /**
     * {@code COPY_FAILED}: {@code byte boundary} ({@link FrameType#BOUNDARY_DECODE_TASK} or
     * {@link FrameType#BOUNDARY_ENCODE_RESULT}), then a throwable encoded by {@link ThrowableCodec}.
     *
     * @param boundary where the copy failed
     * @param throwable the encoded throwable
     */
    public record CopyFailed(byte boundary, byte[] throwable) {
        /** {@return the payload} */
        public byte[] encode() {
            byte[] p = new byte[throwable.length + 1];
            p[0] = boundary;
            System.arraycopy(throwable, 0, p, 1, throwable.length);
            return p;
        }

        /**
         * @param payload a COPY_FAILED payload
         * @return the message
         * @throws IOException if the payload is empty
         */
        public static CopyFailed decode(byte[] payload) throws IOException {
            if (payload.length == 0) {
                throw new IOException("protocol error: empty COPY_FAILED");
            }
            return new CopyFailed(payload[0], Arrays.copyOfRange(payload, 1, payload.length));
        }
    }

    /**
     * The values of a jshell wrapper class's top-level variables, which travel as a file beside its
     * class file ({@code <class>.statics}) rather than in a frame: {@code int count}, then per variable
     * {@code utf name, int length} and its value serialized by {@link java.io.ObjectOutputStream}.
     * Written by the caller when it copies the class, read by the worker when the class initialises.
     *
     * @param values each variable's serialized value by its name, in the order written
     */
    public record JShellStatics(Map<String, byte[]> values) {
        public JShellStatics {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /** {@return the file's bytes} */
        public byte[] encode() {
            return write(d -> {
                d.writeInt(values.size());
                for (Map.Entry<String, byte[]> e : values.entrySet()) {
                    d.writeUTF(e.getKey());
                    d.writeInt(e.getValue().length);
                    d.write(e.getValue());
                }
            });
        }

        /**
         * @param file the file's bytes
         * @return the values
         * @throws IOException if the bytes are malformed
         */
        public static JShellStatics decode(byte[] file) throws IOException {
            DataInputStream in = reader(file);
            int count = in.readInt();
            if (count < 0 || count > in.available()) {
                throw new IOException("malformed jshell variables: a count of " + count);
            }
            Map<String, byte[]> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                values.put(name, bytes(in, in.readInt()));
            }
            end(in);
            return new JShellStatics(values);
        }
    }

    @FunctionalInterface
    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            body.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    private static DataInputStream reader(byte[] payload) {
        return new DataInputStream(new ByteArrayInputStream(payload));
    }

    private static byte[] bytes(DataInputStream in, int length) throws IOException {
        if (length < 0 || length > in.available()) {
            throw new IOException("protocol error: a length of " + length + " with " + in.available() + " bytes left");
        }
        return in.readNBytes(length);
    }

    private static void end(DataInputStream in) throws IOException {
        if (in.available() != 0) {
            throw new IOException("protocol error: " + in.available() + " unexpected bytes at the end of a message");
        }
    }
}
