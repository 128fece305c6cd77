package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SharedByteArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: how long does it take to hand 256 MiB to another process, as a {@link SharedByteArray}
 * (send its handle; the peer attaches it) versus copying the bytes through a Unix-domain socket
 * (the baseline)? Each op ends when the peer answers. Two pairs of ops:
 * {@code shared} (attach and touch the first and last byte) vs {@code socketCopy} (receive every
 * byte into a direct buffer): the cost of making the data available; and {@code sharedReadAll} vs
 * {@code socketCopyAndReadAll}: the same plus the peer summing every long, the cost when it really
 * uses all of it.
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar LargeTransferBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-Xmx512m",
            "-XX:MaxDirectMemorySize=512m"
        })
public class LargeTransferBenchmark {
    private static final int SIZE = 256 << 20;

    private SharedByteArray array;
    private byte[] encodedHandle;
    private ByteBuffer direct;
    private Process peer;
    private IpcPeer.Listener listener;
    private SocketChannel socket;
    private final ByteBuffer answer = ByteBuffer.allocate(8);

    /**
     * Fills the data, starts the peer.
     *
     * @throws Exception if it cannot start
     */
    @Setup(Level.Trial)
    public void start() throws Exception {
        array = SharedByteArray.create(SIZE);
        MemorySegment memory = array.memory();
        for (long i = 0; i < SIZE; i += 8) {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i);
        }
        encodedHandle = IpcPeer.encode(array.handle()).getBytes(StandardCharsets.US_ASCII);
        direct = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
        MemorySegment.ofBuffer(direct).copyFrom(memory);
        listener = new IpcPeer.Listener();
        peer = IpcPeer.start(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=512m"), "large", listener.path.toString());
        socket = listener.server.accept();
    }

    /**
     * Shared: send the handle; the peer attaches and touches the first and last byte.
     *
     * @return the peer's answer
     * @throws Exception on failure
     */
    @Benchmark
    public long shared() throws Exception {
        return handOff('A');
    }

    /**
     * Shared: send the handle; the peer attaches and sums every long.
     *
     * @return the peer's answer
     * @throws Exception on failure
     */
    @Benchmark
    public long sharedReadAll() throws Exception {
        return handOff('R');
    }

    /**
     * Copy: send the 256 MiB through the socket; the peer receives every byte.
     *
     * @return the peer's answer
     * @throws Exception on failure
     */
    @Benchmark
    public long socketCopy() throws Exception {
        return copy('C');
    }

    /**
     * Copy: send the 256 MiB through the socket; the peer receives and sums every long.
     *
     * @return the peer's answer
     * @throws Exception on failure
     */
    @Benchmark
    public long socketCopyAndReadAll() throws Exception {
        return copy('S');
    }

    private long handOff(char command) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(5 + encodedHandle.length);
        out.put((byte) command).putInt(encodedHandle.length).put(encodedHandle).flip();
        while (out.hasRemaining()) {
            socket.write(out);
        }
        return readAnswer();
    }

    private long copy(char command) throws Exception {
        ByteBuffer header =
                ByteBuffer.allocate(5).put((byte) command).putInt(SIZE).flip();
        while (header.hasRemaining()) {
            socket.write(header);
        }
        direct.clear();
        while (direct.hasRemaining()) {
            socket.write(direct);
        }
        return readAnswer();
    }

    private long readAnswer() throws Exception {
        answer.clear();
        while (answer.hasRemaining()) {
            if (socket.read(answer) < 0) {
                throw new IllegalStateException("peer closed");
            }
        }
        return answer.getLong(0);
    }

    /**
     * Stops the peer and removes what the trial created.
     *
     * @throws Exception on failure
     */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (socket != null) {
            socket.close();
        }
        IpcPeer.stop(peer);
        if (listener != null) {
            listener.close();
        }
        if (array != null) {
            array.close();
        }
    }
}
