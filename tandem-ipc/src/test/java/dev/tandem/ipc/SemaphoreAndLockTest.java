package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(LitterCheck.class)
class SemaphoreAndLockTest {
    /** A dead holder is noticed within one wait slice; allow generous slack for a loaded 2-core box. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(2);

    @RegisterExtension
    final Children children = new Children();

    @Test
    void semaphoreBasics() throws Exception {
        try (SharedSemaphore semaphore = SharedSemaphore.create(2);
                SharedSemaphore other = SharedSemaphore.attach(semaphore.handle())) {
            assertThat(semaphore.tryAcquire()).isEqualTo(Acquisition.ACQUIRED);
            assertThat(other.tryAcquire(Duration.ofMillis(10))).isEqualTo(Acquisition.ACQUIRED);
            assertThat(semaphore.availablePermits()).isZero();
            assertThat(other.tryAcquire()).isEqualTo(Acquisition.TIMED_OUT);
            assertThat(other.tryAcquire(Duration.ofMillis(60))).isEqualTo(Acquisition.TIMED_OUT);
            semaphore.release();
            assertThat(other.tryAcquire(Duration.ofMillis(10))).isEqualTo(Acquisition.ACQUIRED);
            other.release();
            other.release();
            assertThatThrownBy(other::release).isInstanceOf(IllegalStateException.class);
            assertThat(semaphore.availablePermits()).isEqualTo(2);
        }
        assertThatThrownBy(() -> SharedSemaphore.create(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be between 1 and 4096, was 0");
    }

    @Test
    @Timeout(20)
    void releaseWakesAWaiter() throws Exception {
        try (SharedSemaphore semaphore = SharedSemaphore.create(1);
                SharedSemaphore other = SharedSemaphore.attach(semaphore.handle())) {
            assertThat(semaphore.tryAcquire()).isEqualTo(Acquisition.ACQUIRED);
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Acquisition> waiter = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try {
                    return other.tryAcquire(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            semaphore.release();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(Acquisition.ACQUIRED);
            other.release();
        }
    }

    @Test
    void lockBasics() throws Exception {
        try (SharedLock lock = SharedLock.create();
                SharedLock other = SharedLock.attach(lock.handle())) {
            assertThat(lock.tryLock()).isEqualTo(Acquisition.ACQUIRED);
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThatThrownBy(lock::tryLock)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reentrant");
            assertThat(other.tryLock(Duration.ofMillis(60))).isEqualTo(Acquisition.TIMED_OUT);
            assertThatThrownBy(other::unlock).isInstanceOf(IllegalMonitorStateException.class);
            assertThat(other.isLocked()).isTrue();
            lock.unlock();
            assertThat(other.tryLock(Duration.ofMillis(10))).isEqualTo(Acquisition.ACQUIRED);
            other.unlock();
            assertThat(lock.isLocked()).isFalse();
        }
    }

    @Test
    @Timeout(120)
    void semaphoreNeverAdmitsMoreThanItsPermits() throws Exception {
        int permits = 2;
        int processes = 5;
        int iterations = 3000;
        try (SharedSemaphore semaphore = SharedSemaphore.create(permits);
                SharedLongArray gauge = SharedLongArray.create(4)) { // holders, max holders, violations, acquisitions
            List<Children.Child> workers = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                workers.add(children.start(
                        "semaphore",
                        Children.encode(semaphore.handle()),
                        Children.encode(gauge.handle()),
                        Integer.toString(permits),
                        Integer.toString(iterations)));
            }
            for (Children.Child worker : workers) {
                worker.awaitSuccess(100);
            }
            assertThat(gauge.get(2))
                    .as("acquisitions that saw more than %d holders", permits)
                    .isZero();
            assertThat(gauge.get(1)).as("most holders at once").isBetween(1L, (long) permits);
            assertThat(gauge.get(3)).isEqualTo((long) processes * iterations);
            assertThat(gauge.get(0)).isZero();
            assertThat(semaphore.availablePermits()).isEqualTo(permits);
        }
    }

    @Test
    @Timeout(60)
    void permitOfAKilledHolderIsRecoveredWithinTheBound() throws Exception {
        try (SharedSemaphore semaphore = SharedSemaphore.create(1);
                SharedQueue ready = SharedQueue.create(2, 16)) {
            Children.Child holder = children.start(
                    "hold-semaphore", Children.encode(semaphore.handle()), Children.encode(ready.handle()));
            assertThat(ready.take(Duration.ofSeconds(30)))
                    .as("holder reported its permit")
                    .isNotNull();
            assertThat(semaphore.tryAcquire()).isEqualTo(Acquisition.TIMED_OUT);
            Duration took = killAndTimeTheTakeOver(holder, () -> semaphore.tryAcquire(Duration.ofSeconds(20)));
            System.out.println("semaphore permit recovered " + took.toMillis() + " ms after SIGKILL");
            semaphore.release();
            assertThat(semaphore.availablePermits()).isOne();
        }
    }

    @Test
    @Timeout(60)
    void lockOfAKilledOwnerIsTakenOverAndTheNextOwnerIsTold() throws Exception {
        try (SharedLock lock = SharedLock.create();
                SharedQueue ready = SharedQueue.create(2, 16)) {
            Children.Child holder =
                    children.start("hold-lock", Children.encode(lock.handle()), Children.encode(ready.handle()));
            assertThat(ready.take(Duration.ofSeconds(30)))
                    .as("holder reported the lock")
                    .isNotNull();
            assertThat(lock.tryLock()).isEqualTo(Acquisition.TIMED_OUT);
            Duration took = killAndTimeTheTakeOver(holder, () -> {
                Acquisition got = lock.tryLock(Duration.ofSeconds(20));
                if (got.acquired()) {
                    assertThat(lock.isHeldByCurrentThread()).isTrue();
                    lock.unlock();
                }
                return got;
            });
            System.out.println("lock taken over " + took.toMillis() + " ms after SIGKILL");
            assertThat(lock.isLocked()).isFalse();
        }
    }

    interface Acquire {
        Acquisition run() throws InterruptedException;
    }

    /**
     * Starts a waiter, waits until it is blocked (its thread parked in the wait loop), kills the
     * holder and measures from the kill to the take-over, which must say OWNER_DIED.
     */
    private static Duration killAndTimeTheTakeOver(Children.Child holder, Acquire acquire) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        long[] acquiredAt = new long[1];
        CompletableFuture<Acquisition> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                Acquisition got = acquire.run();
                acquiredAt[0] = System.nanoTime();
                return got;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();
        holder.kill();
        assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(Acquisition.OWNER_DIED);
        Duration took = Duration.ofNanos(Math.max(0, acquiredAt[0] - killedAt));
        assertThat(took).isLessThan(RECOVERY_BOUND);
        return took;
    }

    @Test
    @Timeout(120)
    void lockExcludesAcrossProcesses() throws Exception {
        int processes = 3;
        int iterations = 5000;
        try (SharedLock lock = SharedLock.create();
                SharedLongArray shared = SharedLongArray.create(1)) {
            List<Children.Child> workers = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                workers.add(children.start(
                        "lock-increment",
                        Children.encode(lock.handle()),
                        Children.encode(shared.handle()),
                        Integer.toString(iterations)));
            }
            for (Children.Child worker : workers) {
                worker.awaitSuccess(100);
            }
            assertThat(shared.get(0)).as("plain increments under the lock").isEqualTo((long) processes * iterations);
        }
    }

    @Test
    void closeReleasesWhatTheObjectHolds() throws IOException, InterruptedException {
        try (SharedSemaphore semaphore = SharedSemaphore.create(1)) {
            SharedSemaphore other = SharedSemaphore.attach(semaphore.handle());
            assertThat(other.tryAcquire()).isEqualTo(Acquisition.ACQUIRED);
            other.close();
            assertThat(semaphore.tryAcquire(Duration.ofMillis(10))).isEqualTo(Acquisition.ACQUIRED);
        }
    }
}
