package dev.tandem.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Carries an exception from a worker to the caller twice over: as Java serialization (so the caller
 * gets the same class when it can decode it) and as a plain description (class name, message, stack
 * frames and causes) from which a faithful stand-in is built when it cannot.
 *
 * <pre>
 *   int serializedLength | serialized bytes | description
 *   description := flag(1) utf(className) str(message) int(frames) frame* description-of-cause
 *   frame       := utf(declaringClass) utf(methodName) str(fileName) int(line)
 *   flag 0 ends the chain.
 * </pre>
 *
 * Decoding bounds every count and length, so a hostile description cannot exhaust the caller.
 * Stateless and thread-safe.
 */
public final class ThrowableCodec {
    private static final int MAX_CAUSES = 32;
    private static final int MAX_FRAMES = 4096;
    private static final int MAX_STRING = 1 << 20;

    private ThrowableCodec() {}

    /** Builds the stand-in for an exception class that cannot be decoded. */
    @FunctionalInterface
    public interface StandIn {
        /**
         * @param className the remote exception's class name
         * @param message its message, may be null
         * @return a throwable to stand for it
         */
        Throwable create(String className, String message);
    }

    /**
     * Encodes a throwable; never fails (an unserializable one is sent as a description only).
     *
     * @param t the throwable
     * @return the bytes
     */
    public static byte[] encode(Throwable t) {
        byte[] serialized;
        try {
            serialized = ObjectCodec.encode(t, null);
        } catch (Exception | StackOverflowError | LinkageError e) { // user writeObject may throw anything
            serialized = new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(serialized.length + 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(serialized.length);
            out.write(serialized);
            Map<Throwable, Boolean> seen = new IdentityHashMap<>();
            Throwable c = t;
            int depth = 0;
            while (c != null && depth++ < MAX_CAUSES && seen.put(c, Boolean.TRUE) == null) {
                out.writeByte(1);
                writeString(out, c.getClass().getName());
                writeString(out, guard(c::getMessage, "(getMessage() threw)"));
                StackTraceElement[] frames = guard(c::getStackTrace, new StackTraceElement[0]);
                int n = frames == null ? 0 : Math.min(frames.length, MAX_FRAMES);
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    StackTraceElement f = frames[i];
                    writeString(out, f == null ? "?" : f.getClassName());
                    writeString(out, f == null ? "?" : f.getMethodName());
                    writeString(out, f == null ? null : f.getFileName());
                    out.writeInt(f == null ? -1 : f.getLineNumber());
                }
                c = guard(c::getCause, null);
            }
            out.writeByte(0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /** Calls a method a user's exception class may override, so that it cannot break the reply. */
    private static <T> T guard(Supplier<T> call, T fallback) {
        try {
            return call.get();
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            return fallback;
        }
    }

    /**
     * Decodes bytes made by {@link #encode}: the original throwable if its serialized form passes the
     * filter and resolves, otherwise a chain of stand-ins with the original stack traces.
     *
     * @param bytes the bytes
     * @param loader the class loader to try first, or null
     * @param filter the decoding filter, or null
     * @param standIn builds stand-ins
     * @return the throwable
     * @throws IOException if the description itself is malformed
     */
    public static Throwable decode(byte[] bytes, ClassLoader loader, ObjectInputFilter filter, StandIn standIn)
            throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int serializedLength = in.readInt();
        if (serializedLength < 0 || serializedLength > bytes.length - 4) {
            throw new IOException("malformed exception: serialized length " + serializedLength);
        }
        byte[] serialized = in.readNBytes(serializedLength);
        if (serializedLength > 0) {
            try {
                Object o = ObjectCodec.decode(serialized, loader, filter);
                if (o instanceof Throwable t) {
                    return t;
                }
            } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
                // fall through to the stand-in
            }
        }
        Throwable head = null;
        Throwable tail = null;
        for (int depth = 0; in.readByte() == 1; depth++) {
            if (depth >= MAX_CAUSES) {
                throw new IOException("malformed exception: more than " + MAX_CAUSES + " causes");
            }
            String className = readString(in);
            String message = readString(in);
            int n = in.readInt();
            if (n < 0 || n > MAX_FRAMES) {
                throw new IOException("malformed exception: " + n + " frames");
            }
            StackTraceElement[] frames = new StackTraceElement[n];
            for (int i = 0; i < n; i++) {
                String cls = readString(in);
                String method = readString(in);
                String file = readString(in);
                int line = in.readInt();
                frames[i] = new StackTraceElement(cls == null ? "?" : cls, method == null ? "?" : method, file, line);
            }
            Throwable t = standIn.create(className, message);
            t.setStackTrace(frames);
            if (head == null) {
                head = t;
            } else {
                tail.initCause(t);
            }
            tail = t;
        }
        if (head == null) {
            throw new IOException("malformed exception: empty description");
        }
        return head;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            b = Arrays.copyOf(b, MAX_STRING);
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_STRING) {
            throw new IOException("malformed exception: string of " + n + " bytes");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
