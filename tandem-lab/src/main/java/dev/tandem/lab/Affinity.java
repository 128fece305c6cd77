package dev.tandem.lab;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU with Linux's {@code sched_setaffinity(0, ...)} through the FFM
 * API (pid 0 means the calling thread), and reads the CPU it runs on with {@code sched_getcpu()}.
 *
 * <p>Used only inside child JVMs that the lab starts with {@code --enable-native-access=ALL-UNNAMED},
 * so the lab's own JVM never calls a restricted method. Thread-safe: the handles are immutable.
 */
@SuppressWarnings("restricted") // downcall handles; this class runs only in JVMs started with native access
final class Affinity {
    private static final int MASK_BYTES = 128; // 1024 CPUs, as glibc's cpu_set_t
    private static final MethodHandle SET_AFFINITY;
    private static final MethodHandle GET_CPU;

    static {
        Linker linker = Linker.nativeLinker();
        SET_AFFINITY = linker.defaultLookup()
                .find("sched_setaffinity")
                .map(f -> linker.downcallHandle(
                        f,
                        FunctionDescriptor.of(
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG,
                                ValueLayout.ADDRESS)))
                .orElse(null);
        GET_CPU = linker.defaultLookup()
                .find("sched_getcpu")
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
                .orElse(null);
    }

    private Affinity() {}

    /**
     * Pins the calling thread to {@code cpu}.
     *
     * @return true if the kernel accepted the mask
     */
    static boolean pin(int cpu) {
        if (SET_AFFINITY == null || cpu < 0 || cpu >= MASK_BYTES * 8) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SET_AFFINITY.invokeExact(0, (long) MASK_BYTES, mask);
            return rc == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** {@return the CPU the calling thread runs on now, or -1 if unknown} */
    static int currentCpu() {
        if (GET_CPU == null) {
            return -1;
        }
        try {
            return (int) GET_CPU.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }
}
