package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TaskStops}, the deadline and stop policy, on in-process fake workers: which worker is asked,
 * which is killed, in what order, and what the task fails with. Deadlines run on the real shared
 * timer; that nothing happened is proven by a marker scheduled on the same one-thread timer after the
 * check in question, never by sleeping.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskStopsTest {
    /** A worker that logs cancels and kills in order, and runs a hook on cancel (under the pool's lock). */
    static final class LoggingWorker implements Worker {
        final List<String> log = new CopyOnWriteArrayList<>();
        final CountDownLatch killed = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        final AtomicInteger flushes = new AtomicInteger();
        volatile LongConsumer onCancel = id -> {};
        private final int slots;
        private final long selfStopGrace;

        LoggingWorker(int slots, long selfStopGrace) {
            this.slots = slots;
            this.selfStopGrace = selfStopGrace;
        }

        @Override
        public int id() {
            return 3;
        }

        @Override
        public long pid() {
            return 1_000_003;
        }

        @Override
        public int slots() {
            return slots;
        }

        @Override
        public long selfStopGraceNanos() {
            return selfStopGrace;
        }

        @Override
        public void send(long taskId, byte[] task, boolean stateless) {}

        @Override
        public void cancel(long taskId) {
            log.add("cancel " + taskId);
            onCancel.accept(taskId);
            cancelled.countDown();
        }

        @Override
        public void exit() {
            log.add("exit");
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        @Override
        public void kill() {
            log.add("kill");
            killed.countDown();
        }

        @Override
        public long retireAfter() {
            return 0;
        }

        @Override
        public String retireReason(long tasks) {
            return "retired";
        }

        @Override
        public String toString() {
            return "worker 3";
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private ProcessTaskPool pool;
    private long nextId = 1;

    @BeforeEach
    void start() {
        pool = ConductorSeamTest.pool(Tandem.processes(1), new ConductorSeamTest.FakeStarter());
    }

    @AfterEach
    void stop() throws InterruptedException {
        while (lock.isHeldByCurrentThread()) {
            lock.unlock();
        }
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    private WorkerWindow window(LoggingWorker worker) {
        WorkerWindow w = new WorkerWindow(3, pool, lock);
        lock.lock();
        try {
            w.startedLocked(worker);
        } finally {
            lock.unlock();
        }
        return w;
    }

    /** Sends a new task to {@code w}: into its window, as the conductor does. */
    private ProcessFuture<Integer> sent(WorkerWindow w) {
        ProcessFuture<Integer> f = new ProcessFuture<>(pool, nextId++, () -> 1, new byte[0], false, List.of());
        lock.lock();
        try {
            f.sentTo(w);
            w.sendLocked(f);
        } finally {
            lock.unlock();
        }
        return f;
    }

    private void running(TaskStops stops, WorkerWindow w, ProcessFuture<?> f) {
        lock.lock();
        try {
            stops.runningLocked(w, f);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the shared timer has run everything due within {@code nanos} from now. */
    private static void timerPassed(long nanos) throws InterruptedException {
        CountDownLatch marker = new CountDownLatch(1);
        Deadlines.schedule(marker::countDown, nanos);
        assertThat(marker.await(30, TimeUnit.SECONDS)).isTrue();
    }

    private static TaskTimeoutException timeoutOf(ProcessFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
            return (TaskTimeoutException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the task did not time out", e);
        }
        throw new AssertionError("the task succeeded");
    }

    @Test
    void aTimedOutTaskOfAOneSlotWorkerFailsTypedAndItsWorkerIsKilledAimedAtIt() throws Exception {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        running(new TaskStops(lock, Duration.ofMillis(1), Runnable::run), w, f);
        assertThat(worker.killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(timeoutOf(f)).hasMessageContaining("its worker 3 was killed and is being replaced");
        assertThat(worker.log).as("killed at once, never asked").containsExactly("kill");
        lock.lock();
        assertThat(w.stateLocked()).isEqualTo(WorkerWindow.State.EXITING);
        assertThat(w.aimLocked()).as("the kill is aimed at the timed-out task").isSameAs(f);
        assertThat(w.plannedDeathLocked()).contains("timed out after 1 ms");
        assertThat(worker.flushes)
                .as("the stop is flushed off the timer thread")
                .hasValueGreaterThan(0);
    }

    @Test
    void aTimedOutTaskOfAHybridWorkerIsInterruptedFirstAndItsWorkerKilledOnlyIfItKeepsRunning() throws Exception {
        LoggingWorker worker = new LoggingWorker(2, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        running(new TaskStops(lock, Duration.ofMillis(1), Runnable::run), w, f);
        assertThat(worker.killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.log).containsExactly("cancel " + f.id, "kill");
        assertThat(timeoutOf(f)).hasMessageContaining("was asked to interrupt it, and is killed if it does not stop");
        lock.lock();
        assertThat(w.plannedDeathLocked()).endsWith("and did not stop when interrupted");
    }

    @Test
    void aHybridTaskThatStopsWhenInterruptedKeepsItsWorker() throws Exception {
        LoggingWorker worker = new LoggingWorker(2, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        worker.onCancel = id -> w.answeredLocked(id, new int[1]); // it stops at once: its answer comes back
        running(new TaskStops(lock, Duration.ofMillis(1), Runnable::run), w, f);
        assertThat(worker.cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        timerPassed(TaskStops.KILL_GRACE_NANOS + TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(worker.log).as("asked, and not killed after the grace").containsExactly("cancel " + f.id);
        assertThat(timeoutOf(f)).isNotNull();
        lock.lock();
        assertThat(w.stateLocked()).isEqualTo(WorkerWindow.State.READY);
    }

    @Test
    void aWorkerThatStopsItsOwnTasksIsNeverAskedByTheDeadlineAndIsCondemnedOnlyAsABackstop() throws Exception {
        long grace = TimeUnit.MILLISECONDS.toNanos(20);
        LoggingWorker worker = new LoggingWorker(1, grace);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        running(new TaskStops(lock, Duration.ofMillis(1), Runnable::run), w, f);
        assertThat(worker.killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.log).containsExactly("kill");
        assertThat(timeoutOf(f))
                .hasMessageContaining("worker 3 did not report the task's end within 20 ms after its deadline");
        lock.lock();
        assertThat(w.plannedDeathLocked()).endsWith("and its node did not stop it");
    }

    @Test
    void aDeadlineOfATaskThatEndedFirstStopsNothing() throws Exception {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        lock.lock();
        try {
            new TaskStops(lock, Duration.ofMillis(50), Runnable::run).runningLocked(w, f);
            w.answeredLocked(f.id, new int[1]);
            f.succeed(7);
        } finally {
            lock.unlock();
        }
        timerPassed(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(worker.log).isEmpty();
        assertThat(f.get()).isEqualTo(7);
    }

    @Test
    void withoutATimeoutARunningTaskGetsItsClockButNoDeadline() throws Exception {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        running(new TaskStops(lock, null, Runnable::run), w, f);
        timerPassed(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(worker.log).isEmpty();
        assertThat(f.isDone()).isFalse();
        assertThat(f.startedNanos()).isPositive();
    }

    @Test
    void cancellingAQueuedTaskDropsItFromTheWorkersInboxAndARunningOneOnlyWhenItMayInterrupt() {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> first = sent(w);
        ProcessFuture<Integer> queued = sent(w);
        TaskStops stops = new TaskStops(lock, null, Runnable::run);
        lock.lock();
        stops.cancelLocked(w, queued, true);
        assertThat(worker.log).containsExactly("cancel " + queued.id);
        stops.cancelLocked(w, first, false);
        assertThat(worker.log)
                .as("a running task is left to run without mayInterrupt")
                .hasSize(1);
        stops.cancelLocked(w, first, true);
        assertThat(worker.log).containsExactly("cancel " + queued.id, "kill");
        assertThat(w.aimLocked()).isSameAs(first);
        assertThat(w.plannedDeathLocked()).endsWith("was cancelled");
    }

    @Test
    void cancellingATaskOfADeadWorkerOrOfAnotherWorkerDoesNothing() {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        WorkerWindow other = window(new LoggingWorker(1, 0));
        ProcessFuture<Integer> f = sent(w);
        TaskStops stops = new TaskStops(lock, null, Runnable::run);
        lock.lock();
        stops.cancelLocked(other, f, true);
        assertThat(worker.log).as("not sent to that worker").isEmpty();
        w.deadLocked(new WorkerEnd(worker.pid(), 137, "SIGKILL", null, "", null, null, null));
        stops.cancelLocked(w, f, true);
        assertThat(worker.log).as("no kill of a dead worker").isEmpty();
    }

    @Test
    void everyLockedEntryAssertsThePoolsLock() {
        LoggingWorker worker = new LoggingWorker(1, 0);
        WorkerWindow w = window(worker);
        ProcessFuture<Integer> f = sent(w);
        TaskStops stops = new TaskStops(lock, null, Runnable::run);
        assertThatThrownBy(() -> stops.runningLocked(w, f)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> stops.cancelLocked(w, f, true)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> stops.stopLocked(w, f, "no lock")).isInstanceOf(AssertionError.class);
    }
}
