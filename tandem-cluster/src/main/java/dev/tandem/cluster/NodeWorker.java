package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This caller's session on one node, as the conductor sees it: a {@link Worker} whose window is the
 * node's processes times threads for this pool. Tasks, cancels and the close go to the node in
 * SUBMIT messages, at most one in flight (so their order is the conductor's, and a burst travels in
 * one message); replies come back through a poll that is always outstanding, which is also the
 * caller's lease on the node, except the first replies of tasks sent to an idle session, which the
 * SUBMIT's own answer carries (a lone task's round trip then costs no poll answer and new poll).
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * polling --poll answers "closed" (after the conductor's exit)-------------> ended
 * polling --kill(): KILL sent, ended at once---------------------------------> ended
 * polling --a call fails, the member leaves, or no answer in time-----------> ended, with a NodeLoss
 * </pre>
 * The end is reported to the listener exactly once, after every reply already received; later
 * replies are dropped (a node that comes back after being declared lost has its attempts stopped
 * by its own lease, and their results never reach the caller). A loss counts every task sent to the
 * node as maybe started, and only those still in the outbox as unstarted ({@link #end}).
 *
 * <h2>An end the node announces waits for the answers under way</h2>
 * The poll and a SUBMIT travel as two Hazelcast calls, whose answers may arrive in either order.
 * So an end the node announces (a poll's end reason, or GONE to either call) is applied only once
 * no call of the session awaits its answer ({@link #announce}): a SUBMIT's answer that carries the
 * first replies of its tasks, sent before the session ended, may arrive after the poll that says
 * it ended; and a poll's answer with the last replies may arrive after a SUBMIT that heard the
 * session is gone. A SUBMIT's GONE keeps the poll going until a poll sent after it answers: the
 * node's last replies and its end reason travel in a poll. Meanwhile no SUBMIT leaves (what waits in
 * the outbox was never sent, and goes back to the queue). An end seen by the caller itself (a call
 * failed, the node was silent, the member left, a bad answer) is applied at once, as a loss.
 *
 * <h2>Why every task sent may have started</h2>
 * The conductor's rule for a local worker (the first {@code slots} tasks of its window run, the rest
 * wait) does not hold for a node: its P worker JVMs run their tasks out of the caller's order, each
 * holds more in its inbox and runs them while the node JVM is frozen, and the replies of tasks it
 * finished are lost with it. Requeuing those ran them twice, even without retries.
 *
 * <h2>Threads</h2>
 * Thread-safe: the conductor calls {@link #send}, {@link #cancel} and {@link #exit} under its lock
 * and {@link #flush} outside it. An answer is handled on the Hazelcast thread that received it
 * ({@link NodeCalls#submit}): a poll's replies go to the conductor from there, and the next poll
 * and SUBMIT leave from there, with no other thread woken on the way. That thread must never wait:
 * the end of the session is reported to the conductor on a thread of the starter's
 * ({@link NodeStarter#report}), since its handling may stop the pool and its Hazelcast client.
 */
final class NodeWorker implements Worker {
    /**
     * A session holds this many times the conductor's prefetch of short tasks: each refill of a node
     * costs a poll's answer, a new poll and a SUBMIT, so a shallow window leaves it idle between
     * them. Tasks held beyond the slots are not running: a loss sends them back to the queue.
     */
    static final int PREFETCH_FACTOR = 4;

    /**
     * What a session needs of the caller's side of the cluster: calls to its node, the seal, and
     * where its end is reported. {@link NodeStarter}; a test's stand-in.
     */
    interface Link {
        /** Sends a sealed message; the future completes with the sealed answer, on the thread that received it. */
        CompletableFuture<byte[]> call(Member m, byte[] sealed, boolean poll);

        /** Sends without waiting for the answer. */
        void callQuietly(Member m, Wire.Out out, boolean poll);

        /** {@return an answer, opened} @throws IOException if it does not verify or answers another request */
        Wire.In open(byte[] reply, long nonce, String node) throws IOException;

        long nonce();

        Secret secret();

        /** Runs {@code r} on a thread that is neither Hazelcast's nor one that may hold the conductor's lock. */
        void report(Runnable r);

        /** A session ended (before its listener hears it). */
        void ended(NodeWorker w, WorkerEnd.NodeLoss loss);

        long pollWaitNanos();

        long failureTimeoutNanos();

        /**
         * {@return how this caller itself was stalled lately, in words ("this caller was stalled for
         * 20115 ms, ..."), if for about its lease on the nodes or more; else null}
         */
        default String callerStall() {
            return null;
        }
    }

    final Member member;
    final String node;
    final long sessionId;
    /** When the outstanding poll was sent, in nanoTime; 0 when none is. */
    volatile long pollSentNanos;
    /** When the SUBMIT in flight was sent, in nanoTime; 0 when none is. */
    volatile long submitSentNanos;

    private final int id;
    private final long nodePid;
    private final int slots;
    private final WorkerListener listener;
    private final Link starter;

    private final ConcurrentLinkedQueue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    /** Whether a SUBMIT is in flight. */
    private final AtomicBoolean sending = new AtomicBoolean();

    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong submitSeq = new AtomicLong();
    private final AtomicLong pollSeq = new AtomicLong();

    /** Guards the calls in flight and the end the node announced. */
    private final Object calls = new Object();
    // Guarded by calls.
    /** Calls of this session awaiting their answer: the poll, and a SUBMIT. */
    private int inFlight;
    /**
     * The end the node announced, applied once no call is in flight; null while none was. Written
     * under {@code calls}; volatile so that {@link #flush} reads it without the lock.
     */
    private volatile String announced;

    private WorkerEnd.NodeLoss announcedLoss;
    /** Whether a poll announced it (a poll's end wins over a SUBMIT's GONE: it came with the last replies). */
    private boolean announcedByPoll;
    /** The last poll sent when a SUBMIT heard GONE: a later poll that answers without an end settles it. */
    private long goneAtPoll;

    NodeWorker(
            int id,
            Member member,
            String node,
            long nodePid,
            long sessionId,
            int slots,
            WorkerListener listener,
            Link starter) {
        this.id = id;
        this.member = member;
        this.node = node;
        this.nodePid = nodePid;
        this.sessionId = sessionId;
        this.slots = slots;
        this.listener = listener;
        this.starter = starter;
    }

    // ---------------------------------------------------------------- Worker

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        return nodePid;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public void send(long taskId, byte[] task, boolean stateless) {
        outbox.add(frame(stateless ? Wire.FRAME_STATELESS_TASK : Wire.FRAME_TASK, taskId, task));
    }

    @Override
    public void cancel(long taskId) {
        outbox.add(frame(Wire.FRAME_CANCEL, taskId, null));
    }

    @Override
    public void exit() {
        outbox.add(frame(Wire.FRAME_CLOSE, 0, null));
    }

    @Override
    public void flush() {
        if (ended.get()) {
            outbox.clear();
        } else if (!outbox.isEmpty() && !endAnnounced() && sending.compareAndSet(false, true)) {
            sendBatch();
        }
    }

    /** Ends the session now: KILL goes to the node (best effort), and the end is reported at once. */
    @Override
    public void kill() {
        if (ended.get()) {
            return;
        }
        outbox.clear();
        Wire.Out out = submitMessage(1);
        out.writeRaw(frame(Wire.FRAME_KILL, 0, null));
        starter.callQuietly(member, out, false);
        // Reported on another thread, as a worker JVM's end is: the conductor may hold its lock here.
        starter.report(() -> end("ended by its caller", null));
    }

    @Override
    public int prefetchFactor() {
        return PREFETCH_FACTOR;
    }

    @Override
    public long retireAfter() {
        return 0;
    }

    @Override
    public String retireReason(long tasks) {
        return "its session was recycled after " + tasks + " tasks";
    }

    /** The node enforces the task timeout itself; the conductor's backstop waits a node failure timeout more. */
    @Override
    public long selfStopGraceNanos() {
        return starter.failureTimeoutNanos();
    }

    // ---------------------------------------------------------------- submissions

    /** A frame: kind, task id, and for a task its bytes. */
    private static byte[] frame(byte kind, long taskId, byte[] task) {
        int n = 9 + (task == null ? 0 : 4 + task.length);
        byte[] f = new byte[n];
        f[0] = kind;
        for (int i = 0; i < 8; i++) {
            f[1 + i] = (byte) (taskId >>> (56 - 8 * i));
        }
        if (task != null) {
            int len = task.length;
            f[9] = (byte) (len >>> 24);
            f[10] = (byte) (len >>> 16);
            f[11] = (byte) (len >>> 8);
            f[12] = (byte) len;
            System.arraycopy(task, 0, f, 13, len);
        }
        return f;
    }

    private Wire.Out submitMessage(int frames) {
        return new Wire.Out(Wire.SUBMIT, starter.nonce())
                .writeLong(sessionId)
                .writeLong(submitSeq.incrementAndGet())
                .writeInt(frames);
    }

    /** Sends everything in the outbox as one SUBMIT; called with {@link #sending} taken. */
    private void sendBatch() {
        List<byte[]> frames = new ArrayList<>();
        byte[] f;
        long bytes = 0;
        while (bytes < (8 << 20) && (f = outbox.poll()) != null) {
            frames.add(f);
            bytes += f.length;
        }
        if (frames.isEmpty()) {
            sending.set(false);
            if (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
                sendBatch();
            }
            return;
        }
        Wire.Out out = submitMessage(frames.size());
        for (byte[] frame : frames) {
            out.writeRaw(frame);
        }
        long nonce = out.nonce();
        begin();
        submitSentNanos = System.nanoTime();
        starter.call(member, out.seal(starter.secret()), false).whenComplete((reply, error) -> {
            submitSentNanos = 0;
            submitAnswered(reply, error, nonce);
            sending.set(false);
            if (finish()) {
                flush();
            }
        });
    }

    /** Handles a SUBMIT's answer: the first replies of tasks it brought to an idle session, or none. */
    private void submitAnswered(byte[] reply, Throwable error, long nonce) {
        Wire.In in = answer(reply, error, nonce, false);
        if (in == null) {
            return;
        }
        try {
            if (in.type != Wire.OK) {
                // A refusal (a malformed request, the node stopping): what became of its tasks is
                // unknown, and no reply may come for them. Lost, rather than waited on for ever.
                String why = in.readString();
                starter.callQuietly(member, submitMessage(1).writeRaw(frame(Wire.FRAME_KILL, 0, null)), false);
                end(
                        "node " + node + " refused a submission: " + why,
                        new WorkerEnd.NodeLoss(node, "it refused a submission: " + why, true));
                return;
            }
            deliver(in); // the first replies of tasks sent to an idle session (NodeSession.awaitFirstReplies)
        } catch (IOException | RuntimeException e) {
            end("its node answered badly: " + e, null);
        }
    }

    // ---------------------------------------------------------------- replies

    /** Sends the next poll; its answer delivers replies and sends the next one. */
    void poll() {
        if (ended.get()) {
            return;
        }
        long seq = pollSeq.incrementAndGet();
        Wire.Out out = new Wire.Out(Wire.POLL, starter.nonce())
                .writeLong(sessionId)
                .writeLong(seq)
                .writeLong(starter.pollWaitNanos());
        long nonce = out.nonce();
        begin();
        pollSentNanos = System.nanoTime();
        starter.call(member, out.seal(starter.secret()), true).whenComplete((reply, error) -> {
            pollSentNanos = 0;
            if (pollAnswered(reply, error, nonce, seq)) {
                poll(); // sent before this one counts as answered: an announced end waits for it
            }
            finish();
        });
    }

    /** {@return whether to poll again} Handles a poll's answer: replies, and maybe the session's end. */
    private boolean pollAnswered(byte[] reply, Throwable error, long nonce, long seq) {
        Wire.In in = answer(reply, error, nonce, true);
        if (in == null) {
            return false;
        }
        try {
            String endReason = in.readString();
            deliver(in);
            if (!endReason.isEmpty()) {
                announce(endReason, endedByNode(endReason), true);
                return false;
            }
        } catch (IOException | RuntimeException e) {
            end("its node answered badly: " + e, null);
            return false;
        }
        synchronized (calls) {
            if (announced != null && seq > goneAtPoll) {
                // A poll sent after a SUBMIT heard GONE, answered without an end: the session lives
                // on the node (the SUBMIT was refused as a replay). The GONE stands; the lease ends it there.
                return false;
            }
        }
        return true;
    }

    /** {@return the loss an end the node chose means: none for a close or the caller's kill} */
    private WorkerEnd.NodeLoss endedByNode(String reason) {
        return reason.equals(NodeSession.CLOSED) || reason.equals(NodeSession.KILLED) ? null : nodeEnded(reason);
    }

    /**
     * {@return the loss of a session the node ended for {@code reason}: its tasks there are stopped,
     * and the node may run on} When this caller itself was stalled (paused, starved of CPU) for about
     * its lease or more, that is said too: a node that ended the session of a caller silent past its
     * lease, or no longer knows it, did what the lease asks.
     */
    private WorkerEnd.NodeLoss nodeEnded(String reason) {
        return WorkerEnd.NodeLoss.endedByNode(node, "the node ended this caller's session: " + reason + stallWords());
    }

    // ---------------------------------------------------------------- calls in flight, announced ends

    private void begin() {
        synchronized (calls) {
            inFlight++;
        }
    }

    /**
     * A call's answer was handled: applies the end the node announced once no call is in flight.
     *
     * @return whether the session goes on: not ended, and no end announced
     */
    private boolean finish() {
        String reason;
        WorkerEnd.NodeLoss loss;
        synchronized (calls) {
            inFlight--;
            if (announced == null) {
                return !ended.get();
            }
            if (inFlight > 0) {
                return false;
            }
            reason = announced;
            loss = announcedLoss;
        }
        end(reason, loss);
        return false;
    }

    /**
     * The node announced the session's end; applied by {@link #finish} once every call in flight
     * answered. A poll's announcement replaces a SUBMIT's GONE (the poll's came with the last replies).
     */
    private void announce(String reason, WorkerEnd.NodeLoss loss, boolean byPoll) {
        synchronized (calls) {
            if (announced == null || (byPoll && !announcedByPoll)) {
                announced = reason;
                announcedLoss = loss;
                announcedByPoll = byPoll;
                goneAtPoll = pollSeq.get();
            }
        }
    }

    private boolean endAnnounced() {
        return announced != null;
    }

    /** {@return when the oldest call awaiting its answer was sent, in nanoTime; 0 if none is} */
    long oldestCallNanos() {
        long p = pollSentNanos;
        long s = submitSentNanos;
        return p == 0 ? s : s == 0 || p - s < 0 ? p : s;
    }

    /** Gives the conductor the replies an answer carries (a poll's, or a SUBMIT's), unless the session ended. */
    private void deliver(Wire.In in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n && !ended.get(); i++) {
            long taskId = in.readLong();
            byte kind = in.readByte();
            byte boundary = in.readByte();
            byte[] bytes = in.readBytes();
            boolean more = i < n - 1; // a burst: the conductor writes once, after the last
            switch (kind) {
                case Wire.REPLY_RESULT -> listener.result(taskId, bytes, more);
                case Wire.REPLY_COPY_FAILED -> listener.copyFailed(taskId, boundary, bytes, more);
                default -> listener.failed(taskId, bytes, more);
            }
        }
    }

    /**
     * {@return the node's answer to a request, opened; or null once a failure or a bad answer ended
     * the session, or the node said it is gone (announced: {@link #announce})}
     */
    private Wire.In answer(byte[] reply, Throwable error, long nonce, boolean poll) {
        if (error != null) {
            lost(error);
            return null;
        }
        try {
            Wire.In in = starter.open(reply, nonce, node);
            if (in.type == Wire.GONE) {
                gone(in.readString(), poll);
                return null;
            }
            return in;
        } catch (IOException e) {
            end("its node answered badly: " + e.getMessage(), null);
            return null;
        }
    }

    // ---------------------------------------------------------------- ends

    /** A call failed: the node is lost, in the words of how it was seen. */
    void lost(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String type = t.getClass().getSimpleName();
        String message = String.valueOf(t.getMessage());
        WorkerEnd.NodeLoss loss;
        if (message.contains("Heartbeat timed out") || message.contains("heartbeat")) {
            loss = new WorkerEnd.NodeLoss(
                    node,
                    "heartbeat timed out after " + starter.failureTimeoutNanos() / 1_000_000 + " ms" + stallWords(),
                    true);
        } else if (type.equals("MemberLeftException") || type.equals("TargetNotMemberException")) {
            loss = new WorkerEnd.NodeLoss(node, "it left the cluster", false);
        } else if (type.equals("TargetDisconnectedException")) {
            loss = new WorkerEnd.NodeLoss(node, "its connection closed", false);
        } else if (type.equals("HazelcastClientNotActiveException")) {
            loss = new WorkerEnd.NodeLoss(node, "the caller's cluster client stopped", false);
        } else {
            loss = new WorkerEnd.NodeLoss(node, type + ": " + message, true);
        }
        end("node " + node + " lost: " + loss.detection(), loss);
    }

    /**
     * The node answered that the session is gone: ended by the node (its lease ran out, its pool
     * failed, the node is stopping) or unknown to it (the node restarted). Either way its tasks there
     * are stopped: a loss that blames no task, applied once the other call's answer is in.
     */
    private void gone(String reason, boolean poll) {
        announce("node " + node + ": " + reason, nodeEnded(reason), poll);
    }

    /** The node said nothing for too long. */
    void silent(long nanos) {
        end(
                "node " + node + " did not answer for " + nanos / 1_000_000 + " ms",
                new WorkerEnd.NodeLoss(node, "no answer for " + nanos / 1_000_000 + " ms" + stallWords(), true));
    }

    /** {@return " (" + this caller's own recent stall + ")", which may explain a silence; or ""} */
    private String stallWords() {
        String stall = starter.callerStall();
        return stall == null ? "" : " (" + stall + ")";
    }

    /**
     * Reports the end once. A loss names the tasks still in the outbox as unstarted: they never left
     * the caller, and go back to the queue; every task sent before them may have started on the node
     * (see {@link WorkerEnd.NodeLoss}), a SUBMIT still unanswered included.
     */
    void end(String hint, WorkerEnd.NodeLoss loss) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        int unsent = 0;
        for (byte[] f; (f = outbox.poll()) != null; ) {
            if (f[0] == Wire.FRAME_TASK || f[0] == Wire.FRAME_STATELESS_TASK) {
                unsent++;
            }
        }
        WorkerEnd.NodeLoss named = loss == null ? null : loss.unstarted(unsent);
        starter.ended(this, named);
        // Never on Hazelcast's thread, which delivers answers (and may be here): the conductor's
        // handling of an end may close the pool, and with it this caller's Hazelcast client.
        starter.report(() -> listener.ended(new WorkerEnd(nodePid, null, null, hint, "", null, null, named)));
    }

    boolean isEnded() {
        return ended.get();
    }

    @Override
    public String toString() {
        return "node " + node + " (pid " + nodePid + ")";
    }
}
