package dev.tandem.advisor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The processes a measured task started and left behind. The thread-model trials call the task in
 * this JVM, so whatever it starts is this JVM's child: without this class a task that starts
 * {@code sleep 987} and returns left one process per call behind the advisor (255 after one run).
 *
 * <p><b>Lifecycle.</b> {@link #watch()} notes this JVM's descendants when a run starts (the
 * launcher's, a test harness's: not the run's to end). {@link #reap()}, called once the run's pools
 * are closed (their worker JVMs are gone, so every descendant left is the task's), kills the
 * descendants that were not there at the start and returns how many there were. A shutdown hook reaps on Ctrl-C.
 *
 * <p><b>Worker JVMs.</b> A child started by a task in a worker JVM belongs to that worker; when the
 * worker ends, the operating system gives the child to another parent, and it is no longer this
 * JVM's descendant to find. So {@link #note()}, called before a pool stops its workers, keeps a
 * handle on every process below a child of this JVM, and {@link #reap()} ends those too. A
 * child of the probe JVM, which ends on its own, is not found.
 *
 * <p>Thread-safe: {@link #reap()} may run from a shutdown hook while the run ends.
 */
final class Orphans {
    private static final long KILL_WAIT_MILLIS = 2_000;

    private final Set<Long> before;
    /** Processes below a child of this JVM, noted while that child ran. Guarded by this. */
    private final Map<Long, ProcessHandle> noted = new HashMap<>();

    private Orphans(Set<Long> before) {
        this.before = before;
    }

    /** {@return a watch over this JVM's descendants, those running now being exempt} */
    static Orphans watch() {
        return new Orphans(
                ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet()));
    }

    /** Notes the processes started since {@link #watch()} below a child of this JVM (a worker JVM's children). */
    synchronized void note() {
        long self = ProcessHandle.current().pid();
        ProcessHandle.current()
                .descendants()
                .filter(p -> !before.contains(p.pid()))
                .filter(p -> p.parent().map(pp -> pp.pid() != self).orElse(false))
                .forEach(p -> noted.put(p.pid(), p));
    }

    /** {@return the processes started since {@link #watch()} and still running: descendants, and those noted} */
    synchronized List<ProcessHandle> left() {
        Map<Long, ProcessHandle> left = new LinkedHashMap<>();
        ProcessHandle.current()
                .descendants()
                .filter(p -> !before.contains(p.pid()))
                .forEach(p -> left.put(p.pid(), p));
        noted.values().forEach(p -> left.putIfAbsent(p.pid(), p));
        return left.values().stream().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Kills the processes started since {@link #watch()} that are still running: politely, then by force
     * after a bounded wait.
     *
     * @return how many were running
     */
    synchronized int reap() {
        List<ProcessHandle> left = left();
        left.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
        for (ProcessHandle p : left) {
            long wait = deadline - System.nanoTime();
            try {
                p.onExit().get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // still alive after the wait, or its exit could not be observed: forced below
            }
        }
        left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        noted.clear();
        return left.size();
    }

    /** {@return a thread for {@link Runtime#addShutdownHook} that reaps on Ctrl-C} */
    Thread hook() {
        return Thread.ofPlatform().name("tandem-advise-reaper").unstarted(this::reap);
    }
}
