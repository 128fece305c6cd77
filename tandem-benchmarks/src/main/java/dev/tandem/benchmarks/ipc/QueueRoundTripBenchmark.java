package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SharedQueue;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Question: what does one request/response round trip of a 64-byte message cost through a pair of
 * {@link SharedQueue}s to another process, compared with the same queues to a thread of this JVM,
 * a Unix-domain socket to another process, and a pipe (the child's stdin/stdout) to another
 * process?
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar QueueRoundTripBenchmark -f 1 -wi 2 -i 3 -r 1s
 * taskset -c 0 java -jar tandem-benchmarks/target/benchmarks.jar QueueRoundTripBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class QueueRoundTripBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Where the echo runs and how messages travel. */
    @Param({"queue-process", "queue-thread", "socket-process", "pipe-process"})
    public String transport;

    private final byte[] message = new byte[64];
    private SharedQueue ping;
    private SharedQueue pong;
    private Process peer;
    private Thread echoThread;
    private IpcPeer.Listener listener;
    private SocketChannel socket;
    private IpcPeer.FrameReader reader;
    private OutputStream pipeOut;

    /**
     * Starts the echo peer.
     *
     * @throws Exception if it cannot start
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        switch (transport) {
            case "queue-process", "queue-thread" -> {
                ping = SharedQueue.create(64, 64);
                pong = SharedQueue.create(64, 64);
                if (transport.equals("queue-process")) {
                    peer = IpcPeer.start(
                            List.of(), "queue-echo", IpcPeer.encode(ping.handle()), IpcPeer.encode(pong.handle()));
                } else {
                    echoThread = Thread.ofPlatform().start(() -> {
                        try {
                            IpcPeer.queueEcho(ping.handle(), pong.handle());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }
            case "socket-process" -> {
                listener = new IpcPeer.Listener();
                peer = IpcPeer.start(List.of(), "socket-echo", listener.path.toString());
                socket = listener.server.accept();
                reader = new IpcPeer.FrameReader(Channels.newInputStream(socket));
            }
            case "pipe-process" -> {
                peer = IpcPeer.start(List.of(), "pipe-echo");
                pipeOut = peer.getOutputStream();
                InputStream in = peer.getInputStream();
                reader = new IpcPeer.FrameReader(in);
            }
            default -> throw new IllegalArgumentException(transport);
        }
    }

    /**
     * One round trip.
     *
     * @return the echoed message
     * @throws Exception on failure
     */
    @Benchmark
    public byte[] roundTrip() throws Exception {
        switch (transport) {
            case "queue-process", "queue-thread" -> {
                if (!ping.put(message, TIMEOUT)) {
                    throw new IllegalStateException("put timed out");
                }
                byte[] echoed = pong.take(TIMEOUT);
                if (echoed == null) {
                    throw new IllegalStateException("no echo");
                }
                return echoed;
            }
            case "socket-process" -> {
                IpcPeer.writeFrame(socket, message);
                return reader.read();
            }
            default -> {
                IpcPeer.writeFrame(pipeOut, message);
                return reader.read();
            }
        }
    }

    /**
     * Stops the peer and removes what the trial created.
     *
     * @throws Exception on failure
     */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (ping != null) {
            ping.put(new byte[0], TIMEOUT);
        }
        if (socket != null) {
            socket.close();
        }
        if (pipeOut != null) {
            pipeOut.close();
        }
        IpcPeer.stop(peer);
        if (echoThread != null) {
            echoThread.join(Duration.ofSeconds(5));
        }
        if (listener != null) {
            listener.close();
        }
        if (ping != null) {
            ping.close();
            pong.close();
        }
    }
}
