package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The completion actions of both engines' futures: each runs exactly once, in the order registered,
 * whether registered before or after completion, and concurrently with completion.
 */
class NotifyingFutureTaskTest {

    private static final class Plain<T> extends NotifyingFutureTask<T> {
        Plain(T value) {
            super(() -> value);
        }
    }

    @Test
    void actionsRegisteredBeforeCompletionRunOnceInOrder() {
        Plain<String> f = new Plain<>("x");
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            f.whenDone(() -> ran.add(n));
        }
        assertThat(ran).isEmpty();
        f.run();
        f.cancel(true); // completes nothing again
        assertThat(ran).containsExactly(0, 1, 2, 3);
    }

    @Test
    void anActionRegisteredAfterCompletionRunsAtOnceInTheRegisteringThread() {
        Plain<String> f = new Plain<>("x");
        f.run();
        Thread[] where = new Thread[1];
        f.whenDone(() -> where[0] = Thread.currentThread());
        assertThat(where[0]).isSameAs(Thread.currentThread());
    }

    @Test
    void actionsAddedToAFutureThatCompletedWithNoneEachRunOnce() {
        Plain<String> f = new Plain<>("x");
        f.run(); // completes with no action: done() claims nothing
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        f.whenDone(first::incrementAndGet);
        f.whenDone(second::incrementAndGet);
        f.cancel(true);
        assertThat(first).hasValue(1);
        assertThat(second).hasValue(1);
    }

    @Test
    void anActionThatThrowsDoesNotStopTheOthers() {
        Plain<String> f = new Plain<>("x");
        AtomicInteger ran = new AtomicInteger();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler old = Thread.currentThread().getUncaughtExceptionHandler();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            f.whenDone(() -> {
                throw new IllegalStateException("boom");
            });
            f.whenDone(ran::incrementAndGet);
            f.run();
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(old);
        }
        assertThat(ran).hasValue(1);
        assertThat(uncaught).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
    }

    @Test
    void actionsRacingCompletionEachRunExactlyOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 500; round++) {
                Plain<Integer> f = new Plain<>(round);
                AtomicInteger ran = new AtomicInteger();
                CountDownLatch go = new CountDownLatch(1);
                Future<?> a = threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        f.whenDone(ran::incrementAndGet);
                    }
                    return null;
                });
                Future<?> b = threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        f.whenDone(ran::incrementAndGet);
                    }
                    return null;
                });
                Future<?> c = threads.submit(() -> {
                    go.await();
                    f.run();
                    return null;
                });
                go.countDown();
                a.get(30, TimeUnit.SECONDS);
                b.get(30, TimeUnit.SECONDS);
                c.get(30, TimeUnit.SECONDS);
                assertThat(ran).as("round %d", round).hasValue(20);
            }
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
