package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.ValueCodec;
import dev.tandem.spi.EncodedPool;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.Serializable;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fencing inside a cluster node's worker JVMs ({@link WorkerLease}): a worker starts no task past the
 * latest lease it got, and holds the tasks in its inbox until a later one comes.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerLeaseTest {
    /** Each task's reply: its value (decoded) or the kind of its failure. */
    static final class Replies implements WorkerListener {
        final Map<Long, CompletableFuture<Object>> got = new ConcurrentHashMap<>();

        CompletableFuture<Object> of(long taskId) {
            return got.computeIfAbsent(taskId, id -> new CompletableFuture<>());
        }

        @Override
        public void result(long taskId, byte[] value) {
            try {
                of(taskId).complete(ValueCodec.decode(value, WorkerLeaseTest.class.getClassLoader(), null));
            } catch (Exception e) {
                of(taskId).completeExceptionally(e);
            }
        }

        @Override
        public void failed(long taskId, byte[] throwable) {
            of(taskId).complete("failed");
        }

        @Override
        public void copyFailed(long taskId, byte boundary, byte[] throwable) {
            of(taskId).complete("copyFailed");
        }

        @Override
        public void abandoned(long taskId) {
            of(taskId).complete("abandoned");
        }

        @Override
        public void ended(WorkerEnd end) {
            // the pool's own end: not a task's reply
        }
    }

    static Stream<Arguments> pools() {
        return Stream.of(
                Arguments.of("processes(1), socket", Tandem.processes(1).options()),
                Arguments.of(
                        "processes(1), shared memory",
                        Tandem.processes(1).transport(Transport.SHARED_MEMORY).options()),
                Arguments.of("hybrid(1, 2)", Tandem.hybrid(1, 2).options()));
    }

    /**
     * What broke: a cluster node's worker ran the tasks of its inbox whatever became of its node; a
     * node frozen (SIGSTOP) past its caller's lease, which the caller then declared lost, had a worker
     * blocked writing a reply the frozen node did not read, and once the node resumed that worker took
     * the next task of its inbox (task 315 of {@code NodeLossTest}'s stream) before the node killed it:
     * a task the caller had failed took effect after all. Here the lease ends while a task waits in the
     * worker's inbox behind running ones: it must not start until a later lease comes, and then it does.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void aTaskWaitingInAWorkerStartsNotAfterItsLeaseEndedButOnceItIsRenewed(String name, PoolOptions options)
            throws Exception {
        AtomicLong leaseEnd = new AtomicLong(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        Replies replies = new Replies();
        try (RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            EncodedPool pool = EncodedPoolAdapter.start(
                    options,
                    new EncodedPool.Launch(
                            WorkerClassPath.shippable(options), List.of(), new byte[0], "node-t", leaseEnd::get),
                    replies);
            List<Socket> gates = new ArrayList<>();
            try {
                // Short tasks first, so that the pool prefetches: the next task goes to the worker's
                // inbox while the running ones hold its threads.
                Callable<Long> now = (Callable<Long> & Serializable) System::nanoTime;
                long id = 0;
                for (int i = 0; i < 40; i++) {
                    pool.submit(++id, encode(options, now), false); // decoded once here, not when it waits
                    assertThat(replies.of(id).get(60, TimeUnit.SECONDS)).isInstanceOf(Long.class);
                }
                Callable<Integer> holds = (Callable<Integer> & Serializable) () -> {
                    s.runningThenHold();
                    return 2;
                };
                int threads = options.threadsPerWorker();
                for (int i = 0; i < threads; i++) {
                    pool.submit(++id, encode(options, holds), false);
                    gates.add(signal.awaitRunningAndHold(60));
                }
                long waiting = ++id;
                pool.submit(waiting, encode(options, now), false);
                // The caller's lease ends 2 s from now: the pool passes that on within 100 ms.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                leaseEnd.set(end);
                parkFor(end + TimeUnit.SECONDS.toNanos(1) - System.nanoTime()); // the lease's own time passes
                for (Socket gate : gates) {
                    gate.close(); // the running tasks end; the waiting one is due
                }
                for (long running = waiting - threads; running < waiting; running++) {
                    assertThat(replies.of(running).get(60, TimeUnit.SECONDS)).isEqualTo(2);
                }
                // Time enough for a worker that does not hold it to start the waiting task (it would
                // start it right after the last running one's reply, its class already decoded).
                parkFor(TimeUnit.SECONDS.toNanos(1));
                long renewed = System.nanoTime();
                leaseEnd.set(renewed + TimeUnit.HOURS.toNanos(1));
                Object started = replies.of(waiting).get(60, TimeUnit.SECONDS);
                assertThat(started)
                        .as("the waiting task's start, System.nanoTime()")
                        .isInstanceOf(Long.class);
                assertThat((Long) started - renewed)
                        .as("the task waiting in the worker started only after the lease was renewed (ns)")
                        .isPositive();
            } finally {
                for (Socket gate : gates) {
                    gate.close();
                }
                pool.kill();
                pool.awaitTermination(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Lets {@code nanos} of time pass: the lease is a time, not an event. */
    private static void parkFor(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() - until < 0) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    private static byte[] encode(PoolOptions options, Callable<?> task) {
        TaskEncoder encoder =
                new TaskEncoder(ReplyDecoder.of(options, BulkLane.off()).filter(), c -> {}, BulkLane.off());
        return encoder.encode(task).bytes();
    }
}
