package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.RunState.State;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RunState}, the pool's run state machine: it only moves forward, and says why a submission is refused. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunStateTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final RunState state = new RunState(lock);

    @BeforeEach
    void lock() {
        lock.lock();
    }

    @AfterEach
    void unlock() {
        while (lock.isHeldByCurrentThread()) {
            lock.unlock();
        }
    }

    @Test
    void itOnlyMovesForward() {
        assertThat(state.getLocked()).isEqualTo(State.RUNNING);
        assertThat(state.needsWorkersLocked(false)).isTrue();
        state.shutdownLocked();
        assertThat(state.getLocked()).isEqualTo(State.SHUTDOWN);
        assertThat(state.dispatchingLocked()).isTrue();
        assertThat(state.needsWorkersLocked(false))
                .as("shut down, nothing queued")
                .isFalse();
        assertThat(state.needsWorkersLocked(true)).as("shut down, tasks queued").isTrue();
        state.stopLocked(null);
        assertThat(state.getLocked()).isEqualTo(State.STOP);
        assertThat(state.dispatchingLocked()).isFalse();
        state.shutdownLocked();
        assertThat(state.getLocked()).as("no way back from STOP").isEqualTo(State.STOP);
        state.terminatedLocked();
        assertThat(state.getLocked()).isEqualTo(State.TERMINATED);
        assertThat(state.failLocked(new PoolFailedException("late", null))).isFalse();
        state.stopLocked(null);
        assertThat(state.getLocked()).as("no way back from TERMINATED").isEqualTo(State.TERMINATED);
        assertThatThrownBy(state::terminatedLocked)
                .as("a pool terminates once")
                .isInstanceOf(IllegalStateException.class);
    }

    /** Was: a RUNNING pool could be marked TERMINATED, an edge its drawing does not have. */
    @Test
    void aRunningPoolCannotTerminateWithoutBeingStopped() {
        assertThatThrownBy(state::terminatedLocked)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RUNNING");
        assertThat(state.getLocked()).isEqualTo(State.RUNNING);
    }

    @Test
    void aGracefulShutdownRefusesWithoutCuttingWorkShort() {
        state.shutdownLocked();
        lock.unlock();
        assertThat(state.cutShort()).as("nothing was cut short").isNull();
        lock.lock();
        assertThat(state.rejectionLocked()).hasMessageStartingWith("the pool is shut down");
    }

    @Test
    void aFailedPoolRefusesWithItsFailureWhateverItsStateNow() {
        PoolFailedException why = new PoolFailedException("restarted 5 workers in 10 s", null);
        assertThat(state.failLocked(why)).isTrue();
        assertThat(state.failLocked(new PoolFailedException("second", null)))
                .as("the first failure stays")
                .isFalse();
        state.terminatedLocked();
        lock.unlock();
        RejectedExecutionException refused = state.cutShort();
        assertThat(refused).isInstanceOf(PoolFailedException.class).hasMessageContaining("restarted 5 workers");
        assertThat(refused.getCause()).isSameAs(why);
    }

    @Test
    void anInternalErrorFailsAStoppingPool() {
        state.stopLocked(null);
        assertThat(state.failLocked(new PoolFailedException("internal error in the pool", null)))
                .isTrue();
        assertThat(state.getLocked()).isEqualTo(State.FAILED);
    }

    @Test
    void awaitTerminationWakesWhenTheStateTerminates() throws Exception {
        lock.unlock();
        assertThat(state.awaitTermination(0)).as("not terminated, no wait").isFalse();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> woke = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            waiting.countDown();
            try {
                woke.complete(state.awaitTermination(TimeUnit.SECONDS.toNanos(30)));
            } catch (InterruptedException e) {
                woke.completeExceptionally(e);
            }
        });
        waiting.await();
        lock.lock();
        state.stopLocked(null);
        state.terminatedLocked();
        lock.unlock();
        assertThat(woke.get(30, TimeUnit.SECONDS))
                .as("woken by the termination, within its 30 s")
                .isTrue();
        assertThat(state.is(State.TERMINATED)).isTrue();
    }

    @Test
    void everyLockedMethodAssertsThePoolsLock() {
        lock.unlock();
        assertThatThrownBy(state::getLocked).isInstanceOf(AssertionError.class);
        assertThatThrownBy(state::shutdownLocked).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> state.stopLocked(null)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(state::terminatedLocked).isInstanceOf(AssertionError.class);
    }
}
