package dev.tandem.lab;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.Task;
import dev.tandem.TaskPool;
import dev.tandem.TaskTimeoutException;
import dev.tandem.WorkerLostException;
import dev.tandem.measure.Units;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One fault injected into a running pool, and what followed: the same procedure for every mode.
 *
 * <ol>
 *   <li>Submit one bystander task that runs beside the faulty task (on the other worker, and longer
 *       than most faults take to strike), then the faulty task, then short bystanders that wait
 *       behind both.</li>
 *   <li>Record, as they happen, each bystander's outcome and the fault's (its exception, or nothing if
 *       the whole JVM died).</li>
 *   <li>Once the fault's future is done: the time until a new task succeeds (<em>available</em>), the
 *       time until the pool runs at full strength again, its <em>capacity</em> afterwards (how many of
 *       its workers take a task at once), the threads left stuck in the fault, and the CPU they keep
 *       burning.</li>
 * </ol>
 * Events go to a sink as maps, so that a child JVM can write them to a file line by line and the lab
 * still reads what happened before that JVM died. Not thread-safe except for the sink, which is called
 * under this object's lock.
 */
final class FaultDrill {
    private final TaskPool pool;
    private final Consumer<Map<String, Object>> sink;

    FaultDrill(TaskPool pool, Consumer<Map<String, Object>> sink) {
        this.pool = pool;
        this.sink = sink;
    }

    static Map<String, Object> event(String name, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", name);
        e.put("epochMs", System.currentTimeMillis());
        for (int i = 0; i + 1 < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e;
    }

    private synchronized void emit(Map<String, Object> e) {
        sink.accept(e);
    }

    /**
     * Runs the drill; returns normally unless this JVM dies on the way.
     *
     * @param patienceMillis how long workers wait for each other when the drill counts the free ones:
     *        the task timeout, stretched on a busy machine
     * @param boundMillis the longest wait for any outcome
     */
    void run(
            Fault fault,
            long nonce,
            long besideMillis,
            int queued,
            long napMillis,
            long patienceMillis,
            long boundMillis)
            throws InterruptedException {
        List<Long> pidsBefore = pool.workerPids();
        List<Future<Object>> futures = new ArrayList<>();
        // Warm both workers, so that class loading in a fresh worker does not count against the drill.
        List<Future<Object>> warm = List.of(
                pool.submit((Task<Object>) new Fault.Nap(-1, 1)), pool.submit((Task<Object>) new Fault.Nap(-2, 1)));
        for (Future<Object> w : warm) {
            outcome(w, boundMillis);
        }
        // Bystander 0 runs beside the fault on the other worker, well within any task timeout; the others
        // wait behind both.
        long beside = pool.options().taskTimeout() == null
                ? besideMillis
                : Math.min(besideMillis, pool.options().taskTimeout().toMillis() / 2);
        long t0 = System.nanoTime();
        futures.add(pool.submit((Task<Object>) new Fault.Nap(0, beside)));
        Future<Object> faulty = pool.submit(fault.task(nonce));
        for (int i = 1; i <= queued; i++) {
            futures.add(pool.submit((Task<Object>) new Fault.Nap(i, napMillis)));
        }
        List<Thread> watchers = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            int id = i;
            Future<Object> f = futures.get(i);
            watchers.add(Thread.ofVirtual().start(() -> {
                Object[] outcome = outcome(f, boundMillis);
                emit(event(
                        "bystander",
                        "id",
                        id,
                        "ok",
                        outcome[0] == null,
                        "error",
                        outcome[0],
                        "ms",
                        (System.nanoTime() - t0) / 1e6));
            }));
        }
        Object[] faultOutcome = outcome(faulty, boundMillis);
        long faultDone = System.nanoTime();
        Throwable cause = (Throwable) faultOutcome[1];
        Map<String, Object> fe = event(
                "fault",
                "fault",
                fault.name(),
                "ms",
                (faultDone - t0) / 1e6,
                "outcome",
                faultOutcome[0] == null ? "returned" : faultOutcome[0],
                "message",
                cause == null ? "" : Units.firstLine(cause.getMessage()));
        if (cause instanceof WorkerLostException lost) {
            fe.put("workerPid", lost.pid());
            lost.exitCode().ifPresent(c -> fe.put("workerExit", c));
            lost.signal().ifPresent(sig -> fe.put("workerSignal", sig));
            lost.crashLog().ifPresent(log -> fe.put("crashLog", log));
            fe.put("hint", lost.hint());
        }
        emit(fe);

        // Full strength, for worker JVMs: watched from the fault on, while the bystanders finish.
        long[] fullAt = {-1};
        Thread watcher = pool.mode().isolated()
                ? Thread.ofVirtual().start(() -> fullAt[0] = workersReplaced(pidsBefore, cause, boundMillis))
                : null;
        for (Thread w : watchers) {
            w.join(boundMillis + 1000);
        }

        // Available: once the bystanders are done, how soon a new task runs.
        long a0 = System.nanoTime();
        Object[] probe = outcome(pool.submit(() -> 1), boundMillis);
        emit(event("available", "ok", probe[0] == null, "error", probe[0], "ms", (System.nanoTime() - a0) / 1e6));

        int workers = pool.options().workers();
        int free;
        if (watcher != null) {
            watcher.join(boundMillis + 1000);
            emit(event(
                    "fullStrength", "ok", fullAt[0] >= 0, "ms", fullAt[0] < 0 ? -1.0 : (fullAt[0] - faultDone) / 1e6));
            free = fullAt[0] >= 0
                    ? workers
                    : Math.min(workers, pool.workerPids().size());
        } else {
            // A thread pool never replaces a thread: it is at full strength only if no thread was lost.
            free = freeWorkers(patienceMillis, boundMillis);
            emit(event("fullStrength", "ok", free == workers, "ms", free == workers ? 0.0 : -1.0));
        }
        emit(event(
                "aftermath",
                "stuckThreads",
                stuckThreads(),
                "busyCores",
                busyCores(150),
                "capacity",
                100.0 * free / workers,
                "deadWorkerGone",
                deadWorkerGone(cause)));
    }

    /** {@return [error class simple name or null, the failure or null]}; bounded. */
    private static Object[] outcome(Future<?> f, long boundMillis) {
        try {
            f.get(boundMillis, TimeUnit.MILLISECONDS);
            return new Object[] {null, null};
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            return new Object[] {c.getClass().getSimpleName(), c};
        } catch (TimeoutException e) {
            return new Object[] {"no answer within " + boundMillis + " ms", e};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Object[] {"interrupted", e};
        } catch (RuntimeException e) {
            return new Object[] {e.getClass().getSimpleName(), e};
        }
    }

    /** {@return System.nanoTime() when the worker JVMs were all alive again without the dead one, or -1} */
    private long workersReplaced(List<Long> pidsBefore, Throwable cause, long boundMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        int n = pool.options().workers();
        Set<Long> gone = new HashSet<>();
        if (cause instanceof WorkerLostException lost) {
            gone.add(lost.pid());
        }
        // A worker that died, or was killed at a timeout, must have been replaced by a new one.
        boolean replaced = cause instanceof WorkerLostException || cause instanceof TaskTimeoutException;
        Set<Long> before = new HashSet<>(pidsBefore);
        try {
            while (System.nanoTime() < deadline) {
                List<Long> pids = pool.workerPids();
                boolean fresh = !replaced || !before.containsAll(pids);
                if (pids.size() >= n && fresh && pids.stream().noneMatch(gone::contains)) {
                    return System.nanoTime();
                }
                Thread.sleep(1); // polling the pool's state, bounded by the deadline
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /**
     * {@return how many threads of a thread pool take a task at once} Submits one task per thread; each
     * waits up to {@code patienceMillis} for the others to start. Free threads run them side by side; a
     * pool that lost threads runs them one after another on the threads it has left.
     */
    private int freeWorkers(long patienceMillis, long boundMillis) {
        int n = pool.options().workers();
        CountDownLatch all = new CountDownLatch(n);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        List<Future<Object>> meet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            meet.add(pool.submit((Task<Object>) () -> {
                ran.add(Thread.currentThread());
                all.countDown();
                return all.await(patienceMillis, TimeUnit.MILLISECONDS);
            }));
        }
        for (Future<Object> f : meet) {
            outcome(f, boundMillis);
        }
        for (Future<Object> f : meet) {
            f.cancel(true);
        }
        return ran.size();
    }

    /** {@return how many threads of this JVM are still inside a fault's code} */
    static int stuckThreads() {
        int stuck = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e :
                Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : e.getValue()) {
                if (frame.getClassName().equals(Fault.Injection.class.getName())) {
                    stuck++;
                    break;
                }
            }
        }
        return stuck;
    }

    /** {@return the CPUs this JVM keeps busy over {@code millis} of wall time (1.0 = one core)} */
    static double busyCores(long millis) throws InterruptedException {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(millis); // a measurement window, not a wait for an event
        return (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
    }

    private static boolean deadWorkerGone(Throwable cause) {
        if (cause instanceof WorkerLostException lost) {
            return ProcessHandle.of(lost.pid()).map(p -> !p.isAlive()).orElse(true);
        }
        return true;
    }
}
