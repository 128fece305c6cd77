package dev.tandem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Ends a worker JVM together with the processes it started, so that a timeout, a cancel, a close or
 * a crash stops what the task started too.
 *
 * <h2>How</h2>
 * <ul>
 * <li>Each worker makes itself the leader of a process group of its own, inside its caller's session
 * (the worker's {@code ProcessGroup}: {@code setpgid(0, 0)} first thing in its {@code main}, before it
 * starts any process), so its group's id is its pid and the processes its tasks start join that group.
 * Not a session of its own ({@code setsid}, used before): a new session is a new scheduling group under
 * {@code sched_autogroup}, and halved the shared-memory transport's throughput.
 * <li>A kill by the pool first walks the worker's descendants ({@link ProcessHandle#descendants()}),
 * kills the worker, then the descendants it found.
 * <li>When a worker has ended, however it ended (its own crash included, when its children are no
 * longer its descendants), every process still in its group is killed ({@link #killGroup}), found by
 * reading {@code /proc/<pid>/stat}. A worker that could not lead a group (no native access) leaves no
 * group with its pid as id, so nothing else is touched.
 * <li>A worker whose caller is gone kills its own descendants before it halts.
 * </ul>
 *
 * <h2>Limits</h2>
 * A descendant that leaves the worker's process group ({@code setsid}, {@code setpgid}, a daemon
 * that double-forks into a new session) after the worker died on its own is not found. On systems
 * without {@code /proc}, only the walk applies.
 *
 * <p>Stateless and thread-safe.
 */
final class ProcessTree {
    private ProcessTree() {}

    /** Kills {@code root} and every descendant it has now (SIGKILL). */
    static void killTree(ProcessHandle root) {
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroyForcibly();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
    }

    /** Kills every process of the process group {@code pgid} (SIGKILL); none if there is no such group. */
    static void killGroup(long pgid) {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                if (groupOf(p) == pgid) {
                    ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: no /proc, or a process that went while it was read
        }
    }

    /**
     * {@return whether process {@code pid} is stopped by a signal (state {@code T}; a debugger's stop,
     * {@code t}, is not), false if it is not or cannot be read}
     */
    static boolean stopped(long pid) {
        String[] fields = statFields(Path.of("/proc", Long.toString(pid)));
        return fields != null && fields[0].equals("T");
    }

    /** {@return the process group of the process whose /proc folder is {@code proc}, or -1} */
    private static long groupOf(Path proc) {
        String[] fields = statFields(proc);
        try {
            return fields == null ? -1 : Long.parseLong(fields[2]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@return the state, ppid, pgrp and the rest of {@code proc}'s stat line, or null if it cannot be read} */
    private static String[] statFields(Path proc) {
        try {
            String stat = new String(Files.readAllBytes(proc.resolve("stat")), StandardCharsets.US_ASCII);
            // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 4);
            return fields.length == 4 ? fields : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
