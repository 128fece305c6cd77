package dev.tandem.protocol;

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
        if (bytes > Runtime.getRuntime().maxMemory() / 3 * 2) {
            return false;
        }
        if (bytes + MARGIN <= available()) {
            return true;
        }
        System.gc();
        return bytes + MARGIN <= available();
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
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
