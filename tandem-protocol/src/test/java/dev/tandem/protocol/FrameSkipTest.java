package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Was: a payload larger than the heap made the reader allocate it and die with OutOfMemoryError,
 * which ends a worker started with -XX:+ExitOnOutOfMemoryError. Now it is read past, and the next
 * frame is read as usual.
 */
class FrameSkipTest {
    private static byte[] frame(byte type, long taskId, long payloadBytes, boolean withPayload) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeInt((int) (payloadBytes + FrameType.HEADER_AFTER_LENGTH));
            d.writeByte(type);
            d.writeLong(taskId);
            if (withPayload) {
                d.write(new byte[(int) payloadBytes]);
            }
        }
        return b.toByteArray();
    }

    /** {@code n} zero bytes, made as they are read: nothing of that size is allocated. */
    static InputStream zeros(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                if (left == 0) {
                    return -1;
                }
                left--;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }

    @Test
    void aPayloadLargerThanTheHeapIsReadPastAndTheNextFrameStillArrives() throws IOException {
        long huge = Runtime.getRuntime().maxMemory() + (64L << 20);
        InputStream in = new SequenceInputStream(
                new SequenceInputStream(new ByteArrayInputStream(frame(FrameType.RESULT, 7, huge, false)), zeros(huge)),
                new ByteArrayInputStream(frame(FrameType.RESULT, 8, 3, true)));
        FrameReader r = new FrameReader(in, Integer.MAX_VALUE);
        assertThat(r.next()).isTrue();
        assertThat(r.taskId()).isEqualTo(7);
        assertThat(r.skipped()).isEqualTo(huge);
        assertThat(r.payload()).isNull();
        assertThat(r.next()).isTrue();
        assertThat(r.taskId()).isEqualTo(8);
        assertThat(r.skipped()).isZero();
        assertThat(r.payload()).hasSize(3);
        assertThat(r.next()).isFalse();
    }
}
