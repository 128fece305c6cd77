package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupts belong to the thread, not to the pool: a thread that is interrupted while it submits or
 * waits loses nothing, breaks no worker, and keeps its interrupt status. (Java closes a socket
 * channel when a thread using it is interrupted, and shared-memory waits end on interrupts; the pool
 * must shield its control channel from both.)
 */
@ExtendWith(NoStrayProcesses.class)
// Six submitters of 900 tasks of 192 KiB and a thread that interrupts them without pause want the
// CPU: over shared memory on a loaded machine (load 21, two test JVMs) a case took over 60 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InterruptsTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anInterruptedThreadCanSubmitAndTheWorkerSurvives(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            long pid = pool.workerPids().getFirst();
            Future<Integer> f;
            Thread.currentThread().interrupt();
            try {
                f = pool.submit(() -> 42);
            } finally {
                assertThat(Thread.interrupted())
                        .as("the interrupt status is kept")
                        .isTrue();
            }
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aWaitEndedByAnInterruptLeavesTheResultForLater(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start();
                RunningSignal signal = new RunningSignal()) {
            long pid = pool.workerPids().getFirst();
            RunningSignal.Signal s = signal.signal();
            Future<Integer> f = pool.submit(() -> {
                s.runningThenHold();
                return 7;
            });
            Socket gate = signal.awaitRunningAndHold(30);
            try {
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread waiter = new Thread(() -> {
                    try {
                        f.get();
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                waiter.start();
                while (waiter.getState() != Thread.State.WAITING && !outcome.isDone()) {
                    Thread.onSpinWait(); // until it blocks in get()
                }
                waiter.interrupt();
                assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            } finally {
                gate.close(); // lets the task finish
            }
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(pool.submit(() -> 8).get(30, TimeUnit.SECONDS)).isEqualTo(8);
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }

    @Test
    void interruptsRainingOnAThreadThatReadsItsOwnRepliesLoseNothing() throws Exception {
        try (TaskPool pool =
                Tandem.processes(1).transport(Transport.SHARED_MEMORY).start()) {
            long pid = pool.workerPids().getFirst();
            int n = 2_000;
            List<Integer> results = new ArrayList<>(n);
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean done = new AtomicBoolean();
            int[] interruptedWaits = new int[1];
            Thread caller = new Thread(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < n; i++) {
                        int value = i;
                        Future<Integer> f = pool.submit(() -> value);
                        while (true) {
                            try {
                                results.add(f.get());
                                break;
                            } catch (InterruptedException e) {
                                interruptedWaits[0]++;
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.set(true);
                    Thread.interrupted();
                }
            });
            caller.start();
            started.await();
            while (!done.get()) {
                caller.interrupt();
                Thread.yield();
            }
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(caller.isAlive()).isFalse();
            assertThat(results).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(results.get(i)).isEqualTo(i);
            }
            assertThat(pool.workerPids()).as("no worker was lost").containsExactly(pid);
            assertThat(pool.submit(() -> -1).get()).isEqualTo(-1);
        }
    }

    /**
     * Issue 9 §3: six threads submit tasks carrying 192 KiB while a seventh interrupts them at
     * random; a write interrupted half-way closed the socket, failed other tasks with
     * WorkerLostException and cost both workers.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void interruptsOfSubmittingThreadsFailNoOtherTaskAndCostNoWorker(Mode mode, Transport transport) throws Exception {
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Long> pids = pool.workerPids();
            int threads = 6;
            int perThread = 150;
            byte[] payload = new byte[192 * 1024];
            List<Thread> submitters = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicInteger completed = new AtomicInteger();
            CountDownLatch ready = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    ready.countDown();
                    for (int i = 0; i < perThread; i++) {
                        byte[] carried = payload;
                        int value = i;
                        Future<Integer> f = pool.submit(() -> carried.length + value);
                        while (true) {
                            try {
                                if (f.get() != payload.length + value) {
                                    failures.add(new AssertionError("wrong result"));
                                }
                                completed.incrementAndGet();
                                break;
                            } catch (InterruptedException e) {
                                // an interrupt of this thread: wait again
                            } catch (ExecutionException e) {
                                failures.add(e.getCause());
                                break;
                            }
                        }
                    }
                    Thread.interrupted();
                });
                submitters.add(th);
                th.start();
            }
            ready.await();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (submitters.stream().anyMatch(Thread::isAlive)) {
                submitters.get(random.nextInt(threads)).interrupt();
                Thread.yield();
            }
            assertThat(failures).as("tasks failed by other threads' interrupts").isEmpty();
            assertThat(completed.get()).isEqualTo(threads * perThread);
            assertThat(pool.workerPids()).as("no worker was lost").containsExactlyInAnyOrderElementsOf(pids);
        }
    }
}
