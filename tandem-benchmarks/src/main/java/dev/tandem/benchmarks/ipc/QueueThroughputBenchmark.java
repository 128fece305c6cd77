package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SharedQueue;
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
 * Question: how many 64-byte messages per second does one producer push through a
 * {@link SharedQueue} (capacity 1024) to a consumer in another process, compared with a consumer
 * thread in this JVM and with a Unix-domain socket (one write per message) to another process?
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar QueueThroughputBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class QueueThroughputBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Where the consumer runs and how messages travel. */
    @Param({"queue-process", "queue-thread", "socket-process"})
    public String transport;

    private final byte[] message = new byte[64];
    private SharedQueue queue;
    private Process peer;
    private Thread drainThread;
    private IpcPeer.Listener listener;
    private SocketChannel socket;

    /**
     * Starts the consumer.
     *
     * @throws Exception if it cannot start
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        if (transport.startsWith("queue")) {
            queue = SharedQueue.create(1024, 64);
            if (transport.equals("queue-process")) {
                peer = IpcPeer.start(List.of(), "queue-drain", IpcPeer.encode(queue.handle()));
            } else {
                drainThread = Thread.ofPlatform().start(() -> {
                    try {
                        IpcPeer.queueDrain(queue.handle());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } else {
            listener = new IpcPeer.Listener();
            peer = IpcPeer.start(List.of(), "socket-drain", listener.path.toString());
            socket = listener.server.accept();
        }
    }

    /**
     * Sends one message (blocking while the queue or socket buffer is full).
     *
     * @throws Exception on failure
     */
    @Benchmark
    public void send() throws Exception {
        if (queue != null) {
            if (!queue.put(message, TIMEOUT)) {
                throw new IllegalStateException("put timed out");
            }
        } else {
            IpcPeer.writeFrame(socket, message);
        }
    }

    /**
     * Stops the consumer and removes what the trial created.
     *
     * @throws Exception on failure
     */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (queue != null) {
            queue.put(new byte[0], TIMEOUT);
        }
        if (socket != null) {
            socket.close();
        }
        IpcPeer.stop(peer);
        if (drainThread != null) {
            drainThread.join(Duration.ofSeconds(5));
        }
        if (listener != null) {
            listener.close();
        }
        if (queue != null) {
            queue.close();
        }
    }
}
