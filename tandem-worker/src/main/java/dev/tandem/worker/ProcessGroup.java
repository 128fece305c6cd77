package dev.tandem.worker;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.Set;

/**
 * Makes this worker JVM the leader of a process group of its own, inside its caller's session, so
 * that the processes its tasks start join that group and the caller can end them with it (the
 * caller's {@code ProcessTree.killGroup}).
 *
 * <h2>Why not a session of its own</h2>
 * Workers used to start under {@code setsid}. With {@code kernel.sched_autogroup_enabled=1} (the
 * default of most desktop and many server kernels) every new session is a new scheduling group:
 * each worker then competed as a separate program against its caller's group, and the hand-offs of
 * the shared-memory transport, where caller and worker spin and wake each other, lost about half
 * their throughput (measured 2026-12-03, {@code core.ThroughputBenchmark -p executor=processes-shm}:
 * 191k tasks/s with autogroups, 270k–294k without; see {@code docs/performance.md}). A process group
 * gives the same reach over a worker's children and keeps the worker in its caller's scheduling
 * group.
 *
 * <h2>Job control</h2>
 * A new session also made the worker's group orphaned, so the kernel discarded the job-control
 * stops ({@code SIGTSTP}, {@code SIGTTIN}, {@code SIGTTOU}) sent to it. In the caller's session the
 * group is not orphaned, so the worker ignores those three signals itself: a worker is never stopped
 * by job control (a {@code SIGSTOP} still stops it, and the caller's freeze watch handles that),
 * and the processes its tasks start inherit the ignored dispositions, as they did the orphaned group.
 *
 * <p>Called once, first thing in {@code main}, before the worker starts any process. Needs native
 * access ({@code --enable-native-access=ALL-UNNAMED}, which the caller's launcher passes); without
 * it, or without {@code setpgid} in the C library, the worker stays in its caller's group and the
 * caller's walk of its descendants is what ends the processes its tasks started.
 */
@SuppressWarnings("restricted") // two downcalls, in a JVM started with native access by the pool
final class ProcessGroup {
    /**
     * {@code SIGTSTP}, {@code SIGTTIN} and {@code SIGTTOU} where Linux numbers them 20, 21 and 22 (its
     * generic numbering: x86, ARM, RISC-V, POWER, s390; {@code asm-generic/signal.h}); elsewhere none
     * is ignored.
     */
    private static final int[] JOB_CONTROL_STOPS =
            Set.of("amd64", "x86_64", "aarch64", "arm", "riscv64", "ppc64le", "s390x")
                            .contains(System.getProperty("os.arch"))
                    ? new int[] {20, 21, 22}
                    : new int[0];
    /** {@code SIG_IGN} of {@code <signal.h>}: the handler address 1. */
    private static final MemorySegment SIG_IGN = MemorySegment.ofAddress(1);

    private ProcessGroup() {}

    /**
     * Ignores the job-control stops and leads a new process group ({@code setpgid(0, 0)}).
     *
     * @return whether this process now leads a group whose id is its pid
     */
    static boolean lead() {
        try {
            Optional<MethodHandle> signal = function(
                    "signal", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            if (signal.isPresent()) {
                for (int stop : JOB_CONTROL_STOPS) {
                    // the old handler, unused: invokeExact needs the call's exact return type
                    MemorySegment previous = (MemorySegment) signal.get().invokeExact(stop, SIG_IGN);
                }
            }
            Optional<MethodHandle> setpgid = function(
                    "setpgid", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return setpgid.isPresent() && (int) setpgid.get().invokeExact(0, 0) == 0;
        } catch (Throwable e) { // IllegalCallerException without native access; a failed link
            return false;
        }
    }

    private static Optional<MethodHandle> function(String name, FunctionDescriptor descriptor) {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(name).map(f -> linker.downcallHandle(f, descriptor));
    }
}
