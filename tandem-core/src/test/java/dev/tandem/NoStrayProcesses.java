package dev.tandem;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a child process running, after killing it and saying what it was; and
 * when a test failed, prints the child processes it had (Aeron's SystemTestWatcher in small).
 * Worker output itself reaches the test's stdout prefixed with the worker id.
 */
final class NoStrayProcesses implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        if (left.isEmpty()) {
            return;
        }
        // A pool that was just closed may still be reaping: give exits a bounded moment.
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(3, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // still alive: reported below
            }
        }
        List<ProcessHandle> stray = left.stream().filter(ProcessHandle::isAlive).toList();
        if (stray.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("test left processes running (killed now):");
        for (ProcessHandle p : stray) {
            b.append("\n  pid ").append(p.pid()).append(": ")
                    .append(p.info().commandLine().orElse("?"));
            p.destroyForcibly();
        }
        if (context.getExecutionException().isEmpty()) {
            throw new AssertionError(b.toString());
        }
        System.err.println(b);
    }
}
