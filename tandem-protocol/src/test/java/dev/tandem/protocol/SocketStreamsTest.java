package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Was: a 64 MiB frame written to a non-blocking socket handed the JDK the whole remaining array on
 * every partial write, which copied all of it into a temporary direct buffer each time (quadratic),
 * and left a buffer the size of the frame cached in the thread.
 */
class SocketStreamsTest {
    /** A non-blocking channel that takes at most {@code perCall} bytes, and every other call none. */
    static final class SlowChannel implements WritableByteChannel, ReadableByteChannel {
        final List<Integer> offered = new ArrayList<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final int perCall;
        byte[] source = new byte[0];
        int read;
        boolean stall;

        SlowChannel(int perCall) {
            this.perCall = perCall;
        }

        @Override
        public int write(ByteBuffer src) {
            offered.add(src.remaining());
            stall = !stall;
            if (stall) {
                return 0;
            }
            int n = Math.min(perCall, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            received.write(b, 0, n);
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            offered.add(dst.remaining());
            if (read == source.length) {
                return -1;
            }
            stall = !stall;
            if (stall) {
                return 0;
            }
            int n = Math.min(Math.min(perCall, dst.remaining()), source.length - read);
            dst.put(source, read, n);
            read += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void aLargeWriteIsHandedToTheChannelInSlicesAndWaitsWhenItTakesNothing() throws IOException {
        SlowChannel channel = new SlowChannel(100_000);
        int[] waits = {0};
        OutputStream out = SocketStreams.output(channel, () -> {
            waits[0]++;
            return true;
        });
        byte[] data = new byte[3_000_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        out.write(data, 0, data.length);
        assertThat(channel.received.toByteArray()).isEqualTo(data);
        assertThat(channel.offered).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(SocketStreams.SLICE_BYTES));
        assertThat(waits[0]).as("one wait per call that took nothing").isPositive();
    }

    @Test
    void readsAskTheChannelForAtMostASliceAndEndWithTheStream() throws IOException {
        SlowChannel channel = new SlowChannel(70_000);
        channel.source = new byte[1_000_000];
        for (int i = 0; i < channel.source.length; i++) {
            channel.source[i] = (byte) (i * 3);
        }
        InputStream in = SocketStreams.input(channel, () -> true);
        byte[] got = in.readNBytes(2_000_000);
        assertThat(got).isEqualTo(channel.source);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(channel.offered).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(SocketStreams.SLICE_BYTES));
    }

    @Test
    void aWaitThatSeesTheChannelClosedEndsTheStream() throws IOException {
        SlowChannel channel = new SlowChannel(10);
        channel.source = new byte[100];
        InputStream in = SocketStreams.input(channel, () -> false);
        assertThat(in.read(new byte[10], 0, 10))
                .as("the first call takes nothing, and the wait says closed")
                .isEqualTo(-1);
    }
}
