package dev.tandem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns how a worker JVM ended into words: signal names, likely causes and the crash log. */
final class DeathReport {
    private static final Pattern CRASH_LOG = Pattern.compile("#\\s+(/\\S+hs_err\\S*\\.log)");

    private DeathReport() {}

    /** {@return the signal name for an exit code of 128 + n, or null} */
    static String signal(Integer exitCode) {
        if (exitCode == null || exitCode <= 128 || exitCode > 128 + 64) {
            return null;
        }
        return switch (exitCode - 128) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> "signal " + (exitCode - 128);
        };
    }

    /** {@return a likely cause of an unplanned death} */
    static String hint(Integer exitCode, String stderrTail, String crashLog) {
        String tail = stderrTail == null ? "" : stderrTail;
        if (tail.contains("OutOfMemoryError")) {
            return "OutOfMemoryError: the task exhausted the worker's heap; raise it with"
                    + " jvmOptions(\"-Xmx1g\") or make the task use less memory";
        }
        if (exitCode == null) {
            return "the worker's control channel broke";
        }
        if (crashLog != null || tail.contains("A fatal error has been detected")) {
            return "native crash: the JVM died in native code (JNI, FFM or a JVM bug); see the crash log";
        }
        return switch (exitCode) {
            case 0 -> "the worker exited normally: a task called System.exit(0)?";
            case 137 -> "137: killed by SIGKILL, by kill -9 or maybe by the OOM killer (check dmesg)";
            case 134 -> "134: SIGABRT, the JVM aborted (a native crash or an assertion in native code)";
            case 139 -> "139: SIGSEGV, a segmentation fault in native code";
            case 143 -> "143: terminated by SIGTERM";
            case 130 -> "130: interrupted by SIGINT";
            default ->
                exitCode > 128
                        ? exitCode + ": killed by " + signal(exitCode)
                        : "exit code " + exitCode + ": a task called System.exit(" + exitCode + ") or Runtime.halt("
                                + exitCode + ")?";
        };
    }

    /** {@return the path of the JVM's crash log if it wrote one, or null} */
    static String crashLog(long pid, String stderrTail, Path errorFileDir) {
        if (stderrTail != null) {
            Matcher m = CRASH_LOG.matcher(stderrTail);
            if (m.find()) {
                return m.group(1);
            }
        }
        Path p = errorFileDir.resolve("hs_err_pid" + pid + ".log");
        return Files.exists(p) ? p.toString() : null;
    }
}
