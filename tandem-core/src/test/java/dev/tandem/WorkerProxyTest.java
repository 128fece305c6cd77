package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkerProxy}, the one writer of frames to a worker, over a real {@link SocketLink} whose far
 * end this test reads as the worker would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerProxyTest {
    @TempDir
    Path dir;

    private final List<String> lost = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private SocketLink link;
    /** The worker's end of the tasks connection. */
    private SocketChannel worker;

    private SocketChannel workerReplies;
    private WorkerProxy proxy;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("control.sock")));
        SocketChannel tasks = SocketChannel.open(server.getLocalAddress());
        worker = server.accept();
        SocketChannel replies = SocketChannel.open(server.getLocalAddress());
        workerReplies = server.accept();
        link = new SocketLink(tasks, replies);
        proxy = new WorkerProxy(link, lost::add);
    }

    @AfterEach
    void close() throws IOException {
        Thread.interrupted();
        link.close();
        worker.close();
        workerReplies.close();
        server.close();
    }

    /** Reads {@code n} frames as the worker would: "TYPE id [payload]". */
    private List<String> workerReads(int n) throws IOException {
        worker.configureBlocking(true);
        FrameReader reader = new FrameReader(worker, WorkerLaunch.MAX_FRAME_BYTES);
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            assertThat(reader.next()).as("frame %d of %d", i + 1, n).isTrue();
            byte[] p = reader.payload();
            frames.add(FrameType.name(reader.type()) + " " + reader.taskId()
                    + (p.length <= 8 ? " " + Arrays.toString(p) : " " + p.length + " bytes"));
        }
        return frames;
    }

    @Test
    void framesGoOutOnlyOnFlushAndInTheOrderTheyWereQueued() throws IOException {
        proxy.task(1, new byte[] {1}, false);
        proxy.cancel(1);
        proxy.task(2, new byte[] {2}, true);
        proxy.exit();
        worker.configureBlocking(false);
        assertThat(worker.read(ByteBuffer.allocate(64)))
                .as("nothing written before the flush")
                .isZero();
        proxy.flush();
        assertThat(workerReads(4)).containsExactly("TASK 1 [1]", "CANCEL 1 []", "TASK_STATELESS 2 [2]", "EXIT 0 []");
        assertThat(lost).isEmpty();
    }

    @Test
    void anInterruptedThreadFlushesWholeAndKeepsItsInterrupt() throws IOException {
        proxy.task(3, new byte[] {3}, false);
        Thread.currentThread().interrupt();
        proxy.flush();
        assertThat(Thread.interrupted())
                .as("the interrupt was put aside, then restored")
                .isTrue();
        assertThat(workerReads(1)).containsExactly("TASK 3 [3]");
        assertThat(lost).as("an interrupt does not lose the worker").isEmpty();
    }

    @Test
    void aFrameLargerThanTheSocketsBufferIsWrittenWholeWhileTheWorkerReads() throws Exception {
        byte[] large = new byte[8 << 20];
        Arrays.fill(large, (byte) 7);
        proxy.task(4, large, false);
        proxy.exit();
        Thread flusher = Thread.ofPlatform().start(proxy::flush);
        worker.configureBlocking(true);
        FrameReader reader = new FrameReader(worker, WorkerLaunch.MAX_FRAME_BYTES);
        assertThat(reader.next()).isTrue();
        assertThat(reader.taskId()).isEqualTo(4);
        assertThat(reader.payload()).isEqualTo(large);
        assertThat(reader.next()).isTrue();
        assertThat(reader.type()).isEqualTo(FrameType.EXIT);
        flusher.join();
        assertThat(lost).isEmpty();
    }

    @Test
    void aFlushToAClosedLinkDropsWhatWasQueuedQuietlyAndLeavesTheDeathToTheReader() throws IOException {
        link.close();
        proxy.task(5, new byte[] {5}, false);
        proxy.flush();
        proxy.exit();
        proxy.flush();
        assertThat(lost)
                .as("a gone worker is reported by its reader thread, not as a lost link")
                .isEmpty();
        worker.configureBlocking(true);
        assertThat(worker.read(ByteBuffer.allocate(64)))
                .as("nothing reached the worker")
                .isEqualTo(-1);
    }
}
