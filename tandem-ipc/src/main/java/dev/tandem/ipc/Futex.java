package dev.tandem.ipc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The cross-process wake-up: Linux {@code futex(2)} called through {@code syscall(3)} from libc,
 * bound once with {@link Linker#nativeLinker()}.
 *
 * <h2>Why a futex</h2>
 * Threads of different JVMs cannot park each other. A futex lets a thread sleep in the kernel on a
 * 32-bit word of a {@code MAP_SHARED} mapping and be woken by any process that maps the same file
 * page: the kernel keys a shared futex by inode and offset, not by virtual address. The private
 * flag ({@code FUTEX_PRIVATE_FLAG}) is therefore never used.
 *
 * <h2>Fallback</h2>
 * Where no futex is available (not Linux, an architecture whose syscall number is unknown here,
 * libc without {@code syscall}, or native access denied), {@link #await} parks the calling thread
 * for a bounded, growing interval (50 µs doubling up to 1 ms) and the caller re-checks its
 * condition. Wake-ups then cost up to 1 ms of latency but never get lost, because every waiter
 * re-reads the shared word after each nap. {@code -Ddev.tandem.ipc.futex=false} makes this JVM's
 * waits park but keeps its wakes, so that it still wakes peers that sleep on the futex (a parking
 * signaller would leave them asleep for a whole slice).
 *
 * <h2>Timeouts and interrupts</h2>
 * A native futex wait cannot be interrupted by {@link Thread#interrupt()}; callers therefore wait in
 * slices of at most {@link Signal#SLICE_NANOS} and check interrupts and peer liveness between them.
 * A virtual thread that waits here pins its carrier for the slice.
 */
@SuppressWarnings("restricted") // the one deliberate native binding; see the class comment
final class Futex {
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final long FALLBACK_MIN_NANOS = 50_000;
    private static final long FALLBACK_MAX_NANOS = 1_000_000;

    /** {@code long syscall(long number, ...)}, or {@code null} when futexes are unavailable. */
    private static final MethodHandle SYSCALL;

    private static final long SYS_FUTEX;
    /** Whether waits sleep on the futex (else they park); wakes are issued whenever SYSCALL exists. */
    private static final boolean WAIT_ON_FUTEX;

    private static final String DESCRIPTION;

    static {
        MethodHandle handle = null;
        long number = syscallNumber(System.getProperty("os.arch", ""));
        String why;
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty("dev.tandem.ipc.futex", "true"));
        boolean linux =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (!linux || number < 0) {
            why = "parking fallback (no futex on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + ")";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> symbol = linker.defaultLookup()
                        .find("syscall")
                        .or(() -> SymbolLookup.loaderLookup().find("syscall"));
                if (symbol.isPresent()) {
                    handle = linker.downcallHandle(
                            symbol.get(),
                            FunctionDescriptor.of(
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG),
                            Linker.Option.firstVariadicArg(1));
                    // Probe: wake nobody on a private word. Returns 0 where futex works.
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
                        long r = (long) handle.invokeExact(number, word.address(), (long) FUTEX_WAKE, 1L, 0L, 0L, 0L);
                        if (r < 0) {
                            handle = null;
                        }
                    }
                }
                why = handle == null
                        ? "parking fallback (libc syscall() unavailable)"
                        : wanted
                                ? "futex"
                                : "parking fallback for waits (-Ddev.tandem.ipc.futex=false); wakes still use futex";
            } catch (Throwable e) {
                handle = null;
                why = "parking fallback (" + e + ")";
            }
        }
        SYSCALL = handle;
        SYS_FUTEX = number;
        WAIT_ON_FUTEX = handle != null && wanted;
        DESCRIPTION = why;
    }

    /** Each thread's {@code struct timespec}, freed with the thread (automatic arena). */
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private Futex() {}

    private static long syscallNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64", "riscv64" -> 98;
            default -> -1;
        };
    }

    /** {@return whether waits use a real futex rather than the parking fallback} */
    static boolean available() {
        return WAIT_ON_FUTEX;
    }

    /** {@return how this JVM waits, for diagnostics} */
    static String describe() {
        return DESCRIPTION;
    }

    /**
     * Sleeps while the 32-bit word at {@code address} holds {@code expected}, at most
     * {@code nanos}. Returns early on a wake-up, a signal, a changed word, or spuriously: callers
     * re-check their condition. With the fallback, naps for {@code min(nanos, backoff)} where
     * {@code backoff} is {@code attempt}-dependent.
     *
     * @param address the word's native address, 4-byte aligned, inside a shared mapping
     * @param expected the value seen by the caller before deciding to sleep
     * @param nanos the longest sleep, positive
     * @param attempt how many times the caller already slept for this wait (for the fallback)
     */
    static void await(long address, int expected, long nanos, int attempt) {
        if (!WAIT_ON_FUTEX) {
            long backoff = Math.min(FALLBACK_MAX_NANOS, FALLBACK_MIN_NANOS << Math.min(attempt, 5));
            LockSupport.parkNanos(Math.min(nanos, backoff));
            return;
        }
        try {
            MemorySegment timespec = TIMESPEC.get();
            timespec.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
            long ignored = (long) SYSCALL.invokeExact(
                    SYS_FUTEX, address, (long) FUTEX_WAIT, (long) expected, timespec.address(), 0L, 0L);
            // 0 (woken), -1 with EAGAIN (word changed), ETIMEDOUT or EINTR: all mean "re-check".
        } catch (Throwable e) {
            throw new IllegalStateException("futex wait failed", e);
        }
    }

    /**
     * Wakes every thread of every process sleeping on the word at {@code address}. A no-op with
     * the fallback, whose waiters poll.
     *
     * @param address the word's native address
     */
    static void wakeAll(long address) {
        if (SYSCALL == null) {
            return;
        }
        try {
            long ignored = (long)
                    SYSCALL.invokeExact(SYS_FUTEX, address, (long) FUTEX_WAKE, (long) Integer.MAX_VALUE, 0L, 0L, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("futex wake failed", e);
        }
    }
}
