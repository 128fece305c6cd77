package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Issue 9 §10: a frame's buffer grows as its bytes arrive, and is handed over, not kept. */
class FrameReaderTest {
    private static byte[] header(int length) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeInt(length);
            d.writeByte(FrameType.RESULT);
            d.writeLong(7);
        }
        return b.toByteArray();
    }

    /** The test JVM's heap is 512 MiB: allocating what the header announces would fail with OOM. */
    @Test
    void aHeaderAnnouncingAGibibyteCostsNothingUntilItsBytesCome() throws IOException {
        FrameReader r = new FrameReader(new ByteArrayInputStream(header(1 << 30)), 1 << 30);
        assertThatThrownBy(r::next).isInstanceOf(EOFException.class);
    }

    @Test
    void largeFramesArriveWholeAndThePayloadIsNotKept() throws IOException {
        int n = 300_000;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(header(n + FrameType.HEADER_AFTER_LENGTH));
        for (int i = 0; i < n; i++) {
            b.write(i);
        }
        FrameReader r = new FrameReader(new ByteArrayInputStream(b.toByteArray()), 1 << 30);
        assertThat(r.next()).isTrue();
        assertThat(r.taskId()).isEqualTo(7);
        byte[] p = r.payload();
        assertThat(p).hasSize(n);
        assertThat(p[n - 1]).isEqualTo((byte) (n - 1));
        assertThat(r.payload()).as("handed over, not kept").isNull();
        assertThat(r.next()).isFalse();
    }
}
