package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The output pump's bounds and its will to live (issue 9 §5), on in-memory streams. */
class OutputPumpTest {
    private static final int PIECE = OutputPump.MAX_LINE_CHARS;

    /** A target that records each forwarded line. */
    private static final class Lines extends PrintStream {
        final List<String> lines = new ArrayList<>();

        Lines() {
            super(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void println(String line) {
            lines.add(line);
        }
    }

    private static OutputPump pump(String input, PrintStream target, boolean forward) {
        OutputPump pump = new OutputPump(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                "[w] ",
                () -> target,
                forward,
                StandardCharsets.UTF_8,
                "test-pump");
        pump.start();
        pump.awaitEnd(30_000);
        return pump;
    }

    @Test
    void aLongLineIsForwardedInMarkedPiecesWithNothingLost() {
        Lines target = new Lines();
        OutputPump pump = pump("a".repeat(2 * PIECE + 100) + "\nshort\r\nx\ry\nlast without newline", target, true);

        assertThat(target.lines)
                .containsExactly(
                        "[w] " + "a".repeat(PIECE) + OutputPump.SPLIT_MARK,
                        "[w] " + "a".repeat(PIECE) + OutputPump.SPLIT_MARK,
                        "[w] " + "a".repeat(100),
                        "[w] short",
                        "[w] x",
                        "[w] y",
                        "[w] last without newline");
        assertThat(pump.tail().split("\n"))
                .containsExactly(
                        "a".repeat(100) + " ... [a line of " + (2 * PIECE + 100) + " chars, forwarded in pieces of "
                                + PIECE + "] ... " + "a".repeat(400),
                        "short",
                        "x",
                        "y",
                        "last without newline");
    }

    /**
     * Was: a worker that called System.exit had a stderr tail of one line, the JVM's "Picked up
     * JAVA_TOOL_OPTIONS: -Djava.class.path=..." banner of 3,840 chars, which said nothing of its end.
     */
    @Test
    void theJvmsBannerOfPickedUpOptionsIsForwardedButKeptOutOfTheTail() {
        Lines target = new Lines();
        String banner = "Picked up JAVA_TOOL_OPTIONS: -Djava.class.path=" + "/x.jar:".repeat(PIECE / 3);
        OutputPump pump = pump(banner + "\nbefore exit\nPicked up JDK_JAVA_OPTIONS: -Xmx1g\nlast", target, true);
        assertThat(pump.tail().split("\n")).containsExactly("before exit", "last");
        assertThat(target.lines).hasSize(banner.length() / PIECE + 1 + 3).anyMatch(l -> l.contains("before exit"));
        assertThat(target.lines.getFirst()).startsWith("[w] Picked up JAVA_TOOL_OPTIONS");
    }

    @Test
    void aLineOfExactlyOnePieceIsNotSplit() {
        Lines target = new Lines();
        pump("b".repeat(PIECE) + "\n" + "c".repeat(PIECE), target, true);

        assertThat(target.lines).containsExactly("[w] " + "b".repeat(PIECE), "[w] " + "c".repeat(PIECE));
    }

    @Test
    void aSurrogatePairIsNeverCutInTwo() {
        Lines target = new Lines();
        String smile = "\uD83D\uDE00";
        pump("a".repeat(PIECE - 1) + smile + "b\n", target, true);

        assertThat(target.lines)
                .containsExactly("[w] " + "a".repeat(PIECE - 1) + OutputPump.SPLIT_MARK, "[w] " + smile + "b");
    }

    @Test
    void theTailIsBoundedWhateverTheWorkerWrites() {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            input.append("line ").append(i).append(' ').append("z".repeat(1000)).append('\n');
        }
        OutputPump pump = pump(input.toString(), new Lines(), false);

        String[] tail = pump.tail().split("\n");
        assertThat(tail).hasSize(40);
        assertThat(tail[39]).startsWith("line 999 ").endsWith("zzz").hasSizeLessThanOrEqualTo(560);
    }

    @Test
    void aTargetThatThrowsCostsOnlyItsOwnLine() {
        AtomicInteger calls = new AtomicInteger();
        Lines survivors = new Lines();
        PrintStream failing = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (calls.incrementAndGet() % 2 == 1) {
                    throw new OutOfMemoryError("simulated: the caller's heap is full");
                }
                survivors.println(line);
            }
        };
        OutputPump pump = pump("one\ntwo\nthree\nfour\n", failing, true);

        assertThat(survivors.lines).containsExactly("[w] two", "[w] four");
        assertThat(pump.tail())
                .contains("one", "two", "three", "four")
                .contains("output of this worker was dropped: java.lang.OutOfMemoryError: simulated");
    }

    /**
     * Issue 9 (robustness §6a): the tail kept the start of a 300 MiB line and dropped its end, so
     * "LAST-LINE-BEFORE-EXIT", written right before System.exit(9) on the same line, was lost.
     */
    @Test
    void theTailKeepsTheEndOfALongLine() {
        String longLine = "start " + "y".repeat(10 * PIECE + 17) + " LAST-LINE-BEFORE-EXIT";
        OutputPump pump = pump("first\n" + longLine + "\n" + "q".repeat(600) + "THE-END\n", new Lines(), false);

        String[] tail = pump.tail().split("\n");
        assertThat(tail).hasSize(3);
        assertThat(tail[0]).isEqualTo("first");
        assertThat(tail[1])
                .startsWith("start yyy")
                .contains("[a line of " + longLine.length() + " chars, forwarded in pieces of " + PIECE + "]")
                .endsWith("yyy LAST-LINE-BEFORE-EXIT")
                .hasSizeLessThan(600);
        assertThat(tail[2]).contains("[a line of 607 chars]").endsWith("qqqTHE-END");
    }

    @Test
    void aLineCutByTheStreamsEndKeepsItsEnd() {
        OutputPump pump = pump("head " + "y".repeat(3 * PIECE) + " LAST-WORDS", new Lines(), false);

        assertThat(pump.tail()).startsWith("head yyy").endsWith("yyy LAST-WORDS");
    }
}
