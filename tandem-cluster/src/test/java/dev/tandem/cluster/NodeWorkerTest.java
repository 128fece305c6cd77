package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A caller's session on a node ({@link NodeWorker}) without a node: the test answers each call
 * itself, in the order it chooses. The poll and a SUBMIT are two calls whose answers may come in
 * either order; an end the node announces in one must not drop the replies the other carries.
 */
class NodeWorkerTest {
    private static final Secret SECRET = Secret.none();

    /** One call the session made, its request opened; the test completes {@link #answer}. */
    record Call(Wire.In request, boolean poll, CompletableFuture<byte[]> answer) {}

    /** A link to no node: it records calls, reports on the calling thread. */
    static class FakeLink implements NodeWorker.Link {
        final List<Call> calls = new ArrayList<>();
        final List<Wire.In> quiet = new ArrayList<>();
        final List<WorkerEnd.NodeLoss> ends = new ArrayList<>();
        private final AtomicLong nonces = new AtomicLong();

        @Override
        public synchronized CompletableFuture<byte[]> call(Member m, byte[] sealed, boolean poll) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            calls.add(new Call(openRequest(sealed), poll, f));
            return f;
        }

        @Override
        public synchronized void callQuietly(Member m, Wire.Out out, boolean poll) {
            quiet.add(openRequest(out.seal(SECRET)));
        }

        private static Wire.In openRequest(byte[] sealed) {
            try {
                return Wire.In.open(sealed, SECRET);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Wire.In open(byte[] reply, long nonce, String node) throws IOException {
            Wire.In in = Wire.In.open(reply, SECRET);
            if (in == null || in.nonce != nonce) {
                throw new IOException("a bad answer");
            }
            return in;
        }

        @Override
        public long nonce() {
            return nonces.incrementAndGet();
        }

        @Override
        public Secret secret() {
            return SECRET;
        }

        @Override
        public void report(Runnable r) {
            r.run();
        }

        @Override
        public synchronized void ended(NodeWorker w, WorkerEnd.NodeLoss loss) {
            ends.add(loss);
        }

        @Override
        public long pollWaitNanos() {
            return 1_000_000_000L;
        }

        @Override
        public long failureTimeoutNanos() {
            return 10_000_000_000L;
        }

        synchronized Call last(boolean poll) {
            for (int i = calls.size() - 1; i >= 0; i--) {
                if (calls.get(i).poll() == poll) {
                    return calls.get(i);
                }
            }
            throw new AssertionError("no " + (poll ? "poll" : "SUBMIT") + " was sent");
        }

        synchronized int count(boolean poll) {
            return (int) calls.stream().filter(c -> c.poll() == poll).count();
        }
    }

    /** What the conductor heard, in order: "result 7", "ended ...". */
    static final class Heard implements WorkerListener {
        final List<String> events = new ArrayList<>();
        WorkerEnd end;

        @Override
        public synchronized void result(long taskId, byte[] value) {
            events.add("result " + taskId);
        }

        @Override
        public synchronized void failed(long taskId, byte[] throwable) {
            events.add("failed " + taskId);
        }

        @Override
        public synchronized void copyFailed(long taskId, byte boundary, byte[] throwable) {
            events.add("copyFailed " + taskId);
        }

        @Override
        public synchronized void ended(WorkerEnd e) {
            events.add("ended");
            end = e;
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }
    }

    private final FakeLink link = new FakeLink();
    private final Heard heard = new Heard();
    private final NodeWorker worker = new NodeWorker(1, null, "node-a", 42, 7, 1, heard, link);

    /** A poll's answer: its end reason ("" while the session lives) and replies to the given tasks. */
    private static byte[] pollAnswer(Call poll, String ended, long... results) {
        return replies(new Wire.Out(Wire.REPLIES, poll.request().nonce).writeString(ended), results);
    }

    /** A SUBMIT's OK, carrying replies to the given tasks. */
    private static byte[] submitAnswer(Call submit, long... results) {
        return replies(new Wire.Out(Wire.OK, submit.request().nonce), results);
    }

    private static byte[] replies(Wire.Out out, long... results) {
        out.writeInt(results.length);
        for (long id : results) {
            out.writeLong(id).writeByte(Wire.REPLY_RESULT).writeByte(0).writeBytes(new byte[] {1});
        }
        return out.seal(SECRET);
    }

    private static byte[] gone(Call call, String reason) {
        return new Wire.Out(Wire.GONE, call.request().nonce).writeString(reason).seal(SECRET);
    }

    /** Starts the session's poll and sends task {@code id} in a SUBMIT, and returns the SUBMIT. */
    private Call pollAndSubmit(long id) {
        worker.poll();
        worker.send(id, new byte[] {1, 2, 3}, false);
        worker.flush();
        return link.last(false);
    }

    /**
     * What broke: the node ended the session (its lease, its stopping) while a SUBMIT to the idle
     * session carried its task's first reply; the poll's answer announcing the end came in first,
     * the session ended, and the SUBMIT's reply was dropped: a completed task counted as lost.
     */
    @Test
    void aSubmitsReplyThatArrivesAfterThePollAnnouncedTheEndStillReachesTheCaller() {
        Call submit = pollAndSubmit(11);
        Call poll = link.last(true);
        poll.answer().complete(pollAnswer(poll, "node node-a is stopping"));
        assertThat(heard.events()).as("the end waits for the SUBMIT under way").isEmpty();
        submit.answer().complete(submitAnswer(submit, 11));
        assertThat(heard.events()).containsExactly("result 11", "ended");
        assertThat(heard.end.nodeLoss()).as("an end the node chose is a loss").isNotNull();
        assertThat(heard.end.nodeLoss().detection()).contains("is stopping");
        assertThat(link.count(true)).as("no poll after the end").isEqualTo(1);
    }

    /** The same for a close: the poll's "closed" waits for the SUBMIT, and is no loss. */
    @Test
    void aSubmitsReplyAfterAClosedPollIsDeliveredAndTheEndIsNoLoss() {
        Call submit = pollAndSubmit(12);
        Call poll = link.last(true);
        poll.answer().complete(pollAnswer(poll, NodeSession.CLOSED));
        submit.answer().complete(submitAnswer(submit, 12));
        assertThat(heard.events()).containsExactly("result 12", "ended");
        assertThat(heard.end.nodeLoss()).isNull();
    }

    /**
     * What broke: a SUBMIT (a cancel, more tasks) that reached the node after the session ended was
     * answered GONE, and the caller ended the session with a loss at once, dropping the replies the
     * poll was carrying back with the end: tasks that completed failed with NodeLostException.
     */
    @Test
    void aPollsRepliesThatArriveAfterASubmitHeardGoneStillReachTheCaller() {
        Call first = pollAndSubmit(21);
        first.answer().complete(submitAnswer(first)); // taken, no reply yet
        worker.cancel(21);
        worker.flush();
        Call cancel = link.last(false);
        cancel.answer().complete(gone(cancel, "no such session on node node-a"));
        assertThat(heard.events()).as("the end waits for the poll under way").isEmpty();
        Call poll = link.last(true);
        poll.answer().complete(pollAnswer(poll, NodeSession.CLOSED, 21));
        assertThat(heard.events()).containsExactly("result 21", "ended");
        assertThat(heard.end.nodeLoss())
                .as("the poll's end, which came with the last replies")
                .isNull();
    }

    /**
     * A poll under way when a SUBMIT heard GONE may have been answered before the session ended:
     * the session polls once more, and that poll brings the last replies and the end.
     */
    @Test
    void afterAGoneThePollGoesOnUntilAPollSentAfterItAnswers() {
        Call submit = pollAndSubmit(31);
        Call poll1 = link.last(true);
        submit.answer().complete(gone(submit, "closed"));
        poll1.answer().complete(pollAnswer(poll1, "")); // answered before the node ended the session
        assertThat(heard.events()).isEmpty();
        assertThat(link.count(true)).isEqualTo(2);
        Call poll2 = link.last(true);
        poll2.answer().complete(pollAnswer(poll2, "node node-a is stopping", 31));
        assertThat(heard.events()).containsExactly("result 31", "ended");
    }

    /** A poll sent after the GONE that answers without an end: the GONE stands (a replayed SUBMIT). */
    @Test
    void aGoneWhoseSessionLivesOnEndsItAsALossAfterOnePollMore() {
        Call submit = pollAndSubmit(41);
        Call poll1 = link.last(true);
        submit.answer().complete(gone(submit, "a submission out of sequence (1 after 1): refused as a replay"));
        poll1.answer().complete(pollAnswer(poll1, ""));
        Call poll2 = link.last(true);
        poll2.answer().complete(pollAnswer(poll2, ""));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss().detection()).contains("replay");
        assertThat(link.count(true)).isEqualTo(2);
    }

    /** No SUBMIT leaves once the node announced the end: tasks still in the outbox were never sent. */
    @Test
    void tasksQueuedAfterAnAnnouncedEndAreNotSentAndCountAsUnstarted() {
        Call submit = pollAndSubmit(51);
        Call poll = link.last(true);
        poll.answer().complete(pollAnswer(poll, "node node-a is stopping"));
        worker.send(52, new byte[] {1}, false);
        worker.flush();
        submit.answer().complete(submitAnswer(submit, 51));
        assertThat(link.count(false))
                .as("no SUBMIT after the end was announced")
                .isEqualTo(1);
        assertThat(heard.end.nodeLoss().unstarted()).isEqualTo(1);
    }

    /**
     * What hung: a SUBMIT the node refused (a malformed request, the node stopping) was ignored, and
     * its tasks waited for replies that could never come. Now the session ends with a loss.
     */
    @Test
    void aRefusedSubmitEndsTheSessionWithALossInsteadOfLeavingItsTasksWaiting() {
        Call submit = pollAndSubmit(61);
        submit.answer()
                .complete(new Wire.Out(Wire.REFUSED, submit.request().nonce)
                        .writeString("malformed request: boom")
                        .seal(SECRET));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss().detection())
                .contains("refused a submission")
                .contains("boom");
        assertThat(heard.end.nodeLoss().mayStillRun()).isTrue();
        assertThat(link.quiet).as("the node is told to kill the session").hasSize(1);
    }

    /** A SUBMIT that gets no answer counts for the silence watch, as the poll does. */
    @Test
    void aSubmitAwaitingItsAnswerIsWatchedForSilence() {
        Call submit = pollAndSubmit(71);
        Call poll = link.last(true);
        poll.answer().complete(pollAnswer(poll, "node node-a is stopping"));
        assertThat(worker.oldestCallNanos()).as("the SUBMIT under way").isNotZero();
        submit.answer().complete(submitAnswer(submit, 71));
        assertThat(worker.oldestCallNanos()).isZero();
    }

    /** A call that fails ends the session at once, as a loss: the node is not asked to settle. */
    @Test
    void aFailedCallEndsTheSessionAtOnce() {
        Call submit = pollAndSubmit(81);
        submit.answer().completeExceptionally(new RuntimeException("TargetDisconnectedException"));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss()).isNotNull();
    }
}
