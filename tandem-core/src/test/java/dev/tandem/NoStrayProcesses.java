package dev.tandem;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The watcher of every test that starts worker JVMs (Aeron's SystemTestWatcher in small):
 * <ul>
 *   <li>captures what the test and its workers print (workers' stdout and stderr arrive prefixed
 *       with {@code [worker N]}), and prints it only when the test failed, so a failure shows each
 *       child's output while a green run stays quiet;</li>
 *   <li>fails a test that leaves a child process running, after killing it and naming it.</li>
 * </ul>
 * Exit codes and stderr tails of dead workers are in the {@link WorkerLostException}s themselves.
 */
final class NoStrayProcesses implements BeforeEachCallback, AfterEachCallback {
    /**
     * Processes a test class keeps for all its tests (a cluster test's nodes): not strays themselves,
     * though what they start for a test (its worker JVMs) is.
     */
    static final Set<Long> KEPT = ConcurrentHashMap.newKeySet();

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoStrayProcesses.class);

    private record Capture(PrintStream out, PrintStream err, ByteArrayOutputStream buffer) {}

    @Override
    public void beforeEach(ExtensionContext context) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        context.getStore(NS).put("capture", new Capture(System.out, System.err, buffer));
        System.setOut(capture);
        System.setErr(capture);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Capture c = context.getStore(NS).remove("capture", Capture.class);
        if (c != null) {
            System.setOut(c.out);
            System.setErr(c.err);
            if (context.getExecutionException().isPresent()) {
                c.err.println("---- output of " + context.getDisplayName() + " and its workers ----");
                c.err.println(c.buffer.toString(StandardCharsets.UTF_8));
            }
        }
        List<ProcessHandle> left = ProcessHandle.current()
                .descendants()
                .filter(p -> p.isAlive() && !KEPT.contains(p.pid()))
                .toList();
        if (left.isEmpty()) {
            return;
        }
        // A pool that was just closed may still be reaping: give exits a bounded moment. A kept node
        // stops a closed session's workers after its caller heard of the end, and a worker that writes
        // its AOT cache as it exits may take its whole exit grace (28 s) doing so.
        for (ProcessHandle p : left) {
            boolean nodes = p.parent().map(q -> KEPT.contains(q.pid())).orElse(false);
            try {
                p.onExit().get(nodes ? 35 : 3, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // still alive: reported below
            }
        }
        List<ProcessHandle> stray = left.stream().filter(ProcessHandle::isAlive).toList();
        if (stray.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("test left processes running (killed now):");
        for (ProcessHandle p : stray) {
            b.append("\n  pid ")
                    .append(p.pid())
                    .append(": ")
                    .append(p.info().commandLine().orElse("?"));
            p.destroyForcibly();
        }
        if (context.getExecutionException().isEmpty()) {
            throw new AssertionError(b.toString());
        }
        System.err.println(b);
    }
}
