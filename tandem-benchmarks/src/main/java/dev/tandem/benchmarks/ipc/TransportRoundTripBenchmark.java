package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SharedChannel;
import java.nio.channels.Channels;
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
 * Question: for the process pool's request/response traffic, what does one round trip to another
 * process cost over a {@link SharedChannel} (1 MiB rings) versus a Unix-domain socket pair
 * ({@link SocketChannel} over a {@code UnixDomainSocketAddress}, one write per frame, buffered reads)?
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar TransportRoundTripBenchmark -f 1 -wi 2 -i 3 -r 1s
 * taskset -c 0 java -jar tandem-benchmarks/target/benchmarks.jar TransportRoundTripBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class TransportRoundTripBenchmark {
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
    private IpcPeer.FrameReader reader;

    /**
     * Starts the echo peer.
     *
     * @throws Exception if it cannot start
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        frame = new byte[size];
        if (transport.equals("shared-channel")) {
            channel = SharedChannel.create(1 << 20);
            peer = IpcPeer.start(List.of(), "channel-echo", IpcPeer.encode(channel.handle()));
            if (!channel.awaitPeer(Duration.ofSeconds(30))) {
                throw new IllegalStateException("peer did not attach");
            }
        } else {
            listener = new IpcPeer.Listener();
            peer = IpcPeer.start(List.of(), "socket-echo", listener.path.toString());
            socket = listener.server.accept();
            reader = new IpcPeer.FrameReader(Channels.newInputStream(socket));
        }
    }

    /**
     * One round trip.
     *
     * @return the echoed frame
     * @throws Exception on failure
     */
    @Benchmark
    public byte[] roundTrip() throws Exception {
        if (channel != null) {
            if (!channel.send(frame, TIMEOUT)) {
                throw new IllegalStateException("send timed out");
            }
            return channel.receive(TIMEOUT);
        }
        IpcPeer.writeFrame(socket, frame);
        return reader.read();
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
