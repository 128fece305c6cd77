package dev.tandem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Names the JVM that owns a file by its pid, start time and pid namespace, written into the file's
 * name as {@code <pid>-<start millis, hex>-<namespace, hex>}, so that a later JVM can tell from the
 * name alone whether the owner still lives: the pool folders in {@code java.io.tmpdir}
 * ({@link PoolFolder}) and the AOT cache's training files ({@link AotCache}) are swept when their
 * owner is dead.
 *
 * <p>The start time guards against pid reuse: a stamp names a live process only if a process with
 * that pid is alive <em>and</em> started at that millisecond ({@link ProcessHandle.Info#startInstant()},
 * which every JVM derives the same way from {@code /proc}). The namespace (the inode of
 * {@code /proc/self/ns/pid}) guards against a folder shared by containers: a stamp from another pid
 * namespace names a process this JVM cannot see, so it counts as alive and its files are never
 * swept from here. A part that cannot be read is written as 0 and then not compared. A zombie
 * (dead, not yet reaped by its parent) counts as dead. Liveness is a snapshot. Immutable.
 *
 * @param pid the owner's pid, positive
 * @param startMillis its start time in epoch milliseconds, or 0 if unknown
 * @param namespace the inode of its pid namespace, or 0 if unknown
 */
record OwnerStamp(long pid, long startMillis, long namespace) {
    private static final long NAMESPACE = readNamespace();
    private static final OwnerStamp SELF = of(ProcessHandle.current());

    /** {@return this JVM's stamp} */
    static OwnerStamp self() {
        return SELF;
    }

    /** {@return the stamp of a process of this JVM's pid namespace, its start time 0 if it cannot be read} */
    static OwnerStamp of(ProcessHandle process) {
        return new OwnerStamp(
                process.pid(),
                process.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
                NAMESPACE);
    }

    /**
     * {@return the stamp written as these three parts of a name, or empty if they are not one}
     *
     * @param pid the pid, decimal
     * @param start the start millis, hex
     * @param namespace the namespace, hex
     */
    static Optional<OwnerStamp> parse(String pid, String start, String namespace) {
        try {
            long p = Long.parseLong(pid);
            long s = Long.parseLong(start, 16);
            long n = Long.parseLong(namespace, 16);
            return p > 0 && s >= 0 && n >= 0 && pid.equals(Long.toString(p))
                    ? Optional.of(new OwnerStamp(p, s, n))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@return the stamp as a file name part: {@code <pid>-<start millis, hex>-<namespace, hex>}} */
    String text() {
        return pid + "-" + Long.toHexString(startMillis) + "-" + Long.toHexString(namespace);
    }

    /** {@return whether the process this stamp names is alive now, or may be (another namespace)} */
    boolean isAlive() {
        if (equals(SELF)) {
            return true;
        }
        if (namespace != 0 && NAMESPACE != 0 && namespace != NAMESPACE) {
            return true; // a process this JVM cannot see: never judged dead from here
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startMillis != 0) {
            Optional<Instant> start = handle.get().info().startInstant();
            if (start.isPresent() && start.get().toEpochMilli() != startMillis) {
                return false; // the pid was reused by another process
            }
        }
        return !isZombie(pid);
    }

    private static long readNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // pid:[4026531836]
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            return close >= 0 && close + 2 < stat.length() && "ZX".indexOf(stat.charAt(close + 2)) >= 0;
        } catch (IOException | SecurityException e) {
            return false; // no procfs: trust ProcessHandle
        }
    }
}
