package dev.tandem.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.function.Consumer;

/**
 * Java serialization of tasks and results, with an optional decoding filter and class loader.
 * Stateless and thread-safe.
 */
public final class ObjectCodec {
    private ObjectCodec() {}

    /**
     * Serializes {@code value}.
     *
     * @param value the value, may be null
     * @param classSeen called with every class whose descriptor is written, or null
     * @return the bytes
     * @throws NotSerializableException naming the first class that is not serializable
     * @throws IOException if serialization failed otherwise
     */
    public static byte[] encode(Object value, Consumer<Class<?>> classSeen) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = classSeen == null
                ? new ObjectOutputStream(bytes)
                : new ObjectOutputStream(bytes) {
                    @Override
                    protected void annotateClass(Class<?> cl) {
                        classSeen.accept(cl);
                    }
                }) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /**
     * Deserializes bytes made by {@link #encode}.
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
        return decode(bytes, 0, bytes.length, loader, filter);
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
        try (ObjectInputStream in =
                new LoaderObjectInputStream(new ByteArrayInputStream(bytes, offset, length), loader)) {
            if (filter instanceof DecodingFilter decoding) {
                in.setObjectInputFilter(decoding.forStream(length));
            } else if (filter != null) {
                in.setObjectInputFilter(filter);
            }
            return in.readObject();
        }
    }

    /** Resolves classes with a given loader first, then as {@link ObjectInputStream} does. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
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
    }
}
