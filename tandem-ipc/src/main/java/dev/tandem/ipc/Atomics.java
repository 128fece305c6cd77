package dev.tandem.ipc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Typed access to words of a {@link MemorySegment} with explicit memory ordering. Every shared word
 * of this package is read and written through these methods, so the ordering of each access is
 * visible where it is used: {@code plain}, {@code acquire}/{@code release} (for publication) or
 * {@code volatile} (sequentially consistent, for the Dekker-style waiter handshake of {@link Signal}).
 */
final class Atomics {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Atomics() {}

    static long getLongPlain(MemorySegment s, long offset) {
        return (long) LONG.get(s, offset);
    }

    static long getLongAcquire(MemorySegment s, long offset) {
        return (long) LONG.getAcquire(s, offset);
    }

    static long getLongVolatile(MemorySegment s, long offset) {
        return (long) LONG.getVolatile(s, offset);
    }

    static void setLongPlain(MemorySegment s, long offset, long value) {
        LONG.set(s, offset, value);
    }

    static void setLongRelease(MemorySegment s, long offset, long value) {
        LONG.setRelease(s, offset, value);
    }

    static void setLongVolatile(MemorySegment s, long offset, long value) {
        LONG.setVolatile(s, offset, value);
    }

    static boolean casLong(MemorySegment s, long offset, long expected, long value) {
        return LONG.compareAndSet(s, offset, expected, value);
    }

    static long getAndAddLong(MemorySegment s, long offset, long delta) {
        return (long) LONG.getAndAdd(s, offset, delta);
    }

    static int getIntPlain(MemorySegment s, long offset) {
        return (int) INT.get(s, offset);
    }

    static int getIntAcquire(MemorySegment s, long offset) {
        return (int) INT.getAcquire(s, offset);
    }

    static int getIntVolatile(MemorySegment s, long offset) {
        return (int) INT.getVolatile(s, offset);
    }

    static void setIntPlain(MemorySegment s, long offset, int value) {
        INT.set(s, offset, value);
    }

    static void setIntRelease(MemorySegment s, long offset, int value) {
        INT.setRelease(s, offset, value);
    }

    static void setIntVolatile(MemorySegment s, long offset, int value) {
        INT.setVolatile(s, offset, value);
    }

    static boolean casInt(MemorySegment s, long offset, int expected, int value) {
        return INT.compareAndSet(s, offset, expected, value);
    }

    static int getAndAddInt(MemorySegment s, long offset, int delta) {
        return (int) INT.getAndAdd(s, offset, delta);
    }

    /** {@return {@code value} rounded up to a multiple of {@code alignment}, a power of two} */
    static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
