package dev.tandem;

import java.io.Serial;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The worker JVM that was running a task died before the task completed: by {@code System.exit},
 * {@code Runtime.halt}, an {@link OutOfMemoryError} or stack overflow that ended it, a signal from
 * outside, or a native crash. Only the tasks that worker was running fail; the pool replaces the
 * worker and stays usable.
 *
 * <p>The message says what is known: the worker id and pid, the exit code or signal, the task, a
 * hint about the likely cause, the tail of the worker's stderr and the path of a JVM crash log. In
 * cluster mode it also names the node the worker ran on; a lost node is a {@link NodeLostException}.
 */
public class WorkerLostException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int workerId;
    private final long pid;
    private final Integer exitCode;
    private final String signal;
    private final String task;
    private final String stderrTail;
    private final String crashLog;
    private final String hint;
    private final String node;

    WorkerLostException(
            int workerId,
            long pid,
            Integer exitCode,
            String signal,
            String task,
            String hint,
            String stderrTail,
            String crashLog) {
        this(workerId, pid, exitCode, signal, task, hint, stderrTail, crashLog, null);
    }

    WorkerLostException(
            int workerId,
            long pid,
            Integer exitCode,
            String signal,
            String task,
            String hint,
            String stderrTail,
            String crashLog,
            String node) {
        this(
                describe(workerId, pid, exitCode, signal, task, hint, stderrTail, crashLog, node),
                workerId,
                pid,
                exitCode,
                signal,
                task,
                hint,
                stderrTail,
                crashLog,
                node);
    }

    /** With a message of its own, for a subclass that words its loss differently ({@link NodeLostException}). */
    WorkerLostException(
            String message,
            int workerId,
            long pid,
            Integer exitCode,
            String signal,
            String task,
            String hint,
            String stderrTail,
            String crashLog,
            String node) {
        super(message);
        this.node = node;
        this.workerId = workerId;
        this.pid = pid;
        this.exitCode = exitCode;
        this.signal = signal;
        this.task = task;
        this.stderrTail = stderrTail;
        this.crashLog = crashLog;
        this.hint = hint;
    }

    private static String describe(
            int workerId,
            long pid,
            Integer exitCode,
            String signal,
            String task,
            String hint,
            String stderrTail,
            String crashLog,
            String node) {
        StringBuilder b = new StringBuilder("worker ")
                .append(workerId)
                .append(" (pid ")
                .append(pid)
                .append(')');
        if (node != null) {
            b.append(" on node ").append(node);
        }
        b.append(" died");
        if (exitCode != null) {
            b.append(" with exit code ").append(exitCode);
        }
        if (signal != null) {
            b.append(" (").append(signal).append(')');
        }
        b.append(" while running ").append(task);
        if (hint != null && !hint.isEmpty()) {
            b.append(": ").append(hint);
        }
        if (crashLog != null) {
            b.append("; JVM crash log: ").append(crashLog);
        }
        if (stderrTail != null && !stderrTail.isBlank()) {
            b.append("\n--- tail of worker ")
                    .append(workerId)
                    .append(" stderr ---\n")
                    .append(stderrTail.strip());
        }
        return b.toString();
    }

    /** {@return the pool's id of the dead worker, stable for its life and never reused} */
    public int workerId() {
        return workerId;
    }

    /** {@return the operating system's process id of the dead worker} */
    public long pid() {
        return pid;
    }

    /** {@return the worker's exit code, as the OS reported it (128 + n for signal n)} */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** {@return the name of the signal that ended the worker, such as {@code SIGKILL}, if one did} */
    public Optional<String> signal() {
        return Optional.ofNullable(signal);
    }

    /** {@return a description of the task that was running: its id and class} */
    public String task() {
        return task;
    }

    /** {@return the last lines the worker wrote to stderr, possibly empty} */
    public String stderrTail() {
        return stderrTail == null ? "" : stderrTail;
    }

    /** {@return the path of the JVM's fatal error log ({@code hs_err_pid*.log}), if it wrote one} */
    public Optional<String> crashLog() {
        return Optional.ofNullable(crashLog);
    }

    /**
     * {@return the cluster node the worker ran on, such as {@code 10.0.0.6:5701}; empty for a worker
     * JVM of this machine} For a {@link NodeLostException} it is the lost node itself.
     */
    public Optional<String> node() {
        return Optional.ofNullable(node);
    }

    /** {@return the likely cause, such as "killed by SIGKILL, maybe by the OOM killer"} */
    public String hint() {
        return hint == null ? "" : hint;
    }
}
