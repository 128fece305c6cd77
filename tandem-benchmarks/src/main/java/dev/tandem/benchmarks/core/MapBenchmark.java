package dev.tandem.benchmarks.core;

import dev.tandem.TaskPool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many small inputs per second does {@code map} process with automatic batching? One million
 * integers through {@code x -> x * 2 + 1} on two workers; {@code bench/compare-python.sh} runs
 * Python's {@code multiprocessing.Pool(2).map} on the same inputs in the same run.
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar Map -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MapBenchmark {
    static final int INPUTS = 1_000_000;

    @Param({"threads", "processes", "processes-shm"})
    public String executor;

    private TaskPool pool;
    private List<Integer> inputs;

    /** Starts the pool and makes the inputs. */
    @Setup(Level.Trial)
    public void setUp() {
        pool = (TaskPool) Pools.start(executor, 2);
        inputs = IntStream.range(0, INPUTS).boxed().toList();
    }

    /** Stops the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Pools.stop(pool);
    }

    /**
     * Maps every input.
     *
     * @return the outputs
     */
    @Benchmark
    @OperationsPerInvocation(INPUTS)
    public List<Integer> map() {
        return pool.map(x -> x * 2 + 1, inputs);
    }
}
