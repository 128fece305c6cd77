package dev.tandem.benchmarks.core;

import dev.tandem.Task;
import dev.tandem.TaskPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * How many empty tasks per second does each mode run when they are submitted one by one, unbatched,
 * against the raw JDK executors in the same run? Two workers.
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar Throughput -f 1 -wi 3 -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ThroughputBenchmark {
    static final int TASKS = 10_000;

    private static final Task<Integer> EMPTY = () -> 1;

    @Param({
        "jdk-threadpool",
        "jdk-threadpool-timed",
        "jdk-forkjoin",
        "threads",
        "jdk-virtual",
        "virtual",
        "processes",
        "processes-shm",
        "hybrid"
    })
    public String executor;

    private ExecutorService pool;

    /** Starts the executor under test. */
    @Setup(Level.Trial)
    public void setUp() {
        pool = Pools.start(executor, 2);
    }

    /** Stops it. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Pools.stop(pool);
    }

    /**
     * Submits {@value #TASKS} tasks, then waits for all.
     *
     * @return a checksum
     * @throws Exception if a task failed
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long submitAll() throws Exception {
        List<Future<Integer>> futures = new ArrayList<>(TASKS);
        boolean tandem = pool instanceof TaskPool;
        for (int i = 0; i < TASKS; i++) {
            futures.add(tandem ? ((TaskPool) pool).submit(EMPTY) : pool.submit(EMPTY::call));
        }
        long sum = 0;
        for (Future<Integer> f : futures) {
            sum += f.get();
        }
        return sum;
    }
}
