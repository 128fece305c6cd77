package dev.tandem.benchmarks.core;

import dev.tandem.Task;
import dev.tandem.TaskPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
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
 * How long does one empty task take from {@code submit} to {@code get} returning, per mode, against
 * the raw JDK executors in the same run?
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am
 * java -jar tandem-benchmarks/target/benchmarks.jar RoundTrip -f 1 -wi 3 -i 5 -r 2s
 * taskset -c 0 java -jar tandem-benchmarks/target/benchmarks.jar RoundTrip -f 1 -wi 3 -i 5 -r 2s
 * </pre>
 * The forked benchmark JVM inherits {@code taskset}'s CPU, and so do the worker JVMs it starts.
 *
 * <p>What Tandem's JFR events cost (docs/observability.md): {@code -p recording=off,default,all}
 * runs every executor without a recording, under a recording with the JDK's default settings (which
 * record {@code dev.tandem.TaskFinished}), and with every Tandem event enabled; {@code -prof gc} adds
 * the bytes allocated per round trip:
 * <pre>
 * java -jar tandem-benchmarks/target/benchmarks.jar core.RoundTripBenchmark -p recording=off,default,all -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoundTripBenchmark {
    private static final Task<Integer> EMPTY = () -> 1;

    @Param({"jdk-threadpool", "threads", "jdk-virtual", "virtual", "processes", "processes-shm", "hybrid"})
    public String executor;

    /** No JFR recording, one with the JDK's default settings, or one with every Tandem event enabled. */
    @Param({"off"})
    public String recording;

    private ExecutorService pool;
    private Recording jfr;

    /**
     * Starts the recording, if any, then the executor under test.
     *
     * @throws Exception if the JDK's default JFR configuration cannot be read
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!recording.equals("off")) {
            jfr = new Recording(Configuration.getConfiguration("default"));
            if (recording.equals("all")) {
                jfr.enable("dev.tandem.TaskQueued");
                jfr.enable("dev.tandem.TaskStarted");
            }
            jfr.start();
        }
        pool = Pools.start(executor, 1);
    }

    /** Stops the executor, then discards the recording. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Pools.stop(pool);
        if (jfr != null) {
            jfr.close();
        }
    }

    /**
     * One round trip.
     *
     * @return the task's value
     * @throws Exception if the task failed
     */
    @Benchmark
    public Integer roundTrip() throws Exception {
        return pool instanceof TaskPool t
                ? t.submit(EMPTY).get()
                : pool.submit(EMPTY::call).get();
    }
}
