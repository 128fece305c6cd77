package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

    final Member member;
    final String node;
    final long sessionId;
    /** When the outstanding poll was sent, in nanoTime; 0 when none is. */
    volatile long pollSentNanos;

    private final int id;
    private final long nodePid;
    private final int slots;
    private final WorkerListener listener;
    private final NodeStarter starter;

    private final ConcurrentLinkedQueue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    /** Whether a SUBMIT is in flight. */
    private final AtomicBoolean sending = new AtomicBoolean();

    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong submitSeq = new AtomicLong();
    private final AtomicLong pollSeq = new AtomicLong();

    NodeWorker(
            int id,
            Member member,
            String node,
            long nodePid,
            long sessionId,
            int slots,
            WorkerListener listener,
            NodeStarter starter) {
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
        } else if (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
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
        starter.call(member, out.seal(starter.secret()), false).whenComplete((reply, error) -> {
            Wire.In in = answer(reply, error, nonce);
            if (in == null) {
                return;
            }
            try {
                if (in.type == Wire.OK) {
                    deliver(in); // the first replies of tasks sent to an idle session (NodeSession.awaitFirstReplies)
                }
            } catch (IOException | RuntimeException e) {
                end("its node answered badly: " + e, null);
                return;
            }
            sending.set(false);
            flush();
        });
    }

    // ---------------------------------------------------------------- replies

    /** Sends the next poll; its answer delivers replies and sends the next one. */
    void poll() {
        if (ended.get()) {
            return;
        }
        Wire.Out out = new Wire.Out(Wire.POLL, starter.nonce())
                .writeLong(sessionId)
                .writeLong(pollSeq.incrementAndGet())
                .writeLong(starter.pollWaitNanos());
        long nonce = out.nonce();
        pollSentNanos = System.nanoTime();
        starter.call(member, out.seal(starter.secret()), true).whenComplete((reply, error) -> {
            pollSentNanos = 0;
            Wire.In in = answer(reply, error, nonce);
            if (in == null) {
                return;
            }
            try {
                String endReason = in.readString();
                deliver(in);
                if (!endReason.isEmpty()) {
                    end(endReason, null);
                    return;
                }
            } catch (IOException | RuntimeException e) {
                end("its node answered badly: " + e, null);
                return;
            }
            poll();
        });
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
     * {@return the node's answer to a request, opened; or null once the failure, the session's end
     * or a bad answer was handled (the session then ends)}
     */
    private Wire.In answer(byte[] reply, Throwable error, long nonce) {
        if (error != null) {
            lost(error);
            return null;
        }
        try {
            Wire.In in = starter.open(reply, nonce, node);
            if (in.type == Wire.GONE) {
                gone(in.readString());
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
                    node, "heartbeat timed out after " + starter.failureTimeoutNanos() / 1_000_000 + " ms", true);
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
     * are stopped: a loss that blames no task.
     */
    private void gone(String reason) {
        end(
                "node " + node + ": " + reason,
                new WorkerEnd.NodeLoss(node, "the node ended this caller's session: " + reason, false));
    }

    /** The node said nothing for too long. */
    void silent(long nanos) {
        end(
                "node " + node + " did not answer for " + nanos / 1_000_000 + " ms",
                new WorkerEnd.NodeLoss(node, "no answer for " + nanos / 1_000_000 + " ms", true));
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
