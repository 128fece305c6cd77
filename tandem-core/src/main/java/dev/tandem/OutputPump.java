package dev.tandem;

import dev.tandem.spi.CacheFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Copies one output stream of a worker JVM (its stdout or stderr pipe) to the caller's, each line
 * prefixed with the worker id, and keeps the last lines for failure reports. One daemon thread per
 * stream; it ends at the stream's end, when the worker and every process that inherited the pipe
 * have exited.
 *
 * <h2>Bounded memory</h2>
 * A worker may print anything, a gigabyte without a newline included, so the pump never holds a
 * whole line: it reads into a fixed buffer of {@link #MAX_LINE_CHARS} characters, and a longer line
 * is forwarded in pieces of that size, each but the last ending with {@link #SPLIT_MARK}. The tail
 * keeps at most {@link #TAIL_LINES} lines; a line longer than {@link #TAIL_LINE_CHARS} characters,
 * split or not, counts once, as its beginning, its length and its end (the last bytes a dying
 * worker wrote matter most). So a pump uses about 40 KiB whatever the
 * worker writes (the reader's buffers, the line, the tail).
 *
 * <h2>Failure</h2>
 * The pump never dies before the stream ends: the worker would then block on a full pipe, or lose
 * what it writes later, and the failure report would lose its tail. An error while forwarding or
 * keeping a piece (an {@link OutOfMemoryError} caused elsewhere in the caller, a {@code System.out}
 * that throws) drops that piece, notes it in the tail, and the pump goes on. If decoding itself
 * keeps failing, the pump drains the rest of the stream as raw bytes, discarding them. Only the end
 * of the stream, or an {@link IOException} reading it (the pipe closed), ends the pump.
 *
 * <h2>Encoding</h2>
 * Bytes are decoded with the charset the worker encodes with: the caller passes its own
 * {@code stdout.encoding} and {@code stderr.encoding} to workers (see {@link WorkerLauncher}) and
 * decodes with the same, so forwarded text prints as the same task's output would in a thread.
 */
final class OutputPump implements Runnable {
    /** The longest piece of a line forwarded at once, in chars; longer lines are split. */
    static final int MAX_LINE_CHARS = 8192;
    /** Ends every piece of a split line but its last. */
    static final String SPLIT_MARK = " [line continues]";

    private static final int TAIL_LINES = 40;
    private static final int TAIL_LINE_CHARS = 500;
    /** How much of a long line's beginning the tail keeps. */
    private static final int TAIL_HEAD_CHARS = 100;
    /** How much of a long line's end the tail keeps. */
    private static final int TAIL_END_CHARS = 400;
    /** Consecutive decoding failures after which the rest of the stream is drained as raw bytes. */
    private static final int MAX_READ_FAILURES = 3;

    /** Set for a worker that trains an AOT cache: the JDK's progress lines at its exit are not forwarded. */
    private volatile boolean quietAotTraining;
    /** Whether the last piece emitted continues on the next (a long line); pump thread only. */
    private boolean midLine;
    /** Whether the line being emitted is the JVM's banner of picked-up options; pump thread only. */
    private boolean inBanner;

    private final InputStream in;
    private final String prefix;
    private final Supplier<PrintStream> target;
    private final boolean forward;
    private final Charset charset;
    private final ArrayDeque<String> tail = new ArrayDeque<>(); // guarded by this
    /** The split line being kept: chars so far, its beginning and its end so far; guarded by this. */
    private long tailSplitChars;

    private String splitHead = "";
    private String splitEnd = "";
    private final Thread thread;

    // Used only by the pump thread.
    private final char[] line = new char[MAX_LINE_CHARS];
    private int length;
    /** Chars of the current line already forwarded as pieces; 0 while it was not split. */
    private long splitChars;
    /** The previous char ended a line with CR: a following LF belongs to it. */
    private boolean afterCarriageReturn;

    /**
     * A pump, not started yet.
     *
     * @param in the worker's stdout or stderr pipe
     * @param prefix put before every forwarded line, such as {@code "[worker 3] "}
     * @param target where lines are forwarded, read for each line (a test may replace System.out)
     * @param forward whether lines are forwarded, or only kept as the tail
     * @param charset the charset the worker writes this stream in
     * @param name the pump thread's name
     */
    OutputPump(
            InputStream in,
            String prefix,
            Supplier<PrintStream> target,
            boolean forward,
            Charset charset,
            String name) {
        this.in = in;
        this.prefix = prefix;
        this.target = target;
        this.forward = forward;
        this.charset = charset;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    /** Leaves out the JDK's chatter about AOT caches, for a worker that trains one; set before {@link #start()}. */
    void quietAotTraining() {
        quietAotTraining = true;
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try (Reader reader = new InputStreamReader(in, charset)) {
            pump(reader);
        } catch (IOException e) {
            // closing the pipe failed: nothing to do, the worker is gone
        }
    }

    private void pump(Reader reader) {
        char[] buffer = new char[MAX_LINE_CHARS];
        int failures = 0;
        while (true) {
            int n;
            try {
                n = reader.read(buffer);
            } catch (IOException e) {
                break; // the pipe closed under us: the worker is gone
            } catch (Throwable e) { // an error decoding, such as OutOfMemoryError caused elsewhere
                note(e);
                if (++failures < MAX_READ_FAILURES) {
                    continue;
                }
                drainRaw();
                return;
            }
            if (n < 0) {
                break;
            }
            failures = 0;
            for (int i = 0; i < n; i++) {
                accept(buffer[i]);
            }
        }
        if (length > 0 || splitChars > 0) {
            endLine();
        }
    }

    private void accept(char c) {
        boolean lf = c == '\n';
        if (lf && afterCarriageReturn) {
            afterCarriageReturn = false;
            return;
        }
        afterCarriageReturn = c == '\r';
        if (lf || c == '\r') {
            endLine();
            return;
        }
        if (length == MAX_LINE_CHARS) {
            // Never split a surrogate pair: a high surrogate at the end starts the next piece.
            boolean carry = Character.isHighSurrogate(line[length - 1]);
            int piece = carry ? length - 1 : length;
            emit(new String(line, 0, piece), true);
            splitChars += piece;
            length = 0;
            if (carry) {
                line[length++] = line[MAX_LINE_CHARS - 1];
            }
        }
        line[length++] = c;
    }

    private void endLine() {
        emit(new String(line, 0, length), false);
        splitChars = 0;
        length = 0;
    }

    /**
     * Forwards a piece and keeps it in the tail, but for the JVM's banner of the options it picked up
     * from the environment (a line of the whole class path, when a launcher passes it so): a tail is
     * there to say why a worker ended, and that line crowded out what the worker wrote. Never throws.
     */
    private void emit(String piece, boolean continues) {
        try {
            if (!midLine) {
                inBanner = CacheFolder.isOptionsBanner(piece);
            }
            midLine = continues;
            if (!inBanner) {
                keep(piece, continues);
            }
            if (forward && !(quietAotTraining && CacheFolder.isAotChatter(piece))) {
                target.get().println(prefix + piece + (continues ? SPLIT_MARK : ""));
            }
        } catch (Throwable e) { // never die: the worker would block on a full pipe
            note(e);
        }
    }

    /**
     * Keeps each line in the tail: whole when short, else its first {@link #TAIL_HEAD_CHARS} and
     * last {@link #TAIL_END_CHARS} characters around its length. The end matters most: what a
     * worker wrote last before it died is often at the end of a long line.
     */
    private synchronized void keep(String piece, boolean continues) {
        if (continues) {
            if (tailSplitChars == 0) {
                splitHead = piece.substring(0, Math.min(TAIL_HEAD_CHARS, piece.length()));
                splitEnd = "";
            }
            splitEnd = last(splitEnd + last(piece, TAIL_END_CHARS), TAIL_END_CHARS);
            tailSplitChars += piece.length();
            return;
        }
        String entry;
        if (tailSplitChars == 0) {
            entry = piece.length() <= TAIL_LINE_CHARS
                    ? piece
                    : shortened(piece.substring(0, TAIL_HEAD_CHARS), piece.length(), last(piece, TAIL_END_CHARS), "");
        } else {
            entry = shortened(
                    splitHead,
                    tailSplitChars + piece.length(),
                    last(splitEnd + piece, TAIL_END_CHARS),
                    ", forwarded in pieces of " + MAX_LINE_CHARS);
            tailSplitChars = 0;
        }
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(entry);
    }

    private static String shortened(String head, long chars, String end, String how) {
        return head + " ... [a line of " + chars + " chars" + how + "] ... " + end;
    }

    private static String last(String s, int chars) {
        return s.length() <= chars ? s : s.substring(s.length() - chars);
    }

    /** Records in the tail that output was dropped; never throws. */
    private void note(Throwable e) {
        try {
            synchronized (this) {
                if (tail.size() == TAIL_LINES) {
                    tail.removeFirst();
                }
                tail.addLast("[tandem: output of this worker was dropped: " + e + "]");
            }
        } catch (Throwable ignored) {
            // not even room for the note: the pump goes on all the same
        }
    }

    /** Reads and discards the rest of the stream, so the worker never blocks on a full pipe. */
    private void drainRaw() {
        byte[] sink = new byte[MAX_LINE_CHARS];
        for (int failures = 0; failures < MAX_READ_FAILURES; ) {
            try {
                if (in.read(sink) < 0) {
                    return;
                }
                failures = 0;
            } catch (IOException e) {
                return; // the pipe closed: the worker is gone
            } catch (Throwable e) {
                failures++;
            }
        }
    }

    /**
     * {@return the charset named by a system property of this JVM, such as {@code stdout.encoding},
     * or the default charset if it is unset or unknown}
     *
     * @param property the property's name
     */
    static Charset encoding(String property) {
        String name = System.getProperty(property);
        try {
            return name == null || name.isBlank() ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
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

    /** {@return the last lines, oldest first, joined by newlines} */
    synchronized String tail() {
        if (tailSplitChars > 0) { // a line still being read: the worker died in its middle, or wrote on
            return String.join("\n", tail)
                    + (tail.isEmpty() ? "" : "\n")
                    + shortened(splitHead, tailSplitChars, splitEnd, " so far")
                    + SPLIT_MARK;
        }
        return String.join("\n", tail);
    }
}
