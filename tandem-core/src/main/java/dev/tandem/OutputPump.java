package dev.tandem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Copies one output stream of a worker JVM (its stdout or stderr pipe) to the caller's, each line
 * prefixed with the worker id, and keeps the last lines for failure reports. Always drains the pipe,
 * so a chatty worker never blocks on a full pipe. One daemon thread per stream; it ends at the
 * stream's end, when the worker and every process that inherited the pipe have exited.
 */
final class OutputPump implements Runnable {
    private static final int TAIL_LINES = 40;
    private static final int TAIL_LINE_CHARS = 500;

    /** Set for a worker that trains an AOT cache: the JDK's progress lines at its exit are not forwarded. */
    volatile boolean quietAotTraining;

    private final InputStream in;
    private final String prefix;
    private final Supplier<PrintStream> target;
    private final boolean forward;
    private final ArrayDeque<String> tail = new ArrayDeque<>(); // guarded by this
    private final Thread thread;

    OutputPump(InputStream in, String prefix, Supplier<PrintStream> target, boolean forward, String name) {
        this.in = in;
        this.prefix = prefix;
        this.target = target;
        this.forward = forward;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line.length() > TAIL_LINE_CHARS ? line.substring(0, TAIL_LINE_CHARS) + "..." : line);
                }
                if (forward && !(quietAotTraining && isAotTrainingChatter(line))) {
                    target.get().println(prefix + line);
                }
            }
        } catch (IOException e) {
            // the pipe closed under us: the worker is gone
        }
    }

    /**
     * Waits a bounded time for the stream to end, so that a report includes the last lines.
     *
     * @param millis the bound
     */
    void awaitEnd(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isAotTrainingChatter(String line) {
        return line.contains("AOTConfiguration")
                || line.contains("AOTCache")
                || line.contains("AOT cache")
                || line.contains("AOT configuration")
                || line.startsWith("Picked up JAVA_TOOL_OPTIONS");
    }

    synchronized String tail() {
        return String.join("\n", tail);
    }
}
