package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tandem.spi.EncodedPool;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A session's fencing, without a node: a request that arrives after the caller's lease ran out
 * (late, or read by a frozen node as it resumes) neither renews the lease nor brings tasks in; and
 * which answer carries a reply: a SUBMIT's, for the first replies of tasks it brought to an idle
 * session, else the poll's.
 */
class NodeSessionTest {
    private static final Secret SECRET = Secret.none();
    private static final long LONG_LEASE = TimeUnit.MINUTES.toNanos(1);
    private static final long LONG_WAIT = TimeUnit.MINUTES.toNanos(1);

    /**
     * What broke: a poll that arrived after the lease reopened the session's gate, so a frozen node
     * that resumed and read a stale poll before its watch ended the session could start the tasks its
     * caller had already run elsewhere.
     */
    @Test
    void aPollAfterTheLeaseRanOutFencesTheSessionInsteadOfRenewingIt() throws Exception {
        NodeSession s = new NodeSession(1, "caller", 1, List.of(), 0); // a lease that has run out
        assertThat(s.leaseHolds()).isFalse();
        NodeSession.Polled polled = s.poll(1, 0);
        assertThat(polled.ended()).contains("fenced");
        assertThat(s.ended()).contains("fenced");
        assertThat(s.leaseHolds()).as("the poll did not renew the lease").isFalse();
    }

    @Test
    void aSubmitAfterTheLeaseRanOutIsRefused() throws Exception {
        NodeSession s = new NodeSession(2, "caller", 1, List.of(), 0);
        assertThat(s.submit(1, null, 0).gone()).contains("fenced");
    }

    @Test
    void aPollWithinTheLeaseRenewsIt() throws Exception {
        NodeSession s = new NodeSession(3, "caller", 1, List.of(), 60_000_000_000L);
        NodeSession.Polled polled = s.poll(1, 0);
        assertThat(polled.ended()).isNull();
        assertThat(s.leaseHolds()).isTrue();
        assertThat(s.ended()).isNull();
    }

    /**
     * What broke (load 5.6, {@code nodeFailureTimeout(2s)}): a healthy node fenced a session whose
     * workers took longer than the lease to start; the lease ran from OPEN's arrival, and the caller
     * cannot poll before OPEN answers, so its first poll was "silent for the session's lease" and the
     * pool started with 1 of 2 nodes. The lease runs from the session's start.
     */
    @Test
    void aStartLongerThanTheLeaseFencedTheSessionBeforeItsCallerCouldPoll() throws Exception {
        NodeSession s = new NodeSession(4, "caller", 1, List.of(), TimeUnit.MILLISECONDS.toNanos(300));
        new CountDownLatch(1).await(400, TimeUnit.MILLISECONDS); // the workers' start, longer than the lease
        s.started(new HeldPool());
        NodeSession.Polled polled = s.poll(1, 0); // the caller's first poll, as OPEN answers
        assertThat(polled.ended()).isNull();
        assertThat(s.ended()).isNull();
        assertThat(s.leaseHolds()).isTrue();
    }

    /** A pool that holds what it is given until the test answers it through the session. */
    static class HeldPool implements EncodedPool {
        final List<Long> held = new ArrayList<>();

        @Override
        public synchronized void submit(long taskId, byte[] task, boolean stateless) {
            held.add(taskId);
        }

        @Override
        public void cancel(long taskId) {}

        @Override
        public synchronized int outstanding() {
            return held.size();
        }

        synchronized void answer(NodeSession s, long taskId) {
            held.remove(taskId);
            s.result(taskId, new byte[] {(byte) taskId});
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public List<Long> workerPids() {
            return List.of();
        }

        @Override
        public void kill() {}

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void close() {}
    }

    /** The frames of a SUBMIT, as the session reads them (after the session id, sequence and count). */
    private static Wire.In tasks(long... ids) throws IOException {
        Wire.Out out = new Wire.Out(Wire.SUBMIT, 1);
        for (long id : ids) {
            out.writeByte(Wire.FRAME_TASK).writeLong(id).writeBytes(new byte[] {1, 2, 3});
        }
        return Wire.In.open(out.seal(SECRET), SECRET);
    }

    private static NodeSession session(HeldPool pool) {
        NodeSession s = new NodeSession(4, "caller", 1, List.of(), LONG_LEASE);
        s.started(pool);
        return s;
    }

    /**
     * What was slow: a lone task's reply woke the outstanding poll, whose answer and the next poll
     * cost a Hazelcast call each way and about a dozen thread wake-ups per round trip. The SUBMIT
     * that brought it to an idle session now carries it back, and the poll gets nothing.
     */
    @Test
    void theFirstReplyOfATaskSentToAnIdleSessionTravelsInItsSubmitsAnswer() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = session(pool);
        NodeSession.Submitted done = s.submit(1, tasks(7), 1);
        assertThat(done.gone()).isNull();
        assertThat(done.awaitsReplies()).isTrue();
        AtomicReference<List<NodeSession.Reply>> carried = new AtomicReference<>();
        Thread submit = Thread.ofPlatform().start(() -> {
            try {
                carried.set(s.awaitFirstReplies(LONG_WAIT));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (submit.getState() != Thread.State.TIMED_WAITING) { // the SUBMIT waits for its reply
            Thread.onSpinWait();
        }
        pool.answer(s, 7);
        submit.join(Duration.ofSeconds(30));
        assertThat(submit.isAlive()).as("the reply woke the waiting SUBMIT").isFalse();
        assertThat(carried.get()).extracting(NodeSession.Reply::taskId).containsExactly(7L);
        assertThat(s.poll(1, 0).replies()).as("the reply travels once").isEmpty();
    }

    /** A SUBMIT to a session with tasks under way waits for nothing: the poll carries their replies. */
    @Test
    void aSubmitToABusySessionDoesNotWaitForReplies() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = session(pool);
        assertThat(s.submit(1, tasks(1), 1).awaitsReplies()).isTrue();
        assertThat(s.submit(2, tasks(2, 3), 2).awaitsReplies()).isFalse();
        assertThat(s.submit(3, tasks(), 0).awaitsReplies())
                .as("a SUBMIT without tasks")
                .isFalse();
    }

    /**
     * A reply that comes after the SUBMIT stopped waiting wakes the poll at once (it is not left for
     * the poll's whole wait), and replies the SUBMIT did not take stay for the poll.
     */
    @Test
    void aReplyAfterTheSubmitStoppedWaitingGoesToThePollAtOnce() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = new NodeSession(4, "caller", 2, List.of(), LONG_LEASE); // two slots
        s.started(pool);
        assertThat(s.submit(1, tasks(5, 6), 2).awaitsReplies()).isTrue();
        assertThat(s.awaitFirstReplies(0)).as("nothing came in time").isEmpty();
        Thread worker = Thread.ofPlatform().start(() -> {
            pool.answer(s, 5);
            pool.answer(s, 6);
        });
        List<Long> polled = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            long seq = 1;
            while (polled.size() < 2) {
                s.poll(seq++, LONG_WAIT).replies().forEach(r -> polled.add(r.taskId()));
            }
        });
        worker.join();
        assertThat(polled).containsExactly(5L, 6L);
    }

    /**
     * What was slow: a busy caller's refill that reached a drained session waited for its first
     * replies, and the caller's next refill waited for that answer: under load three SUBMITs in
     * four found the session drained again. Only a batch its pool starts at once waits.
     */
    @Test
    void aSubmitOfMoreTasksThanTheSessionRunsAtOnceDoesNotWaitForReplies() throws Exception {
        NodeSession s = new NodeSession(7, "caller", 1, 2, List.of(), LONG_LEASE); // 1 process x 2 threads
        s.started(new HeldPool());
        assertThat(s.submit(1, tasks(1, 2, 3), 3).awaitsReplies()).isFalse();
        NodeSession t = new NodeSession(8, "caller", 1, 2, List.of(), LONG_LEASE);
        t.started(new HeldPool());
        assertThat(t.submit(1, tasks(1, 2), 2).awaitsReplies()).isTrue();
    }

    /** A session that ends while a SUBMIT waits releases it at once, without replies. */
    @Test
    void aSessionThatEndsReleasesAWaitingSubmit() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = session(pool);
        assertThat(s.submit(1, tasks(9), 1).awaitsReplies()).isTrue();
        Thread ender = Thread.ofPlatform().start(() -> s.end("killed by its caller"));
        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> assertThat(s.awaitFirstReplies(LONG_WAIT)).isEmpty());
        pool.answer(s, 9); // the pool's answer to its kill: the end is announced with it
        ender.join();
        assertThat(s.ended()).isEqualTo("killed by its caller");
    }

    /** Polls until the session announces its end, keeping the tasks whose replies came, and the end. */
    private static Thread pollUntilEnded(NodeSession s, List<Long> replied, AtomicReference<String> ended) {
        return Thread.ofPlatform().start(() -> {
            long seq = 1;
            try {
                while (ended.get() == null) {
                    NodeSession.Polled polled = s.poll(seq++, LONG_WAIT);
                    synchronized (replied) {
                        polled.replies().forEach(r -> replied.add(r.taskId()));
                    }
                    ended.set(polled.ended());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Waits until {@code t} waits with a timeout, or ended. */
    private static void awaitWaiting(Thread t) {
        while (t.getState() != Thread.State.TIMED_WAITING && t.isAlive()) {
            Thread.onSpinWait();
        }
    }

    /** Waits until {@code ender} waits for the session to settle, or {@code poller} is done. */
    private static void awaitSettlingOrDone(Thread ender, Thread poller) {
        while (poller.isAlive() && ender.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
    }

    /**
     * What broke: a task's reply that came a moment after the session's end began (the pool's kill
     * races the reply its reader thread is handing over) landed in the outbox after the poll had
     * announced the end, so the caller never heard of it. The end is now announced only with the
     * last reply owed.
     */
    @Test
    void aReplyThatComesAfterTheEndBeganTravelsBeforeTheEndIsAnnounced() throws Exception {
        HeldPool pool = new HeldPool(); // its kill answers nothing: the reply comes later
        NodeSession s = session(pool);
        assertThat(s.submit(1, tasks(1), 1).gone()).isNull();
        List<Long> replied = new ArrayList<>();
        AtomicReference<String> ended = new AtomicReference<>();
        Thread poller = pollUntilEnded(s, replied, ended);
        awaitWaiting(poller);
        Thread ender = Thread.ofPlatform().start(() -> s.end("node n is stopping"));
        awaitSettlingOrDone(ender, poller);
        pool.answer(s, 1); // the late reply
        poller.join(Duration.ofSeconds(30));
        ender.join(Duration.ofSeconds(30));
        assertThat(ended.get()).isEqualTo("node n is stopping");
        assertThat(replied).as("the reply travelled before the end").containsExactly(1L);
    }

    /** A pool whose submit of one task blocks until released; killed, it answers what it holds and refuses more. */
    static final class GatedPool implements EncodedPool {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ConcurrentLinkedQueue<Long> held = new ConcurrentLinkedQueue<>();
        final long gated;
        volatile NodeSession session;
        volatile boolean killed;

        GatedPool(long gated) {
            this.gated = gated;
        }

        @Override
        public void submit(long taskId, byte[] task, boolean stateless) {
            if (taskId == gated) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (killed) {
                session.failed(taskId, new byte[] {0}); // rejected, as a killed pool answers
            } else {
                held.add(taskId);
            }
        }

        @Override
        public void cancel(long taskId) {}

        @Override
        public int outstanding() {
            return held.size();
        }

        @Override
        public boolean isShutdown() {
            return killed;
        }

        @Override
        public List<Long> workerPids() {
            return List.of();
        }

        @Override
        public void kill() {
            killed = true;
            for (Long id; (id = held.poll()) != null; ) {
                session.failed(id, new byte[] {0}); // cancelled
            }
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void close() {}
    }

    /**
     * What broke: a SUBMIT that passed its check just before the session's end began went on
     * handing tasks to the killed pool; their refusals came after the poll had announced the end,
     * and were never delivered. The end now waits for SUBMITs under way.
     */
    @Test
    void repliesOfASubmitUnderWayWhenTheEndBeganTravelBeforeTheEnd() throws Exception {
        GatedPool pool = new GatedPool(2);
        NodeSession s = new NodeSession(5, "caller", 1, List.of(), LONG_LEASE);
        pool.session = s;
        s.started(pool);
        Thread submitter = Thread.ofPlatform().start(() -> {
            try {
                s.submit(1, tasks(1, 2), 2);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        pool.entered.await(); // task 1 accepted, task 2 on its way into the pool
        List<Long> replied = new ArrayList<>();
        AtomicReference<String> ended = new AtomicReference<>();
        Thread poller = pollUntilEnded(s, replied, ended);
        Thread ender = Thread.ofPlatform().start(() -> s.end("node n is stopping"));
        awaitSettlingOrDone(ender, poller);
        pool.release.countDown();
        submitter.join(Duration.ofSeconds(30));
        poller.join(Duration.ofSeconds(30));
        ender.join(Duration.ofSeconds(30));
        assertThat(ended.get()).isEqualTo("node n is stopping");
        assertThat(replied).as("both tasks answered before the end").containsExactlyInAnyOrder(1L, 2L);
    }

    /** Once the end began, a new SUBMIT is refused with its reason, before the end is announced. */
    @Test
    void aSubmitAfterTheEndBeganIsRefusedWithItsReason() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = session(pool);
        assertThat(s.submit(1, tasks(1), 1).gone()).isNull();
        Thread ender = Thread.ofPlatform().start(() -> s.end("node n is stopping"));
        awaitWaiting(ender); // waits for the reply of task 1
        assertThat(s.submit(2, tasks(2), 1).gone()).isEqualTo("node n is stopping");
        assertThat(pool.held)
                .as("the refused SUBMIT's task never reached the pool")
                .containsExactly(1L);
        pool.answer(s, 1);
        ender.join(Duration.ofSeconds(30));
        assertThat(s.ended()).isEqualTo("node n is stopping");
    }

    /** A pool whose kill abandons what it holds, as a real pool's kill does with what it stopped. */
    static class AbandoningPool implements EncodedPool {
        final ConcurrentLinkedQueue<Long> held = new ConcurrentLinkedQueue<>();
        volatile NodeSession session;

        @Override
        public void submit(long taskId, byte[] task, boolean stateless) {
            held.add(taskId);
        }

        @Override
        public void cancel(long taskId) {}

        @Override
        public int outstanding() {
            return held.size();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public List<Long> workerPids() {
            return List.of();
        }

        @Override
        public void kill() {
            for (Long id; (id = held.poll()) != null; ) {
                session.abandoned(id);
            }
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void close() {}
    }

    /**
     * What broke: a stopping node's kill answered its session's tasks cancelled, and the caller
     * failed them with that CancellationException instead of counting them lost with the node. The
     * tasks the kill abandons now send no reply, and settle the session's end at once: the end is
     * announced without them (the caller's loss decides them), long before the settle bound.
     */
    @Test
    void tasksTheKillAbandonedSendNoReplyAndSettleTheEndAtOnce() throws Exception {
        AbandoningPool pool = new AbandoningPool();
        NodeSession s = new NodeSession(9, "caller", 1, List.of(), LONG_LEASE);
        pool.session = s;
        s.started(pool);
        assertThat(s.submit(1, tasks(1, 2), 2).gone()).isNull();
        List<Long> replied = new ArrayList<>();
        AtomicReference<String> ended = new AtomicReference<>();
        Thread poller = pollUntilEnded(s, replied, ended);
        awaitWaiting(poller);
        assertTimeoutPreemptively(
                Duration.ofNanos(NodeSession.SETTLE_NANOS * 3 / 4),
                () -> s.end("node n is stopping"),
                "the end waited for replies the kill never sends");
        poller.join(Duration.ofSeconds(30));
        assertThat(ended.get()).isEqualTo("node n is stopping");
        assertThat(replied).as("no reply for an abandoned task").isEmpty();
    }

    /**
     * What could break: a close whose drain the node's stop cut short was announced as "closed" when
     * the drain returned before the stop's own announcement, and the caller, hearing a close, would
     * not count the tasks the kill abandoned as lost with the node. It ends for the stop's reason.
     */
    @Test
    void aCloseCutShortByTheNodeStoppingEndsForTheStop() throws Exception {
        AbandoningPool pool = new AbandoningPool();
        NodeSession s = new NodeSession(10, "caller", 1, List.of(), LONG_LEASE);
        pool.session = s;
        s.started(pool);
        assertThat(s.submit(1, taskThenClose(1), 2).gone()).isNull(); // the close waits for task 1
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> s.end("node n is stopping"));
        assertThat(s.ended()).isEqualTo("node n is stopping");
    }

    /** A SUBMIT of task {@code id} (or none if negative), then the session's CLOSE. */
    private static Wire.In taskThenClose(long id) throws IOException {
        Wire.Out out = new Wire.Out(Wire.SUBMIT, 1);
        if (id >= 0) {
            out.writeByte(Wire.FRAME_TASK).writeLong(id).writeBytes(new byte[] {1});
        }
        out.writeByte(Wire.FRAME_CLOSE).writeLong(0);
        return Wire.In.open(out.seal(SECRET), SECRET);
    }

    /**
     * What was slow: a caller's close of an idle pool took 4 to 10 s on separately started nodes (the
     * first time a class path met them): the session's end was announced only once its pool had
     * stopped its workers, and a worker that writes its AOT cache as it exits takes seconds. The end
     * is announced once every task was answered; the workers stop after.
     */
    @Test
    void aClosedSessionAnnouncesItsEndWithoutWaitingForItsWorkersToExit() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        CountDownLatch stopping = new CountDownLatch(1);
        HeldPool pool = new HeldPool() {
            @Override
            public void close() {
                stopping.countDown();
                try {
                    exited.await(); // its workers take their time to exit
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        NodeSession s = session(pool);
        try {
            assertThat(s.submit(1, taskThenClose(-1), 1).gone()).isNull();
            NodeSession.Polled polled = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> s.poll(1, LONG_WAIT),
                    "the end waited for the pool's workers to exit");
            assertThat(polled.ended()).isEqualTo(NodeSession.CLOSED);
            assertThat(stopping.await(30, TimeUnit.SECONDS))
                    .as("the workers are stopped all the same")
                    .isTrue();
        } finally {
            exited.countDown();
        }
    }

    /** A close with a task under way announces its end only with that task's reply, whenever it comes. */
    @Test
    void aClosedSessionAnnouncesItsEndOnlyOnceItsTasksAnswered() throws Exception {
        HeldPool pool = new HeldPool();
        NodeSession s = session(pool);
        assertThat(s.submit(1, taskThenClose(7), 2).gone()).isNull();
        NodeSession.Polled first = s.poll(1, 0);
        assertThat(first.ended()).as("task 7 is under way").isNull();
        assertThat(first.replies()).isEmpty();
        pool.answer(s, 7);
        List<Long> replied = new ArrayList<>();
        AtomicReference<String> ended = new AtomicReference<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            long seq = 2;
            while (ended.get() == null) {
                NodeSession.Polled p = s.poll(seq++, LONG_WAIT);
                p.replies().forEach(r -> replied.add(r.taskId()));
                ended.set(p.ended());
            }
        });
        assertThat(replied).containsExactly(7L);
        assertThat(ended.get()).isEqualTo(NodeSession.CLOSED);
    }
}
