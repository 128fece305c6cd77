package dev.tandem;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An immutable list that serializes compactly: when every element is an {@link Integer},
 * {@link Long} or {@link Double}, as one primitive array, which Java serialization writes in bulk
 * instead of object by object; otherwise as an {@code Object[]}. {@link TaskPool#map} carries its
 * batches' inputs and outputs in it, so that a million small inputs cost a few bulk copies rather
 * than a million object descriptors. Thread-safe once built.
 */
final class PackedList extends AbstractList<Object> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final byte OBJECTS = 0;
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;

    private transient Object[] items;

    PackedList(Object[] items) {
        this.items = items;
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    private static byte kind(Object[] items) {
        if (items.length == 0 || items[0] == null) {
            return OBJECTS;
        }
        Class<?> c = items[0].getClass();
        byte kind = c == Integer.class ? INTS : c == Long.class ? LONGS : c == Double.class ? DOUBLES : OBJECTS;
        if (kind != OBJECTS) {
            for (Object o : items) {
                if (o == null || o.getClass() != c) {
                    return OBJECTS;
                }
            }
        }
        return kind;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        byte kind = kind(items);
        out.writeByte(kind);
        switch (kind) {
            case INTS -> {
                int[] a = new int[items.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (Integer) items[i];
                }
                out.writeObject(a);
            }
            case LONGS -> {
                long[] a = new long[items.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (Long) items[i];
                }
                out.writeObject(a);
            }
            case DOUBLES -> {
                double[] a = new double[items.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (Double) items[i];
                }
                out.writeObject(a);
            }
            default -> out.writeObject(items);
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        byte kind = in.readByte();
        Object data = in.readObject();
        switch (kind) {
            case INTS -> {
                int[] a = (int[]) data;
                items = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    items[i] = a[i];
                }
            }
            case LONGS -> {
                long[] a = (long[]) data;
                items = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    items[i] = a[i];
                }
            }
            case DOUBLES -> {
                double[] a = (double[]) data;
                items = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    items[i] = a[i];
                }
            }
            case OBJECTS -> items = (Object[]) data;
            default -> throw new InvalidObjectException("unknown packed kind " + kind);
        }
    }
}
