package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.ThrowableCodec;
import dev.tandem.protocol.ValueCodec;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import dev.tandem.spi.WorkerStarter;
import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conductor's seam ({@code dev.tandem.spi}): a pool whose workers are in-process fakes, as a
 * cluster node will be a remote one, gets dispatch, retries, poison detection and deadlines from
 * the conductor unchanged. No process is started.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConductorSeamTest {
    /** Counted down by {@link #nodeLossesAreNoCrashLoop}'s task as it starts in a fake worker. */
    private static volatile CountDownLatch running;
    /** Released to end the blocking task of {@link #holdBehindABlocker}. */
    private static volatile CountDownLatch release;

    /** A task the fake worker "dies" of, as a worker JVM dies of System.exit. */
    record Crash() implements Task<String> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            throw new AssertionError("never run: the fake worker dies instead");
        }
    }

    /** Workers that run tasks on threads of this JVM and report through the SPI. */
    static final class FakeStarter implements WorkerStarter {
        final List<FakeWorker> started = new ArrayList<>();
        final AtomicInteger closes = new AtomicInteger();
        /** The {@link Worker#prefetchFactor()} of its workers. */
        final int prefetchFactor;

        FakeStarter() {
            this(1);
        }

        FakeStarter(int prefetchFactor) {
            this.prefetchFactor = prefetchFactor;
        }

        @Override
        public synchronized Worker start(int id, WorkerListener listener) {
            FakeWorker w = new FakeWorker(id, 1, listener, prefetchFactor);
            started.add(w);
            return w;
        }

        synchronized List<FakeWorker> started() {
            return List.copyOf(started);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    static final class FakeWorker implements Worker {
        final int id;
        final int slots;
        final WorkerListener listener;
        final ExecutorService threads;
        final Set<Long> ran = ConcurrentHashMap.newKeySet();
        final AtomicInteger kills = new AtomicInteger();
        /** Tasks sent to it. */
        final AtomicInteger sent = new AtomicInteger();

        final int prefetchFactor;
        /** Guards the outbox. */
        private final Object frames = new Object();

        private final List<Runnable> outbox = new ArrayList<>();
        /** Guards {@link #ended}, and orders replies before the end. */
        private final Object replies = new Object();

        private boolean ended;

        FakeWorker(int id, int slots, WorkerListener listener, int prefetchFactor) {
            this.id = id;
            this.slots = slots;
            this.listener = listener;
            this.prefetchFactor = prefetchFactor;
            this.threads = Executors.newFixedThreadPool(slots);
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public long pid() {
            return 1_000_000 + id;
        }

        @Override
        public int slots() {
            return slots;
        }

        @Override
        public int prefetchFactor() {
            return prefetchFactor;
        }

        @Override
        public void send(long taskId, byte[] task, boolean stateless) {
            sent.incrementAndGet();
            synchronized (frames) {
                outbox.add(() -> threads.execute(() -> run(taskId, task)));
            }
        }

        private void run(long taskId, byte[] bytes) {
            Object reply;
            boolean ok;
            try {
                Callable<?> task =
                        (Callable<?>) ObjectCodec.decode(bytes, getClass().getClassLoader(), null);
                if (task instanceof Crash) {
                    end(1, "crashed", null);
                    return;
                }
                ran.add(taskId);
                reply = task.call();
                ok = true;
            } catch (Throwable t) {
                reply = t;
                ok = false;
            }
            synchronized (replies) {
                if (ended) {
                    return; // a dead worker says nothing more
                }
                try {
                    if (ok) {
                        listener.result(taskId, ValueCodec.encode(reply));
                    } else {
                        listener.failed(taskId, ThrowableCodec.encode((Throwable) reply));
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }

        private void end(int exitCode, String hint, String notItsFault) {
            synchronized (replies) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            threads.shutdownNow();
            listener.ended(WorkerEnd.local(pid(), exitCode, null, hint, "", null, notItsFault));
        }

        /**
         * Ends as a lost cluster node would: a node loss, which blames no task; it names the tasks
         * it never started as unstarted when {@code knowsUnstarted}, as a node session names those
         * it never sent.
         */
        void lose(boolean knowsUnstarted) {
            synchronized (replies) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            int unstarted = threads.shutdownNow().size();
            synchronized (frames) {
                unstarted += outbox.size();
            }
            WorkerEnd.NodeLoss loss = new WorkerEnd.NodeLoss("node " + id, "its connection closed", false);
            listener.ended(new WorkerEnd(
                    pid(), null, null, "lost", "", null, null, knowsUnstarted ? loss.unstarted(unstarted) : loss));
        }

        @Override
        public void cancel(long taskId) {}

        @Override
        public void exit() {
            Thread.ofPlatform().start(() -> end(0, "exited", null));
        }

        @Override
        public void flush() {
            List<Runnable> queued;
            synchronized (frames) {
                queued = List.copyOf(outbox);
                outbox.clear();
            }
            queued.forEach(Runnable::run);
        }

        @Override
        public void kill() {
            kills.incrementAndGet();
            Thread.ofPlatform().start(() -> end(137, "killed", null));
        }

        @Override
        public long retireAfter() {
            return 0;
        }

        @Override
        public String retireReason(long tasks) {
            return "retired";
        }
    }

    static ProcessTaskPool pool(Tandem.Builder builder, WorkerStarter starter) {
        PoolOptions options = builder.options();
        DecodingFilter filter = new DecodingFilter(List.of(), 40, 10_000_000, Integer.MAX_VALUE - 8, 1 << 30);
        return ProcessTaskPool.start(
                options, new ReplyDecoder(filter), starter, options.workers(), null, WorkerLease.none());
    }

    @Test
    void dispatchesToEveryWorkerAndCompletesEveryTask() throws Exception {
        FakeStarter starter = new FakeStarter();
        try (ProcessTaskPool pool = pool(Tandem.processes(2), starter)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> n * 2));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(futures.get(i).get()).isEqualTo(i * 2);
            }
            assertThat(starter.started()).hasSize(2);
            assertThat(pool.workerPids()).containsExactlyInAnyOrder(1_000_001L, 1_000_002L);
        }
        assertThat(starter.closes.get()).isEqualTo(1);
    }

    @Test
    void aTaskThatKillsItsWorkerIsRetriedThenFailsAsPoisonWhileOthersRun() throws Exception {
        FakeStarter starter = new FakeStarter();
        try (ProcessTaskPool pool =
                pool(Tandem.processes(1).retriesOnWorkerLoss(5).poisonThreshold(2), starter)) {
            Future<String> crash = pool.submit(new Crash());
            ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, crash::get);
            assertThat(e.getCause()).isInstanceOf(PoisonTaskException.class);
            assertThat(pool.submit(() -> "fine").get()).isEqualTo("fine");
            assertThat(starter.started()).hasSize(3); // two deaths, two replacements
        }
    }

    @Test
    void nodeLossesAreNoCrashLoop() throws Exception {
        FakeStarter starter = new FakeStarter();
        // With a restart limit of 1, a second crash-loop death would fail the pool.
        try (ProcessTaskPool pool = pool(Tandem.processes(1).restartLimit(1, Duration.ofMinutes(10)), starter)) {
            for (int i = 0; i < 3; i++) {
                running = new CountDownLatch(1);
                Future<Boolean> f = pool.submit(() -> {
                    running.countDown();
                    return new CountDownLatch(1).await(1, TimeUnit.MINUTES);
                });
                assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
                starter.started().getLast().lose(true);
                ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, f::get);
                assertThat(e.getCause())
                        .isInstanceOf(NodeLostException.class)
                        .hasMessageContaining("its connection closed");
            }
            assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
            assertThat(starter.started()).hasSize(4); // three losses, three replacements
        }
    }

    /**
     * A worker of prefetch factor 4 (as a cluster node session is) holds 16 x 4 short tasks beyond
     * the one it runs; when it is lost naming them as never started (as a node session names the
     * tasks it never sent), only the running task fails: the 64 it held go back to the queue and all
     * run on its replacement. The window is deep only once the smoothed task time is under 1 ms,
     * which a stall of the loaded test machine can upset; so it tries a few times, and fails if the
     * window was never deep.
     */
    @Test
    void aDeepWindowLostFailsOnlyWhatMayHaveStartedAndRequeuesWhatNeverStarted() throws Exception {
        FakeStarter starter = new FakeStarter(4);
        boolean deep = false;
        release = new CountDownLatch(1);
        try (ProcessTaskPool pool = pool(Tandem.processes(1), starter)) {
            try {
                for (int attempt = 0; attempt < 10 && !deep; attempt++) {
                    Held h = holdBehindABlocker(pool, starter);
                    deep = h.held() == 16 * 4;
                    assertThat(h.held()).as("tasks held behind the running one").isIn(0, 1, 16 * 4);
                    h.worker().lose(true);
                    ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, h.blocker()::get);
                    assertThat(e.getCause()).isInstanceOf(NodeLostException.class);
                    for (int i = 0; i < 200; i++) {
                        assertThat(h.behind().get(i).get()).isEqualTo(i);
                    }
                }
            } finally {
                release.countDown(); // no task blocks the pool's close, even after a failed assertion
            }
        }
        assertThat(deep).as("the window was deep at least once").isTrue();
    }

    /**
     * What broke: a lost node's tasks beyond its slots went back to the queue untouched, though a
     * node may have started them (out of order, from its workers' inboxes, or finished them with
     * their replies lost): without retries they ran a second time elsewhere. A loss that names no
     * task as never started fails every task the worker held, and runs none of them again.
     */
    @Test
    void aLostNodeFailsEveryTaskItMayHaveStartedAndRunsNoneOfThemAgain() throws Exception {
        FakeStarter starter = new FakeStarter(4);
        release = new CountDownLatch(1);
        try (ProcessTaskPool pool = pool(Tandem.processes(1), starter)) {
            try {
                Held h = holdBehindABlocker(pool, starter);
                h.worker().lose(false);
                assertThat(Assertions.catchThrowableOfType(ExecutionException.class, h.blocker()::get)
                                .getCause())
                        .isInstanceOf(NodeLostException.class);
                for (int i = 0; i < 200; i++) {
                    if (i < h.held()) {
                        ExecutionException e = Assertions.catchThrowableOfType(
                                ExecutionException.class, h.behind().get(i)::get);
                        assertThat(e.getCause()).isInstanceOf(NodeLostException.class);
                    } else {
                        assertThat(h.behind().get(i).get()).isEqualTo(i);
                    }
                }
                assertThat(starter.started().getLast().ran).hasSize(200 - h.held());
            } finally {
                release.countDown();
            }
        }
    }

    /** A worker running a blocker, the 200 tasks submitted behind it, and how many of them it holds. */
    private record Held(FakeWorker worker, Future<Boolean> blocker, List<Future<Integer>> behind, int held) {}

    /** Warms the prefetch window with 500 short tasks, then submits a blocker and 200 tasks behind it. */
    private static Held holdBehindABlocker(ProcessTaskPool pool, FakeStarter starter) throws Exception {
        List<Future<Integer>> warm = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            warm.add(pool.submit(() -> 1));
        }
        for (Future<Integer> f : warm) {
            assertThat(f.get()).isEqualTo(1);
        }
        FakeWorker w = starter.started().getLast();
        running = new CountDownLatch(1);
        Future<Boolean> blocker = pool.submit(() -> {
            running.countDown();
            return release.await(1, TimeUnit.MINUTES);
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        int before = w.sent.get();
        List<Future<Integer>> behind = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            behind.add(pool.submit(() -> n));
        }
        return new Held(w, blocker, behind, w.sent.get() - before);
    }

    @Test
    void aDeadlineKillsTheWorkerRunningTheTaskAndOnlyThatOne() throws Exception {
        FakeStarter starter = new FakeStarter();
        try (ProcessTaskPool pool = pool(Tandem.processes(2).taskTimeout(Duration.ofMillis(200)), starter)) {
            Future<Boolean> stuck = pool.submit(() -> new CountDownLatch(1).await(1, TimeUnit.MINUTES));
            ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, stuck::get);
            assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
            assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
            long killed =
                    starter.started().stream().filter(w -> w.kills.get() > 0).count();
            assertThat(killed).isEqualTo(1);
        }
    }
}
