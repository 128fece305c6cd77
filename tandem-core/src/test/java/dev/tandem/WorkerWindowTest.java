package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WorkerWindow}'s state machine, transition by transition, on a worker that only counts what it
 * is asked. The conductor's pool is a real one over in-process fakes (it only receives the events); the
 * windows under test are not its own, so it never sees them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerWindowTest {
    /** A worker that records kills, exits and flushes, and never ends by itself. */
    static final class CountingWorker implements Worker {
        final AtomicInteger kills = new AtomicInteger();
        final AtomicInteger exits = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public int id() {
            return 7;
        }

        @Override
        public long pid() {
            return 1_000_007;
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public void send(long taskId, byte[] task, boolean stateless) {}

        @Override
        public void cancel(long taskId) {}

        @Override
        public void exit() {
            exits.incrementAndGet();
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        @Override
        public void kill() {
            kills.incrementAndGet();
        }

        @Override
        public long retireAfter() {
            return 0;
        }

        @Override
        public String retireReason(long tasks) {
            return "retired after " + tasks + " tasks";
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final CountingWorker worker = new CountingWorker();
    private ProcessTaskPool pool;
    private WorkerWindow window;

    @BeforeEach
    void start() {
        pool = ConductorSeamTest.pool(Tandem.processes(1), new ConductorSeamTest.FakeStarter());
        window = new WorkerWindow(7, pool, lock);
        lock.lock();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (lock.isHeldByCurrentThread()) {
            lock.unlock();
        }
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * The drawn STARTING to EXITING edge could not be taken: condemning a window whose start had not
     * returned threw a {@link NullPointerException} on its missing worker. A STARTING window now
     * refuses by name, and the edge is gone from the drawing.
     */
    @Test
    void aStartingWindowWasCondemnedIntoANullPointerException() {
        assertThatThrownBy(() -> window.condemnLocked("not needed", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STARTING");
        assertThatThrownBy(() -> window.exitLocked(Runnable::run))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STARTING");
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.STARTING);
        assertThat(window.plannedDeathLocked())
                .as("nothing planned by a refused transition")
                .isNull();
    }

    @Test
    void onlyAStartingWindowStartsAndOnlyAReadyOneRetires() {
        assertThatThrownBy(window::retireLocked).isInstanceOf(IllegalStateException.class);
        window.startedLocked(worker);
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.READY);
        assertThat(window.worker()).isSameAs(worker);
        assertThatThrownBy(() -> window.startedLocked(worker)).isInstanceOf(IllegalStateException.class);
        window.retireLocked();
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.RETIRING);
        assertThatThrownBy(window::retireLocked).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRetiringWorkerIsAskedToExitOnceWithItsRetireReason() {
        window.startedLocked(worker);
        window.retireLocked();
        window.exitLocked(Runnable::run);
        window.exitLocked(Runnable::run);
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.EXITING);
        assertThat(window.plannedDeathLocked()).isEqualTo("retired after 0 tasks");
        assertThat(worker.exits).as("EXIT sent once").hasValue(1);
        assertThat(worker.flushes).as("and flushed on the flusher").hasValue(1);
        assertThat(worker.kills).hasValue(0);
    }

    @Test
    void aCondemnedWorkerIsKilledAndKeepsItsFirstReasonAndAim() {
        window.startedLocked(worker);
        window.condemnLocked("first", null);
        window.condemnLocked("second", null);
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.EXITING);
        assertThat(window.plannedDeathLocked()).isEqualTo("first");
        assertThat(window.aimLocked()).isNull();
        assertThat(worker.kills)
                .as("a second condemn kills again: the first may not have landed")
                .hasValue(2);
        window.deadLocked(new WorkerEnd(worker.pid(), 137, "SIGKILL", null, "", null, null, null));
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.DEAD);
        window.condemnLocked("after death", null);
        assertThat(worker.kills).as("no kill of a dead worker").hasValue(2);
        assertThatThrownBy(() ->
                        window.deadLocked(new WorkerEnd(worker.pid(), 137, "SIGKILL", null, "", null, null, null)))
                .as("a worker ends once")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended twice");
    }

    /** A worker that died before its start returned: its window goes DEAD from STARTING, once. */
    @Test
    void aWorkerThatDiedBeforeItsStartReturnedEndsFromStarting() {
        window.deadLocked(new WorkerEnd(worker.pid(), 1, null, null, "", null, null, null));
        assertThat(window.stateLocked()).isEqualTo(WorkerWindow.State.DEAD);
        assertThatThrownBy(() -> window.startedLocked(worker)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyTransitionAssertsTheConductorsLock() {
        lock.unlock();
        assertThatThrownBy(() -> window.startedLocked(worker)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> window.condemnLocked("no lock", null)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> window.exitLocked(Runnable::run)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(window::retireLocked).isInstanceOf(AssertionError.class);
    }
}
