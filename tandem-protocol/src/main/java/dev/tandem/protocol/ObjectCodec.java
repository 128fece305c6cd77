package dev.tandem.protocol;

import dev.tandem.ipc.SharedMemoryFullException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Java serialization of tasks and results, with an optional decoding filter and class loader, and
 * the shared-memory lane: with a {@link BulkWriter}, every primitive array and {@link ByteBuffer} of
 * the object graph at or above its threshold is copied into shared memory and replaced in the stream
 * by a {@link BulkRef}, and the payload starts with their {@link BulkTable}; the decoder puts a copy
 * back in its place ({@link BulkReader}). A {@link ByteBuffer} below the threshold travels inside the
 * stream ({@link BufferValue}), so buffers are always sendable. When the segment directory has no
 * room ({@link SharedMemoryFullException}), a large value travels inside the stream too. Shared
 * arrays ({@code dev.tandem.ipc}), and direct buffers over them, travel by reference whatever their
 * size, where the lane is on ({@link SharedRef}). Stateless and thread-safe.
 */
public final class ObjectCodec {
    /** No limit but the largest array. */
    private static final long UNLIMITED = Integer.MAX_VALUE - 8;

    private ObjectCodec() {}

    /**
     * A payload and the leases on the shared memory it refers to; release them once the payload need
     * not be readable any more.
     *
     * @param bytes the payload
     * @param leases the leases, empty if everything is inside the payload
     */
    public record Encoded(byte[] bytes, List<BulkWriter.Lease> leases) {
        /** Releases every lease. */
        public void release() {
            for (BulkWriter.Lease l : leases) {
                l.release();
            }
        }

        /** {@return the bytes its arrays and buffers take in shared memory} */
        public long sharedBytes() {
            long n = 0;
            for (BulkWriter.Lease l : leases) {
                n += l.entry().bytes();
            }
            return n;
        }
    }

    /**
     * Serializes {@code value}, everything inside the payload.
     *
     * @param value the value, may be null
     * @param classSeen called with every class whose descriptor is written, or null
     * @return the bytes
     * @throws NotSerializableException naming the first class that is not serializable
     * @throws IOException if serialization failed otherwise
     */
    public static byte[] encode(Object value, Consumer<Class<?>> classSeen) throws IOException {
        return encode(value, classSeen, null, UNLIMITED).bytes();
    }

    /**
     * Serializes {@code value}, its large arrays and buffers through shared memory.
     *
     * @param value the value, may be null
     * @param classSeen called with every class whose descriptor is written, or null
     * @param bulk where large arrays and buffers go, or null to keep them in the payload
     * @param limit the longest payload
     * @return the payload and its leases
     * @throws FrameTooLargeException if the payload would be longer than {@code limit}
     * @throws NotSerializableException naming the first class that is not serializable
     * @throws IOException if serialization failed otherwise, or a segment could not be made
     */
    public static Encoded encode(Object value, Consumer<Class<?>> classSeen, BulkWriter bulk, long limit)
            throws IOException {
        ChunkedBytes body = new ChunkedBytes(limit);
        List<BulkWriter.Lease> leases = new ArrayList<>(0);
        try {
            write(body, value, classSeen, bulk, leases, null);
            return new Encoded(BulkTable.assemble(entries(leases), body, limit), List.copyOf(leases));
        } catch (IOException | RuntimeException | Error e) {
            for (BulkWriter.Lease l : leases) {
                l.release();
            }
            throw e;
        }
    }

    /**
     * Writes one serialization stream of {@code value} to {@code out}, leasing what goes to
     * {@code bulk}; shared arrays go by reference ({@link SharedRef}), handed over into
     * {@code shares} when a worker writes a result.
     */
    static void write(
            OutputStream out,
            Object value,
            Consumer<Class<?>> classSeen,
            BulkWriter bulk,
            List<BulkWriter.Lease> leases,
            TaskShares shares)
            throws IOException {
        try (Output o = new Output(out, classSeen, bulk, leases, shares)) {
            o.writeObject(value);
        }
    }

    static List<BulkEntry> entries(List<BulkWriter.Lease> leases) {
        List<BulkEntry> out = new ArrayList<>(leases.size());
        for (BulkWriter.Lease l : leases) {
            out.add(l.entry());
        }
        return out;
    }

    /**
     * Deserializes bytes made by {@link #encode(Object, Consumer)}.
     *
     * @param bytes the bytes
     * @param loader the class loader to resolve classes with first, or null for the default
     * @param filter the filter that every class, array, depth and reference must pass, or null
     * @return the value
     * @throws IOException if decoding failed, including {@link java.io.InvalidClassException} when
     *         the filter refused something
     * @throws ClassNotFoundException if a class is missing
     */
    public static Object decode(byte[] bytes, ClassLoader loader, ObjectInputFilter filter)
            throws IOException, ClassNotFoundException {
        return decode(bytes, loader, filter, null);
    }

    /**
     * Deserializes a payload made by {@link #encode(Object, Consumer, BulkWriter, long)}.
     *
     * @param bytes the payload
     * @param loader the class loader to resolve classes with first, or null for the default
     * @param filter the filter, or null
     * @param bulk the reader of shared-memory values, or null if the payload may not have any
     * @return the value
     * @throws IOException if decoding failed, the filter refused something, or a shared-memory value
     *     could not be read
     * @throws ClassNotFoundException if a class is missing
     */
    public static Object decode(byte[] bytes, ClassLoader loader, ObjectInputFilter filter, BulkReader bulk)
            throws IOException, ClassNotFoundException {
        return decode(bytes, loader, filter, bulk, null);
    }

    /**
     * Deserializes a task in a worker: as {@link #decode(byte[], ClassLoader, ObjectInputFilter,
     * BulkReader)}, the shared arrays it carries attached for the task into {@code shares}.
     *
     * @param bytes the payload
     * @param loader the class loader to resolve classes with first, or null for the default
     * @param filter the filter, or null
     * @param bulk the reader of shared-memory values, or null if the payload may not have any
     * @param shares where the arrays attached for the task go, closed when it ends; null in a caller
     * @return the value
     * @throws IOException if decoding failed, the filter refused something, or a shared-memory value
     *     could not be read
     * @throws ClassNotFoundException if a class is missing
     */
    public static Object decode(
            byte[] bytes, ClassLoader loader, ObjectInputFilter filter, BulkReader bulk, TaskShares shares)
            throws IOException, ClassNotFoundException {
        BulkTable.Parsed table = BulkTable.parse(bytes);
        return decode(
                bytes,
                table.bodyOffset(),
                bytes.length - table.bodyOffset(),
                loader,
                filter,
                table.entries(),
                bulk,
                shares);
    }

    /**
     * Deserializes part of an array, as {@link #decode(byte[], ClassLoader, ObjectInputFilter)}.
     *
     * @param bytes the array
     * @param offset where the serialized bytes start
     * @param length how many there are
     * @param loader the class loader to resolve classes with first, or null
     * @param filter the filter, or null
     * @return the value
     * @throws IOException if decoding failed or the filter refused something
     * @throws ClassNotFoundException if a class is missing
     */
    public static Object decode(byte[] bytes, int offset, int length, ClassLoader loader, ObjectInputFilter filter)
            throws IOException, ClassNotFoundException {
        return decode(bytes, offset, length, loader, filter, List.of(), null, null);
    }

    static Object decode(
            byte[] bytes,
            int offset,
            int length,
            ClassLoader loader,
            ObjectInputFilter filter,
            List<BulkEntry> entries,
            BulkReader bulk,
            TaskShares shares)
            throws IOException, ClassNotFoundException {
        if (!entries.isEmpty() && bulk == null) {
            throw new IOException("protocol error: a payload with shared-memory values where none may be");
        }
        try (Input in = new Input(new ByteArrayInputStream(bytes, offset, length), loader, entries, bulk, shares)) {
            if (filter instanceof DecodingFilter decoding) {
                // Arrays put back from shared memory were never in the stream: allow for their size.
                long shared = 0;
                for (BulkEntry e : entries) {
                    shared += e.bytes();
                }
                in.setObjectInputFilter(decoding.forStream(length + shared));
            } else if (filter != null) {
                in.setObjectInputFilter(filter);
            }
            return in.readObject();
        }
    }

    /** Reports classes, and moves large arrays and buffers out of the stream. */
    private static final class Output extends ObjectOutputStream {
        private final Consumer<Class<?>> classSeen;
        private final BulkWriter bulk;
        private final List<BulkWriter.Lease> leases;
        private final TaskShares shares;

        Output(
                OutputStream out,
                Consumer<Class<?>> classSeen,
                BulkWriter bulk,
                List<BulkWriter.Lease> leases,
                TaskShares shares)
                throws IOException {
            super(out);
            this.classSeen = classSeen;
            this.bulk = bulk;
            this.leases = leases;
            this.shares = shares;
            enableReplaceObject(true);
        }

        @Override
        protected void annotateClass(Class<?> cl) {
            if (classSeen != null) {
                classSeen.accept(cl);
            }
        }

        @Override
        protected Object replaceObject(Object obj) throws IOException {
            SharedRef shared = SharedRef.of(obj, bulk, shares);
            if (shared != null) {
                return shared;
            }
            if (bulk != null && bulk.accepts(obj)) {
                try {
                    BulkWriter.Lease lease = bulk.put(obj);
                    leases.add(lease);
                    return new BulkRef(leases.size() - 1);
                } catch (SharedMemoryFullException full) {
                    // No room in the segment directory: the value travels inside the frame, as a
                    // small one does (the frame limit still applies).
                }
            }
            if (obj instanceof ByteBuffer b) {
                return BufferValue.of(b);
            }
            return obj;
        }
    }

    /** Resolves classes with a given loader first, and puts shared-memory values back. */
    private static final class Input extends ObjectInputStream {
        private final ClassLoader loader;
        private final List<BulkEntry> entries;
        private final BulkReader bulk;
        private final TaskShares shares;

        Input(InputStream in, ClassLoader loader, List<BulkEntry> entries, BulkReader bulk, TaskShares shares)
                throws IOException {
            super(in);
            this.loader = loader;
            this.entries = entries;
            this.bulk = bulk;
            this.shares = shares;
            enableResolveObject(true);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default resolution: primitives and the latest user loader
                }
            }
            return super.resolveClass(desc);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            if (obj instanceof BulkRef ref) {
                if (ref.index() < 0 || ref.index() >= entries.size()) {
                    throw new IOException(
                            "protocol error: shared-memory value #" + ref.index() + " of " + entries.size());
                }
                return bulk.take(entries.get(ref.index()));
            }
            if (obj instanceof BufferValue b) {
                return b.toBuffer();
            }
            if (obj instanceof SharedRef ref) {
                return ref.resolve(shares);
            }
            return obj;
        }
    }
}
