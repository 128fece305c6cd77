package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every message body round-trips, and a malformed one fails with IOException, never a big allocation. */
class MessageCodecTest {
    @Test
    void helloRoundTrips() throws IOException {
        MessageCodec.Hello h =
                new MessageCodec.Hello(FrameType.PROTOCOL_VERSION, 1234L, "secret", FrameType.ROLE_REPLIES);
        assertThat(MessageCodec.Hello.decode(h.encode())).isEqualTo(h);
    }

    @Test
    void initRoundTripsOverBothTransports() throws IOException {
        MessageCodec.Init socket = MessageCodec.Init.decode(new MessageCodec.Init(3, null, new byte[] {9}).encode());
        assertThat(socket.threads()).isEqualTo(3);
        assertThat(socket.channelHandle()).isNull();
        assertThat(socket.initializer()).containsExactly(9);
        MessageCodec.Init shm =
                MessageCodec.Init.decode(new MessageCodec.Init(1, new byte[] {1, 2}, new byte[0]).encode());
        assertThat(shm.channelHandle()).containsExactly(1, 2);
        assertThat(shm.initializer()).isEmpty();
    }

    @Test
    void copyFailedRoundTrips() throws IOException {
        MessageCodec.CopyFailed c = MessageCodec.CopyFailed.decode(
                new MessageCodec.CopyFailed(FrameType.BOUNDARY_ENCODE_RESULT, new byte[] {4, 5}).encode());
        assertThat(c.boundary()).isEqualTo(FrameType.BOUNDARY_ENCODE_RESULT);
        assertThat(c.throwable()).containsExactly(4, 5);
    }

    @Test
    void jshellStaticsRoundTripInOrder() throws IOException {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("k", new byte[] {1, 2, 3});
        values.put("\u00e9t\u00e9", new byte[0]);
        values.put("a", new byte[] {4});
        MessageCodec.JShellStatics back =
                MessageCodec.JShellStatics.decode(new MessageCodec.JShellStatics(values).encode());
        assertThat(back.values().keySet()).containsExactly("k", "\u00e9t\u00e9", "a");
        assertThat(back.values().get("k")).containsExactly(1, 2, 3);
        assertThat(back.values().get("\u00e9t\u00e9")).isEmpty();
        assertThat(back.values().get("a")).containsExactly(4);
        assertThat(MessageCodec.JShellStatics.decode(new MessageCodec.JShellStatics(Map.of()).encode())
                        .values())
                .isEmpty();
    }

    @Test
    void malformedJShellStaticsFailWithIoExceptionNotABigAllocation() {
        byte[] good = new MessageCodec.JShellStatics(Map.of("k", new byte[] {1, 2})).encode();
        assertThatThrownBy(() -> MessageCodec.JShellStatics.decode(new byte[] {0x7f, 0, 0, 0}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> MessageCodec.JShellStatics.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MessageCodec.JShellStatics.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unexpected bytes");
    }

    @Test
    void malformedBodiesFailWithIoException() {
        assertThatThrownBy(() -> MessageCodec.Hello.decode(new byte[3])).isInstanceOf(IOException.class);
        // an INIT announcing a 2 GiB handle in a 12-byte payload
        byte[] hostile = {0, 0, 0, 1, 0, 0, 0, 1, 0x7f, -1, -1, -1};
        assertThatThrownBy(() -> MessageCodec.Init.decode(hostile)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MessageCodec.Init.decode(new byte[] {0, 0, 0, 0, 0, 0, 0, 0}))
                .isInstanceOf(IOException.class); // zero threads
        assertThatThrownBy(() -> MessageCodec.CopyFailed.decode(new byte[0])).isInstanceOf(IOException.class);
    }
}
