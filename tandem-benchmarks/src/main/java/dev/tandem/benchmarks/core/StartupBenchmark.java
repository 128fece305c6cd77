package dev.tandem.benchmarks.core;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long from {@code Tandem.processes(2).start()} to the first result? Single shots, each in a
 * running benchmark JVM, so the caller's own class loading is warm but every worker JVM is new;
 * with and without the JDK 25 AOT cache that the pool trains itself (the shaded jar is one jar, so it
 * can be cached; a warm-up iteration trains it).
 *
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar Startup -f 1 -wi 2 -i 10
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(1)
public class StartupBenchmark {
    /** Whether workers start from the AOT cache the pool trains (the first start trains it). */
    @Param({"true", "false"})
    public boolean aot;

    private TaskPool pool;

    /**
     * Starts a two-worker pool and waits for one result.
     *
     * @return the result
     * @throws Exception if it failed
     */
    @Benchmark
    public Integer startToFirstResult() throws Exception {
        pool = Tandem.processes(2).aotCache(aot).start();
        return pool.submit(() -> 1).get();
    }

    /** Closes the pool outside the measured time. */
    @TearDown(Level.Iteration)
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
