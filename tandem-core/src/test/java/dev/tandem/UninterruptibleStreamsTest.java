package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An interrupt makes the channel's streams give up before they consume or send; the views retry. */
class UninterruptibleStreamsTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** Throws as the channel's streams do when interrupted: status set, nothing consumed. */
    private static void refuseIfInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    @Test
    void aReadByAnInterruptedThreadStillReadsAndKeepsTheStatus() throws IOException {
        byte[] data = {1, 2, 3};
        InputStream refusing = new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                refuseIfInterrupted();
                return position < data.length ? data[position++] : -1;
            }
        };
        InputStream in = UninterruptibleStreams.input(refusing);
        Thread.currentThread().interrupt();
        assertThat(in.read()).isEqualTo(1);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        byte[] rest = new byte[2];
        assertThat(in.read(rest, 0, 2)).isPositive();
        assertThat(Thread.interrupted()).isTrue();
        assertThat(rest[0]).isEqualTo((byte) 2);
    }

    @Test
    void aWriteByAnInterruptedThreadIsSentOnceResumingAfterWhatWentOutAndKeepsTheStatus() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream refusing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (Thread.currentThread().isInterrupted() && len > 1) {
                    // as the channel's stream: the first piece went out, then the interrupt stopped it
                    sink.write(b, off, 1);
                    InterruptedIOException e = new InterruptedIOException("interrupted");
                    e.bytesTransferred = 1;
                    throw e;
                }
                refuseIfInterrupted();
                sink.write(b, off, len);
            }
        };
        OutputStream out = UninterruptibleStreams.output(refusing);
        Thread.currentThread().interrupt();
        out.write(new byte[] {3, 4, 5}, 1, 2);
        Thread.currentThread().interrupt();
        out.write(6);
        assertThat(Thread.interrupted()).isTrue();
        assertThat(sink.toByteArray()).containsExactly(4, 5, 6);
    }
}
