package dev.tandem.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Names a process by one positive 64-bit word, {@code startHash << 32 | pid}, so that a holder can
 * be recorded and compared with a single compare-and-set.
 *
 * <p>The start hash is 31 bits of the process's start time ({@link ProcessHandle.Info#startInstant()},
 * which Linux derives from {@code /proc/<pid>/stat} with a resolution of one clock tick; every JVM
 * computes the same value for the same process). It guards against pid reuse: a word names a live
 * process only if a process with that pid is alive <em>and</em> started at that time. A start time
 * that cannot be read hashes to 0 and then only the pid is compared.
 *
 * <p>A zombie (killed but not yet reaped by its parent) counts as dead: on Linux its state letter in
 * {@code /proc/<pid>/stat} is read. Liveness is a snapshot: a live answer may be stale at once.
 */
final class ProcessIdentity {
    private static final long SELF_PID = ProcessHandle.current().pid();
    private static final long SELF = of(SELF_PID, ProcessHandle.current().info().startInstant());

    private ProcessIdentity() {}

    /** {@return this process's identity word} */
    static long self() {
        return SELF;
    }

    /** {@return this process's pid} */
    static long selfPid() {
        return SELF_PID;
    }

    /** {@return the pid part of an identity word} */
    static long pid(long identity) {
        return identity & 0xFFFF_FFFFL;
    }

    /** {@return the start-time hash part of an identity word} */
    static int startHash(long identity) {
        return (int) (identity >>> 32);
    }

    static long of(long pid, Optional<Instant> start) {
        if (pid <= 0 || pid > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("pid out of range: " + pid);
        }
        return ((long) hash(start) << 32) | pid;
    }

    private static int hash(Optional<Instant> start) {
        if (start.isEmpty()) {
            return 0;
        }
        long millis = start.get().toEpochMilli();
        return (int) (millis ^ (millis >>> 31)) & 0x7FFF_FFFF;
    }

    /**
     * {@return whether the process named by {@code identity} is alive}
     *
     * @param identity a word made by {@link #of} or {@link #self}; 0 names no process (dead)
     */
    static boolean isAlive(long identity) {
        if (identity == SELF) {
            return true;
        }
        if (identity <= 0) {
            return false;
        }
        long pid = pid(identity);
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        int expected = startHash(identity);
        if (expected != 0) {
            Optional<Instant> start = handle.get().info().startInstant();
            if (start.isPresent() && hash(start) != expected) {
                return false; // the pid was reused by another process
            }
        }
        return !isZombie(pid);
    }

    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
            int close = text.lastIndexOf(')');
            return close >= 0
                    && close + 2 < text.length()
                    && (text.charAt(close + 2) == 'Z' || text.charAt(close + 2) == 'X');
        } catch (IOException | SecurityException e) {
            return false; // no procfs: trust ProcessHandle
        }
    }

    static String describe(long identity) {
        return "pid " + pid(identity);
    }
}
