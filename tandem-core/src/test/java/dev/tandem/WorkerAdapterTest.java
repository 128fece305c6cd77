package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ThrowableCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WorkerAdapter}: each frame a worker may send becomes one typed event; anything else is a protocol error. */
class WorkerAdapterTest {
    /** Records each event as a line. */
    private static final class Recorder implements WorkerAdapter.Events {
        final List<String> events = new ArrayList<>();
        byte[] lastThrowable;

        @Override
        public void ready() {
            events.add("ready");
        }

        @Override
        public void initFailed(byte[] throwable) {
            events.add("initFailed " + Arrays.toString(throwable));
        }

        @Override
        public void result(long taskId, byte[] value, boolean more) {
            events.add("result " + taskId + " " + Arrays.toString(value) + " " + more);
        }

        @Override
        public void failed(long taskId, byte[] throwable, boolean more) {
            events.add("failed " + taskId + " " + Arrays.toString(throwable) + " " + more);
        }

        @Override
        public void copyFailed(long taskId, byte boundary, byte[] throwable, boolean more) {
            events.add("copyFailed " + taskId + " " + boundary + " " + more);
            lastThrowable = throwable;
        }
    }

    private final Recorder recorder = new Recorder();
    private final WorkerAdapter adapter = new WorkerAdapter(recorder);

    @Test
    void eachReplyFrameBecomesItsEventWithItsTaskPayloadAndBurstFlag() throws IOException {
        adapter.handle(FrameType.READY, 0, new byte[0], false);
        adapter.handle(FrameType.RESULT, 11, new byte[] {1, 2}, true);
        adapter.handle(FrameType.FAILED, 12, new byte[] {3}, false);
        adapter.handle(FrameType.INIT_FAILED, 0, new byte[] {4}, false);
        assertThat(recorder.events)
                .containsExactly("ready", "result 11 [1, 2] true", "failed 12 [3] false", "initFailed [4]");
    }

    @Test
    void aCopyFailedFrameIsDecodedIntoItsBoundaryAndThrowable() throws IOException {
        byte[] throwable = ThrowableCodec.encode(new IllegalStateException("cannot copy"));
        byte[] payload = new MessageCodec.CopyFailed(FrameType.BOUNDARY_ENCODE_RESULT, throwable).encode();
        adapter.handle(FrameType.COPY_FAILED, 13, payload, true);
        assertThat(recorder.events).containsExactly("copyFailed 13 " + FrameType.BOUNDARY_ENCODE_RESULT + " true");
        assertThat(recorder.lastThrowable).isEqualTo(throwable);
    }

    @Test
    void aFrameOnlyTheCallerSendsIsAProtocolErrorNamingIt() {
        for (byte type : new byte[] {FrameType.HELLO, FrameType.TASK, FrameType.CANCEL, FrameType.EXIT, 99}) {
            assertThatThrownBy(() -> adapter.handle(type, 1, new byte[0], false))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("protocol error: unexpected ")
                    .hasMessageContaining(FrameType.name(type));
        }
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void aReplyTooLargeForTheCallersHeapFailsItsTaskAsACopyFailureNamingTheSize() throws IOException {
        long bytes = 3L << 30;
        adapter.skipped(FrameType.RESULT, 14, bytes);
        adapter.skipped(FrameType.FAILED, 15, bytes);
        assertThat(recorder.events)
                .containsExactly(
                        "copyFailed 14 " + FrameType.BOUNDARY_DECODE_RESULT + " false",
                        "copyFailed 15 " + FrameType.BOUNDARY_DECODE_RESULT + " false");
        Throwable why = ThrowableCodec.decode(
                recorder.lastThrowable, null, null, (name, message) -> new AssertionError(name + ": " + message));
        assertThat(why).isInstanceOf(IOException.class).hasMessageContaining("-Xmx");
    }

    @Test
    void anyOtherFrameTooLargeIsAProtocolErrorNamingItsSize() {
        assertThatThrownBy(() -> adapter.skipped(FrameType.READY, 0, 5_000_000_000L))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("protocol error")
                .hasMessageContaining("5000000000 bytes");
        assertThat(recorder.events).isEmpty();
    }
}
