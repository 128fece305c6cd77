package dev.tandem.protocol;

import java.util.Locale;

/**
 * Whether this JVM's heap has room for an allocation of a given size, asked before the protocol
 * allocates a payload or a value it was sent, so that too large a payload fails as a typed copy
 * error naming the sizes instead of an {@link OutOfMemoryError} (which ends a worker started with
 * {@code -XX:+ExitOnOutOfMemoryError}). Stateless and thread-safe.
 */
public final class HeapRoom {
    /** Head room kept free beside the allocation: objects the decoding itself makes. */
    private static final long MARGIN = 4L << 20;

    private HeapRoom() {}

    /**
     * {@return whether one array of {@code bytes} more can be allocated} Runs a full collection
     * before it answers no, since the heap may hold garbage. An array that large lives in the old
     * generation, which is two thirds of the heap with the default {@code -XX:NewRatio=2}: no array
     * beyond that fits, however empty the heap.
     *
     * @param bytes the size of the allocation
     */
    public static boolean fits(long bytes) {
        if (!mayFit(bytes)) {
            return false;
        }
        if (bytes + MARGIN <= available()) {
            return true;
        }
        System.gc();
        return bytes + MARGIN <= available();
    }

    /**
     * {@return whether one array of {@code bytes} can ever fit: no more than two thirds of the
     * maximum heap} An array that large lives in the old generation, which is two thirds of the heap
     * with the default {@code -XX:NewRatio=2}. Asked instead of {@link #fits} where an
     * {@link OutOfMemoryError} of the allocation itself can be caught and reported: the allocation
     * then makes its own room, as the collector sees fit (G1 reclaims dead large arrays in a young
     * collection), where {@link #fits} would run a full collection whenever garbage fills the heap,
     * and G1 shrinks the heap after one, so that the next large values grow it again into fresh
     * memory.
     *
     * @param bytes the size of the allocation
     */
    public static boolean mayFit(long bytes) {
        return bytes <= Runtime.getRuntime().maxMemory() / 3 * 2;
    }

    /** {@return the bytes the heap can still grow to hold: its maximum less what is in use} */
    static long available() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /**
     * {@return a description of why {@code bytes} did not fit, for messages: "268435456 bytes (256.0
     * MiB), which do not fit in the heap (at most 245.0 MiB, 200.1 MiB of it free after a collection,
     * and no array beyond two thirds of it)"}
     *
     * @param bytes the size that did not fit
     */
    public static String describe(long bytes) {
        Runtime r = Runtime.getRuntime();
        return bytes + " bytes (" + mib(bytes) + "), which do not fit in the heap (at most " + mib(r.maxMemory()) + ", "
                + mib(available()) + " of it free after a collection, and no array beyond two thirds of it)";
    }

    /** {@return {@code bytes} in MiB with one decimal, such as "256.0 MiB"} */
    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
