package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.ValueCodec;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import dev.tandem.spi.WorkerStarter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replies that arrive in a burst (several in one read) write the tasks they made room for once, after
 * the burst's last reply, instead of once per reply; a burst cut short by the worker's end loses no
 * task. The workers are in-process fakes that record what was sent and flushed; the test delivers
 * their replies itself, so nothing runs on its own and no process is started.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplyBurstTest {
    /** A worker of four slots that runs nothing: it records frames, and the test answers them. */
    static final class ScriptedWorker implements Worker {
        final int id;
        final WorkerListener listener;
        /** Task ids sent and not yet flushed, then flushed, in order; guarded by this. */
        private final List<Long> buffered = new ArrayList<>();

        private final List<List<Long>> flushes = new ArrayList<>();

        ScriptedWorker(int id, WorkerListener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public long pid() {
            return 2_000_000 + id;
        }

        @Override
        public int slots() {
            return 4;
        }

        @Override
        public synchronized void send(long taskId, byte[] task, boolean stateless) {
            buffered.add(taskId);
        }

        @Override
        public void cancel(long taskId) {}

        @Override
        public void exit() { // reported from another thread, as a real worker's reader thread does
            Thread.ofPlatform().start(() -> listener.ended(WorkerEnd.local(pid(), 0, null, "exited", "", null, null)));
        }

        @Override
        public synchronized void flush() {
            if (!buffered.isEmpty()) {
                flushes.add(List.copyOf(buffered));
                buffered.clear();
                notifyAll();
            }
        }

        /** {@return the ids of the first {@code n} tasks written, once they are} */
        synchronized List<Long> awaitWritten(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (written().size() < n) {
                long left = end - System.nanoTime();
                assertThat(left)
                        .as("%d tasks written to worker %d within 30 s: %s", n, id, flushes)
                        .isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return written().subList(0, n);
        }

        @Override
        public void kill() {
            Thread.ofPlatform()
                    .start(() -> listener.ended(WorkerEnd.local(pid(), 137, null, "killed", "", null, null)));
        }

        @Override
        public long retireAfter() {
            return 0;
        }

        @Override
        public String retireReason(long tasks) {
            return "retired";
        }

        /** {@return every flush so far: the task ids each one wrote} */
        synchronized List<List<Long>> flushes() {
            return List.copyOf(flushes);
        }

        /** {@return the ids of every task written so far, in order} */
        synchronized List<Long> written() {
            return flushes.stream().flatMap(List::stream).toList();
        }

        /** Answers task {@code taskId} with {@code value}, saying whether {@code more} replies follow. */
        void answer(long taskId, int value, boolean more) throws IOException {
            listener.result(taskId, ValueCodec.encode(value), more);
        }
    }

    /** Starts {@link ScriptedWorker}s. */
    static final class ScriptedStarter implements WorkerStarter {
        private final List<ScriptedWorker> started = new ArrayList<>();

        @Override
        public synchronized Worker start(int id, WorkerListener listener) {
            ScriptedWorker w = new ScriptedWorker(id, listener);
            started.add(w);
            notifyAll();
            return w;
        }

        /** {@return the {@code n}th worker started (from 1), once it is} */
        synchronized ScriptedWorker awaitStarted(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (started.size() < n) {
                long left = end - System.nanoTime();
                assertThat(left).as("worker %d started within 30 s", n).isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return started.get(n - 1);
        }

        @Override
        public void close() {}
    }

    private static ProcessTaskPool pool(ScriptedStarter starter) {
        PoolOptions options = Tandem.processes(1).retriesOnWorkerLoss(1).options();
        DecodingFilter filter = new DecodingFilter(List.of(), 40, 10_000_000, Integer.MAX_VALUE - 8, 1 << 30);
        return ProcessTaskPool.start(
                options, new ReplyDecoder(filter), starter, options.workers(), null, WorkerLease.none());
    }

    /** A test body; its pool is stopped with {@code shutdownNow} after it, so a failed one cannot hang close. */
    @FunctionalInterface
    interface Body {
        void run(ProcessTaskPool pool, ScriptedStarter starter) throws Exception;
    }

    private static void withPool(Body body) throws Exception {
        ScriptedStarter starter = new ScriptedStarter();
        try (ProcessTaskPool pool = pool(starter)) {
            try {
                body.run(pool, starter);
            } finally {
                pool.shutdownNow(); // its workers are killed: whatever a failure left unanswered ends
            }
        }
    }

    /** Submits {@code n} tasks that return their index. */
    private static List<Future<Integer>> submit(ProcessTaskPool pool, int n) {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int value = i;
            futures.add(pool.submit(() -> value));
        }
        return futures;
    }

    @Test
    void aBurstOfRepliesWritesTheTasksItMadeRoomForOnceAfterItsLastReply() throws Exception {
        withPool((pool, starter) -> {
            List<Future<Integer>> futures = submit(pool, 7); // four run, three wait in the caller
            ScriptedWorker w = starter.awaitStarted(1);
            List<Long> first = w.awaitWritten(4);
            assertThat(w.written()).hasSize(4);
            int flushesBefore = w.flushes().size();

            w.answer(first.get(0), 0, true);
            w.answer(first.get(1), 1, true);
            assertThat(futures.get(0).get()).isZero(); // a reply completes its task at once ...
            assertThat(futures.get(1).get()).isEqualTo(1);
            assertThat(w.flushes())
                    .as("... but writes nothing while its burst goes on")
                    .hasSize(flushesBefore);

            w.answer(first.get(2), 2, false);
            assertThat(w.flushes())
                    .as("the burst's last reply writes the three tasks at once")
                    .hasSize(flushesBefore + 1);
            assertThat(w.flushes().getLast()).hasSize(3);

            List<Long> all = w.written();
            for (int i = 3; i < 7; i++) {
                w.answer(all.get(i), i, false);
            }
            for (int i = 0; i < 7; i++) {
                assertThat(futures.get(i).get()).isEqualTo(i);
            }
        });
    }

    @Test
    void aLateReplyThatEndsABurstStillWritesWhatTheBurstMadeRoomFor() throws Exception {
        withPool((pool, starter) -> {
            List<Future<Integer>> futures = submit(pool, 5);
            ScriptedWorker w = starter.awaitStarted(1);
            long firstId = w.awaitWritten(4).getFirst();
            int flushesBefore = w.flushes().size();

            w.answer(firstId, 0, true);
            assertThat(w.flushes()).hasSize(flushesBefore);
            w.answer(firstId, 0, false); // a second, late reply for the same task: it is ignored ...
            assertThat(w.flushes()).as("... but it ends the burst").hasSize(flushesBefore + 1);
            List<Long> all = w.written();
            assertThat(all).hasSize(5);
            for (int i = 1; i < 5; i++) {
                w.answer(all.get(i), i, false);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(futures.get(i).get()).isEqualTo(i);
            }
        });
    }

    @Test
    void aWorkerThatEndsInTheMiddleOfABurstLosesNoTask() throws Exception {
        withPool((pool, starter) -> {
            List<Future<Integer>> futures = submit(pool, 6);
            ScriptedWorker first = starter.awaitStarted(1);
            first.answer(first.awaitWritten(4).getFirst(), 0, true); // makes room for a fifth, not written
            assertThat(first.written()).hasSize(4);
            first.kill(); // the burst is cut short: the worker's other tasks go to its replacement

            ScriptedWorker second = starter.awaitStarted(2);
            List<Long> retried = second.awaitWritten(4); // four at a time, as before
            for (int i = 0; i < 4; i++) {
                second.answer(retried.get(i), i + 1, false);
            }
            List<Long> all = second.awaitWritten(5);
            assertThat(all).as("its four unanswered tasks and the one waiting").doesNotHaveDuplicates();
            second.answer(all.get(4), 5, false);
            assertThat(futures.get(0).get()).isZero();
            List<Integer> values = new ArrayList<>();
            for (int i = 1; i < 6; i++) {
                values.add(futures.get(i).get());
            }
            assertThat(values).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        });
    }
}
