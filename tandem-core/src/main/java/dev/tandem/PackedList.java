package dev.tandem;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * An immutable list that crosses a process boundary as columns rather than as objects: the inputs and
 * outputs of a {@link TaskPool#map} batch.
 *
 * <h2>Columns</h2>
 * When it is serialized, its elements are looked at once:
 * <ul>
 * <li>all {@link Integer}, all {@link Long} or all {@link Double} (nulls allowed): one primitive array,
 * plus a bitmap of the nulls if there are any;
 * <li>all {@link String} (nulls allowed): one array of UTF-8 lengths ({@code -1} for null) and one
 * array of all their bytes;
 * <li>anything else (mixed types): an {@code Object[]}, as Java serialization writes it.
 * </ul>
 * Java serialization writes each column in bulk (and {@code ObjectCodec} moves a large one through
 * shared memory), instead of an object header and a handle per element: a million small inputs cost
 * a few bulk copies. A primitive column stays a primitive array when read back: an element is boxed
 * when {@link #get} asks for it, so a million results are not a million objects the caller's
 * collector must copy.
 *
 * <p>Thread-safe once built; {@link #get} of a primitive column returns a new box each time (equal,
 * not identical, beyond the {@link Integer#valueOf} cache).
 */
final class PackedList extends AbstractList<Object> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 2L;

    private static final byte OBJECTS = 0;
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;
    private static final byte STRINGS = 4;

    /** The elements as objects: as built, or as read back for objects and strings; else null. */
    private transient Object[] items;
    /** A primitive column read back ({@code int[]}, {@code long[]} or {@code double[]}), or null. */
    private transient Object column;
    /** Bit {@code i} set: element {@code i} of {@link #column} is null. Null when none is. */
    private transient long[] nulls;

    private transient int size;

    PackedList(Object[] items) {
        this.items = items;
        this.size = items.length;
    }

    /** A primitive column of {@code size} elements, with the given nulls (or none). */
    private PackedList(Object column, long[] nulls, int size) {
        this.column = column;
        this.nulls = nulls;
        this.size = size;
    }

    /**
     * Builds a list element by element, straight into a primitive column while every element is an
     * {@link Integer}, a {@link Long} or a {@link Double} of one kind (or null), and into an
     * {@code Object[]} from the first element that is not. A function's boxed result is unboxed at
     * once, so its box need not outlive the call (the JIT can then elide it), and serializing needs
     * no further pass. Not thread-safe.
     */
    static final class Builder {
        private final int capacity;
        private Object column;
        private long[] nulls;
        private Object[] objects;
        private int size;

        /** @param capacity the number of elements that will be added */
        Builder(int capacity) {
            this.capacity = capacity;
        }

        void add(Object o) {
            if (objects != null) {
                objects[size++] = o;
                return;
            }
            if (o == null) {
                if (nulls == null) {
                    nulls = new long[(capacity + 63) >>> 6];
                }
                nulls[size >>> 6] |= 1L << size;
                size++;
                return;
            }
            Class<?> c = o.getClass();
            if (column == null) {
                column = c == Integer.class
                        ? new int[capacity]
                        : c == Long.class ? new long[capacity] : c == Double.class ? new double[capacity] : null;
            }
            if (c == Integer.class && column instanceof int[] a) {
                a[size++] = (Integer) o;
            } else if (c == Long.class && column instanceof long[] a) {
                a[size++] = (Long) o;
            } else if (c == Double.class && column instanceof double[] a) {
                a[size++] = (Double) o;
            } else {
                objects = new Object[capacity];
                PackedList sofar = new PackedList(column, nulls, size);
                for (int i = 0; i < size; i++) {
                    objects[i] = sofar.get(i);
                }
                objects[size++] = o;
            }
        }

        /**
         * {@return the list of the elements added so far} Fewer than the capacity when a map batch
         * stopped early (see {@link MapBatch.Batch}): the arrays are then trimmed to what was added.
         */
        PackedList build() {
            if (size > capacity) {
                throw new IllegalStateException(size + " elements added of " + capacity);
            }
            if (size < capacity) {
                trim();
            }
            if (objects != null) {
                return new PackedList(objects);
            }
            return column == null ? new PackedList(new Object[size]) : new PackedList(column, nulls, size);
        }

        private void trim() {
            if (objects != null) {
                objects = Arrays.copyOf(objects, size);
            } else if (column != null) {
                Object trimmed = Array.newInstance(column.getClass().getComponentType(), size);
                System.arraycopy(column, 0, trimmed, 0, size);
                column = trimmed;
            }
            if (nulls != null) {
                nulls = Arrays.copyOf(nulls, (size + 63) >>> 6);
            }
        }
    }

    @Override
    public Object get(int index) {
        if (items != null) {
            return items[index];
        }
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        if (nulls != null && (nulls[index >>> 6] & (1L << index)) != 0) {
            return null;
        }
        if (column instanceof int[] a) {
            return a[index];
        }
        return column instanceof long[] a ? (Object) a[index] : (Object) ((double[]) column)[index];
    }

    @Override
    public int size() {
        return size;
    }

    /** {@return the column kind its elements can travel as} */
    private static byte kind(Object[] items) {
        Class<?> c = null;
        for (Object o : items) {
            if (o != null) {
                if (c == null) {
                    c = o.getClass();
                } else if (o.getClass() != c) {
                    return OBJECTS;
                }
            }
        }
        if (c == Integer.class) {
            return INTS;
        }
        if (c == Long.class) {
            return LONGS;
        }
        if (c == Double.class) {
            return DOUBLES;
        }
        return c == String.class ? STRINGS : OBJECTS;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        if (items == null) { // built as a column, or read back from a stream and sent on as it came
            out.writeByte(column instanceof int[] ? INTS : column instanceof long[] ? LONGS : DOUBLES);
            out.writeObject(column);
            out.writeObject(nulls);
            return;
        }
        byte kind = kind(items);
        out.writeByte(kind);
        long[] nullBits = null;
        switch (kind) {
            case INTS -> {
                int[] a = new int[items.length];
                for (int i = 0; i < a.length; i++) {
                    if (items[i] instanceof Integer v) {
                        a[i] = v;
                    } else {
                        nullBits = setNull(nullBits, i);
                    }
                }
                out.writeObject(a);
                out.writeObject(nullBits);
            }
            case LONGS -> {
                long[] a = new long[items.length];
                for (int i = 0; i < a.length; i++) {
                    if (items[i] instanceof Long v) {
                        a[i] = v;
                    } else {
                        nullBits = setNull(nullBits, i);
                    }
                }
                out.writeObject(a);
                out.writeObject(nullBits);
            }
            case DOUBLES -> {
                double[] a = new double[items.length];
                for (int i = 0; i < a.length; i++) {
                    if (items[i] instanceof Double v) {
                        a[i] = v;
                    } else {
                        nullBits = setNull(nullBits, i);
                    }
                }
                out.writeObject(a);
                out.writeObject(nullBits);
            }
            case STRINGS -> writeStrings(out);
            default -> out.writeObject(items);
        }
    }

    private long[] setNull(long[] bits, int index) {
        long[] b = bits != null ? bits : new long[(items.length + 63) >>> 6];
        b[index >>> 6] |= 1L << index;
        return b;
    }

    /** Strings as one array of UTF-8 lengths (-1 for null) and one array of all their bytes. */
    private void writeStrings(ObjectOutputStream out) throws IOException {
        int[] lengths = new int[items.length];
        byte[][] encoded = new byte[items.length][];
        long total = 0;
        for (int i = 0; i < items.length; i++) {
            if (items[i] == null) {
                lengths[i] = -1;
            } else {
                encoded[i] = ((String) items[i]).getBytes(StandardCharsets.UTF_8);
                lengths[i] = encoded[i].length;
                total += lengths[i];
            }
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException("a map batch of " + items.length + " strings holds " + total
                    + " bytes of text, more than one array can; map fewer or shorter strings at a time");
        }
        byte[] blob = new byte[(int) total];
        int at = 0;
        for (byte[] e : encoded) {
            if (e != null) {
                System.arraycopy(e, 0, blob, at, e.length);
                at += e.length;
            }
        }
        out.writeObject(lengths);
        out.writeObject(blob);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        byte kind = in.readByte();
        switch (kind) {
            case INTS, LONGS, DOUBLES -> {
                Object data = in.readObject();
                Object bits = in.readObject();
                boolean typed = kind == INTS && data instanceof int[]
                        || kind == LONGS && data instanceof long[]
                        || kind == DOUBLES && data instanceof double[];
                if (!typed || (bits != null && !(bits instanceof long[]))) {
                    throw new InvalidObjectException("a packed column of kind " + kind + " holds " + data);
                }
                column = data;
                size = Array.getLength(data);
                nulls = (long[]) bits;
                if (nulls != null && nulls.length != (size + 63) >>> 6) {
                    throw new InvalidObjectException("a null bitmap of " + nulls.length + " words for " + size);
                }
            }
            case STRINGS -> readStrings(in);
            case OBJECTS -> {
                if (!(in.readObject() instanceof Object[] a)) {
                    throw new InvalidObjectException("a packed list of objects without its array");
                }
                items = a;
                size = a.length;
            }
            default -> throw new InvalidObjectException("unknown packed kind " + kind);
        }
    }

    private void readStrings(ObjectInputStream in) throws IOException, ClassNotFoundException {
        if (!(in.readObject() instanceof int[] lengths) || !(in.readObject() instanceof byte[] blob)) {
            throw new InvalidObjectException("a packed list of strings without its lengths and bytes");
        }
        String[] strings = new String[lengths.length];
        int at = 0;
        for (int i = 0; i < lengths.length; i++) {
            int n = lengths[i];
            if (n < -1 || n > blob.length - at) {
                throw new InvalidObjectException("a string of " + n + " bytes at " + at + " of " + blob.length);
            }
            if (n >= 0) {
                strings[i] = new String(blob, at, n, StandardCharsets.UTF_8);
                at += n;
            }
        }
        items = strings;
        size = strings.length;
    }
}
