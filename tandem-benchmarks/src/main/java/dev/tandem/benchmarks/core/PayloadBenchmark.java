package dev.tandem.benchmarks.core;

import dev.tandem.Task;
import dev.tandem.TaskPool;
import dev.tandem.benchmarks.ipc.RawSocketPeer;
import dev.tandem.ipc.SharedByteArray;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does it take to hand a {@code byte[]} of 1 KiB to 256 MiB to a worker and to get one
 * back, with default options, per transport, against a raw copy of the same bytes through a Unix
 * socket between two JVMs in the same run (the floor any pool over a socket could reach)?
 *
 * <ul>
 * <li>{@code argument}: {@code submit(() -> data[0] + data[n - 1]).get()} where {@code data} is a
 *     {@code byte[n]} the task captured: the caller serializes it, the worker decodes it, the reply
 *     is an int. The raw baseline writes the bytes from a direct buffer and waits for an 8-byte
 *     answer; the peer reads every byte into a direct buffer.
 * <li>{@code result}: {@code submit(() -> new byte[n]).get()}: the worker allocates, encodes and
 *     sends {@code n} bytes, the caller decodes them into a new array. The raw baseline asks, and
 *     the peer writes {@code n} bytes from a direct buffer that the caller reads into a direct
 *     buffer.
 * </ul>
 * With a transport ending in {@code -shared} the data is a {@code dev.tandem.ipc.SharedByteArray}
 * of {@code n} bytes instead, which travels by reference (its handle; the worker attaches the same
 * memory): {@code argument} is {@code submit(() -> a.get(0) + a.get(n - 1)).get()}, {@code result}
 * is {@code submit(() -> { a.set(n - 1, 1); return a; }).get()}, the same array carried to the worker
 * and back (the caller gets its own object again). No byte of the payload is copied either way.
 *
 * <p>{@code bench/python_peer.py} measures Python's {@code ProcessPoolExecutor(1)} the same way, and
 * {@code bench/compare-python.sh --payload} prints both side by side.
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar core.PayloadBenchmark -f 1 -wi 2 -i 5 -r 2s
 * </pre>
 * Sample time, so that the median can be set beside Python's (a median too): on a loaded machine a
 * mean is mostly the outliers. The benchmark JVM runs with a 3 GiB heap: it holds the payload and what Java serialization makes
 * of it. Workers run with Tandem's defaults.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx3g", "--enable-native-access=ALL-UNNAMED"})
public class PayloadBenchmark {
    @Param({"1024", "1048576", "16777216", "67108864", "268435456"})
    public int size;

    /**
     * {@code processes} (the socket, the default), {@code processes-shm}, {@code raw-socket}, or
     * {@code processes-shared} and {@code processes-shm-shared}: a shared array by reference.
     */
    @Param({"raw-socket", "processes", "processes-shm", "processes-shared", "processes-shm-shared"})
    public String transport;

    private byte[] data;
    private SharedByteArray shared;
    private ExecutorService pool;
    private RawSocketPeer raw;

    /**
     * Makes the payload and starts the pool or the raw peer.
     *
     * @throws Exception if the peer cannot start
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (transport.endsWith("-shared")) {
            shared = SharedByteArray.create(size);
            shared.set(0, (byte) 3);
            pool = Pools.start(transport.substring(0, transport.length() - "-shared".length()), 1);
            return;
        }
        data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        if (transport.equals("raw-socket")) {
            raw = RawSocketPeer.start(size);
        } else {
            pool = Pools.start(transport, 1);
        }
    }

    /**
     * Stops the pool or the peer.
     *
     * @throws Exception if the peer does not stop
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (pool != null) {
            Pools.stop(pool);
        }
        if (raw != null) {
            raw.close();
        }
        if (shared != null) {
            shared.close();
        }
    }

    /**
     * An argument of {@code size} bytes to the worker, an int back.
     *
     * @return the worker's answer
     * @throws Exception if the task failed
     */
    @Benchmark
    public long argument() throws Exception {
        if (raw != null) {
            return raw.send();
        }
        if (shared != null) {
            SharedByteArray a = shared;
            Task<Integer> byReference = () -> a.get(0) + a.get(a.length() - 1);
            return ((TaskPool) pool).submit(byReference).get();
        }
        byte[] d = data;
        Task<Integer> task = () -> d[0] + d[d.length - 1];
        return ((TaskPool) pool).submit(task).get();
    }

    /**
     * A result of {@code size} bytes from the worker.
     *
     * @return its length
     * @throws Exception if the task failed
     */
    @Benchmark
    public long result() throws Exception {
        if (raw != null) {
            return raw.receive();
        }
        if (shared != null) {
            SharedByteArray a = shared;
            Task<SharedByteArray> byReference = () -> {
                a.set(a.length() - 1, (byte) 1);
                return a;
            };
            return ((TaskPool) pool).submit(byReference).get().length();
        }
        int n = size;
        return ((TaskPool) pool).submit(() -> new byte[n]).get().length;
    }
}
