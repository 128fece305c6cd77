package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SharedChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: how many frames per second does one sender stream to another process over a
 * {@link SharedChannel} (1 MiB rings) versus a Unix-domain socket (one write per frame), when the
 * receiver only drains?
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar TransportThroughputBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class TransportThroughputBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The transport. */
    @Param({"shared-channel", "unix-socket"})
    public String transport;

    /** The frame size in bytes. */
    @Param({"64", "16384"})
    public int size;

    private byte[] frame;
    private SharedChannel channel;
    private Process peer;
    private IpcPeer.Listener listener;
    private SocketChannel socket;

    /**
     * Starts the draining peer.
     *
     * @throws Exception if it cannot start
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        frame = new byte[size];
        if (transport.equals("shared-channel")) {
            channel = SharedChannel.create(1 << 20);
            peer = IpcPeer.start(List.of(), "channel-drain", IpcPeer.encode(channel.handle()));
            if (!channel.awaitPeer(Duration.ofSeconds(30))) {
                throw new IllegalStateException("peer did not attach");
            }
        } else {
            listener = new IpcPeer.Listener();
            peer = IpcPeer.start(List.of(), "socket-drain", listener.path.toString());
            socket = listener.server.accept();
        }
    }

    /**
     * Sends one frame (blocking while the ring or socket buffer is full).
     *
     * @throws Exception on failure
     */
    @Benchmark
    public void send() throws Exception {
        if (channel != null) {
            if (!channel.send(frame, TIMEOUT)) {
                throw new IllegalStateException("send timed out");
            }
        } else {
            IpcPeer.writeFrame(socket, frame);
        }
    }

    /**
     * Stops the peer and removes what the trial created.
     *
     * @throws Exception on failure
     */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (channel != null) {
            channel.close();
        }
        if (socket != null) {
            socket.close();
        }
        IpcPeer.stop(peer);
        if (listener != null) {
            listener.close();
        }
    }
}
