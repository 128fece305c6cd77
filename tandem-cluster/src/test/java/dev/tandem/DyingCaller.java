package dev.tandem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A caller JVM for {@code ClusterFaultsTest}: connects to the nodes in its arguments (cluster name,
 * secret file, a file, the test's signal port, seeds...), starts a task that writes its worker's
 * pid to the file, signals the test and runs for a minute, and waits to be killed.
 */
public final class DyingCaller {
    private DyingCaller() {}

    public static void main(String[] args) throws Exception {
        String pidFile = args[2];
        RunningSignal.Signal signal = new RunningSignal.Signal(Integer.parseInt(args[3]));
        TaskPool pool = Tandem.cluster(Arrays.copyOfRange(args, 4, args.length))
                .clusterName(args[0])
                .secretFile(Path.of(args[1]))
                .perNode(1, 1)
                .nodeFailureTimeout(Duration.ofSeconds(3))
                .start();
        pool.submit(() -> {
            Files.writeString(
                    Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
            signal.running();
            new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            return 0;
        });
        new CountDownLatch(1).await(120, TimeUnit.SECONDS);
    }
}
