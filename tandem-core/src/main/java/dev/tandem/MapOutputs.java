package dev.tandem;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The list {@link TaskPool#map} returns: the batches' outputs, appended in input order, kept as they
 * came ({@link PackedList}s, whose numbers stay in primitive arrays until read), never copied into one
 * big list. Unmodifiable; {@link #get} finds the batch by binary search over where each starts.
 *
 * <p>Not thread-safe while {@code map} appends; safe to share once returned (its batches are
 * immutable).
 *
 * @param <R> the output type
 */
final class MapOutputs<R> extends AbstractList<R> implements RandomAccess {
    private final List<List<?>> batches = new ArrayList<>();
    /** Where each batch starts; {@code starts[i]} for {@code batches.get(i)}. */
    private int[] starts = new int[16];

    private int size;

    /** Appends a batch's outputs. */
    void append(List<?> outputs) {
        if (outputs.isEmpty()) {
            return;
        }
        if (batches.size() == starts.length) {
            starts = Arrays.copyOf(starts, starts.length * 2);
        }
        starts[batches.size()] = size;
        batches.add(outputs);
        size = Math.addExact(size, outputs.size());
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        int b = Arrays.binarySearch(starts, 0, batches.size(), index);
        if (b < 0) {
            b = -b - 2;
        }
        return (R) batches.get(b).get(index - starts[b]);
    }

    @Override
    public int size() {
        return size;
    }
}
