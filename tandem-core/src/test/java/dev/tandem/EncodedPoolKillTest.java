package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.spi.EncodedPool;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a cluster node's kill of a session's pool (the node stopping, the session fenced) tells the
 * caller about the tasks it stopped: nothing. Their session's end accounts for them, as a loss of
 * the node, so that they fail with {@code NodeLostException} or run again elsewhere.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EncodedPoolKillTest {
    /** Each task's one reply, by kind; counts them down. */
    static final class Replies implements WorkerListener {
        final Map<Long, String> got = new ConcurrentHashMap<>();
        final CountDownLatch expected;

        Replies(int n) {
            expected = new CountDownLatch(n);
        }

        private void put(long taskId, String kind) {
            if (got.putIfAbsent(taskId, kind) != null) {
                got.put(taskId, "two replies");
            }
            expected.countDown();
        }

        @Override
        public void result(long taskId, byte[] value) {
            put(taskId, "result");
        }

        @Override
        public void failed(long taskId, byte[] throwable) {
            put(taskId, "failed");
        }

        @Override
        public void copyFailed(long taskId, byte boundary, byte[] throwable) {
            put(taskId, "copyFailed");
        }

        @Override
        public void abandoned(long taskId) {
            put(taskId, "abandoned");
        }

        @Override
        public void ended(WorkerEnd end) {
            put(-1, "ended");
        }
    }

    private static byte[] encode(PoolOptions options, Callable<?> task) {
        TaskEncoder encoder =
                new TaskEncoder(ReplyDecoder.of(options, BulkLane.off()).filter(), c -> {}, BulkLane.off());
        return encoder.encode(task).bytes();
    }

    /**
     * What broke: a node that stopped (or fenced a session) killed the session's pool, which
     * answered its running task with the WorkerLostException of its planned kill and its queued one
     * with "task #N was cancelled on node X"; the caller completed the tasks with those, so a user
     * saw a CancellationException and {@code retriesOnWorkerLoss} never ran them elsewhere.
     */
    @Test
    void aKilledPoolAbandonsItsRunningAndQueuedTasksInsteadOfAnsweringThemCancelled() throws Exception {
        PoolOptions options = Tandem.processes(1).options();
        Replies replies = new Replies(3);
        try (RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            EncodedPool pool = EncodedPoolAdapter.start(
                    options,
                    new EncodedPool.Launch(
                            WorkerClassPath.shippable(options), List.of(), new byte[0], "node-t", () -> Long.MAX_VALUE),
                    replies);
            try {
                pool.submit(1, encode(options, (Callable<Integer> & Serializable) () -> 7), false);
                Callable<Integer> blocks = (Callable<Integer> & Serializable) () -> {
                    s.running();
                    RunningSignal.blockUntilStopped();
                    return 0;
                };
                pool.submit(2, encode(options, blocks), false);
                signal.awaitRunning(60); // task 2 runs (after task 1 answered: one worker, one slot)
                pool.submit(3, encode(options, blocks), false); // queued behind it
                pool.kill();
                assertThat(replies.expected.await(60, TimeUnit.SECONDS))
                        .as("each task accounted for once: %s", replies.got)
                        .isTrue();
                assertThat(replies.got)
                        .containsEntry(1L, "result")
                        .containsEntry(2L, "abandoned")
                        .containsEntry(3L, "abandoned")
                        .hasSize(3);
                assertThat(pool.outstanding()).isZero();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                pool.kill();
                pool.awaitTermination(60, TimeUnit.SECONDS);
            }
        }
    }

    /** A pool cancel (the caller's) is still answered: only a kill's stops go unanswered. */
    @Test
    void aTaskCancelledBeforeTheKillIsStillAnsweredCancelled() throws Exception {
        PoolOptions options = Tandem.processes(1).options();
        Replies replies = new Replies(1);
        try (RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            EncodedPool pool = EncodedPoolAdapter.start(
                    options,
                    new EncodedPool.Launch(
                            WorkerClassPath.shippable(options), List.of(), new byte[0], "node-t", () -> Long.MAX_VALUE),
                    replies);
            try {
                pool.submit(
                        1,
                        encode(options, (Callable<Integer> & Serializable) () -> {
                            s.running();
                            RunningSignal.blockUntilStopped();
                            return 0;
                        }),
                        false);
                signal.awaitRunning(60);
                pool.cancel(1);
                assertThat(replies.expected.await(60, TimeUnit.SECONDS)).isTrue();
                pool.kill();
                assertThat(replies.got).containsExactly(Map.entry(1L, "failed"));
            } finally {
                pool.kill();
                pool.awaitTermination(60, TimeUnit.SECONDS);
            }
        }
    }
}
