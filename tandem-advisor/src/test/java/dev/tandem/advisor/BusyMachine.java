package dev.tandem.advisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another program that keeps CPUs busy while a test runs: shell loops that spin, started so that
 * they are not descendants of the test JVM (a measurement counts its own descendants as its own
 * work, not as load), and killed by {@link #close()}.
 */
final class BusyMachine implements AutoCloseable {
    private final List<ProcessHandle> burners = new ArrayList<>();

    private BusyMachine() {}

    /** Starts {@code cpus} spinning shells. */
    static BusyMachine burning(int cpus) throws IOException, InterruptedException {
        BusyMachine m = new BusyMachine();
        try {
            for (int i = 0; i < cpus; i++) {
                // the outer shell prints the inner one's pid and exits, so the spinner is orphaned, not ours
                Process launcher = new ProcessBuilder(
                                "sh", "-c", "sh -c 'while :; do :; done' >/dev/null 2>&1 </dev/null & echo $!")
                        .redirectErrorStream(true)
                        .start();
                String pid = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                if (!launcher.waitFor(10, TimeUnit.SECONDS)) {
                    launcher.destroyForcibly();
                    throw new IOException("the shell that starts a CPU burner did not exit");
                }
                m.burners.add(ProcessHandle.of(Long.parseLong(pid))
                        .orElseThrow(() -> new IOException("the CPU burner " + pid + " is not running")));
            }
            return m;
        } catch (IOException | InterruptedException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (ProcessHandle p : burners) {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
        }
    }
}
