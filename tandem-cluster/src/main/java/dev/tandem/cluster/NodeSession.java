package dev.tandem.cluster;

import dev.tandem.spi.EncodedPool;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One caller's session on a node: its {@link EncodedPool} (the caller's options, class path and
 * initializer), the replies waiting for the caller's next poll, and the caller's lease.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 * LIVE --CLOSE frame--> CLOSING --every task answered--> ENDED (its workers then stop)
 * LIVE, CLOSING --KILL frame, lease expired, pool failed, node stopping--> ENDED (pool killed)
 * </pre>
 * {@link #endReason} is null while LIVE or CLOSING; an ENDED session answers polls with what is left
 * of its replies and the reason, then is forgotten. The end is announced only once every task the
 * session accepted was answered or abandoned (its pool's kill sends no reply for a task it stopped:
 * the caller counts it lost with the node, and may run it elsewhere; a reply already on its way from
 * a reader thread comes a moment later) and no SUBMIT is still handing its frames to the pool (a SUBMIT that
 * passed its check before the end began): a reply added after the poll announced the end would
 * never reach the caller ({@link #markEnded}, bounded by {@link #SETTLE_NANOS}).
 *
 * <h2>Lease and fencing</h2>
 * The caller keeps one poll outstanding, so a poll arrives at least every poll wait. If none has
 * arrived for {@code lease} (the caller's {@code nodeFailureTimeout}, after which the caller declares
 * this node lost and may run its tasks elsewhere) no task of the session starts any more, and the
 * node's watch ends the session, killing its workers. The pool's gate ({@link #leaseEnd}) holds in
 * two places: the pool dispatches nothing once it ended, and each worker JVM, which gets the lease
 * as it is renewed (a {@code LEASE} frame every 100 ms), starts none of the tasks in its inbox after
 * the latest it got. The lease is never renewed once it ran out: a poll or a SUBMIT that arrives after
 * it ends the session at once (a frozen node that resumes reads the requests its socket held before
 * it hears that the caller's connection closed). So a caller that died or was cut off has its tasks
 * stopped after the lease, and a node that comes back from a freeze starts none of the tasks its
 * caller gave up on. Its worker JVMs are not frozen with it: what they held in their inboxes ran on
 * during the freeze until the lease they got ended, which is why the caller counts every task it sent
 * to a lost node as maybe started ({@code WorkerEnd.NodeLoss}).
 *
 * <p>Thread-safe: one lock guards the replies and the state; the pool is called outside it.
 */
final class NodeSession implements WorkerListener {
    /** A reply waiting for the caller's poll. */
    record Reply(long taskId, byte kind, byte boundary, byte[] bytes) {}

    /** How long a poll waits for more replies once it has one, while tasks are under way. */
    static final long LINGER_NANOS = 300_000;

    /** The replies a poll answers with at most, before it stops lingering. */
    static final int MAX_BATCH = 256;

    /**
     * How long a SUBMIT that brought tasks to an idle session waits for their first replies, so that
     * its own answer carries them: see {@link #awaitFirstReplies}.
     */
    static final long SUBMIT_WAIT_NANOS = 1_000_000;

    /** The end reason of a session its caller closed. */
    static final String CLOSED = "closed";

    /** The end reason of a session its caller killed. */
    static final String KILLED = "killed by its caller";

    /**
     * How long an end waits, at most, for the replies of the tasks its session accepted (the
     * pool's kill abandons them, or their replies come from its reader threads) and for SUBMITs under way, before the
     * poll may announce it: see {@link #markEnded}.
     */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    final long id;
    final String caller;
    final int processes;
    /** The tasks its pool runs at once: processes times threads. */
    final int slots;

    final List<String> digests;
    private final long leaseNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition replied = lock.newCondition();
    /** Signalled instead of {@link #replied} while a SUBMIT waits for its first replies. */
    private final Condition submitReplied = lock.newCondition();
    // Guarded by lock.
    private final List<Reply> outbox = new ArrayList<>();
    private String endReason;
    private boolean closing;
    private long lastSubmitSeq;
    private long lastPollSeq;
    /** Polls answered with replies, and the replies they carried: {@link #traffic}. */
    private long pollsWithReplies;

    private long polledReplies;
    /** SUBMITs taken, those answered with replies, and the replies they carried. */
    private long submits;

    private long submitsWithReplies;

    private long submittedReplies;
    /** SUBMITs waiting in {@link #awaitFirstReplies}. */
    private int submitWaiters;
    /** Signalled when a SUBMIT finished reading its frames, or the last reply owed came. */
    private final Condition settled = lock.newCondition();
    /** SUBMITs between their check of the session's state and the end of their frames. */
    private int submitting;
    /** Tasks accepted less replies given (below 0 for a moment while a SUBMIT is under way). */
    private long unanswered;
    /** Why the session is ending, from the moment {@link #end} began: SUBMITs are refused with it. */
    private String ending;

    /** When the caller last polled, in nanoTime. */
    private volatile long lastContact = System.nanoTime();
    /** Set once, after the pool started. */
    private volatile EncodedPool pool;

    NodeSession(long id, String caller, int processes, List<String> digests, long leaseNanos) {
        this(id, caller, processes, processes, digests, leaseNanos);
    }

    NodeSession(long id, String caller, int processes, int slots, List<String> digests, long leaseNanos) {
        this.slots = slots;
        this.id = id;
        this.caller = caller;
        this.processes = processes;
        this.digests = List.copyOf(digests);
        this.leaseNanos = leaseNanos;
    }

    void started(EncodedPool p) {
        this.pool = p;
        // The lease counts the caller's silence from here: it cannot poll before OPEN answers, and its
        // workers' start may take longer than the lease on a loaded machine. Was: a healthy node
        // fenced the session of a caller with nodeFailureTimeout(2s) whose start took longer.
        lastContact = System.nanoTime();
    }

    /**
     * {@return when the caller's lease ends, a {@link System#nanoTime()}: the pool's gate, which its
     * workers get too (no task starts after it)}
     */
    long leaseEnd() {
        return lastContact + leaseNanos;
    }

    /** {@return whether the caller's lease holds} */
    boolean leaseHolds() {
        return System.nanoTime() - leaseEnd() < 0;
    }

    /** {@return whether the lease ran out} (the watch then ends the session) */
    boolean leaseExpired() {
        return !leaseHolds();
    }

    // ---------------------------------------------------------------- caller's requests

    /**
     * What a SUBMIT did.
     *
     * @param gone null, or why the session takes nothing (ended, or a replayed message)
     * @param awaitsReplies whether it brought to a session that had none under way no more tasks
     *     than its pool runs at once: the SUBMIT may then wait for their first replies
     *     ({@link #awaitFirstReplies}). A larger batch to a drained session (a busy caller whose
     *     refill came late) does not wait: the caller's next SUBMIT waits for this one's answer
     *     (measured under load: three SUBMITs in four found a busy session drained and waited;
     *     with this rule one in ten).
     */
    record Submitted(String gone, boolean awaitsReplies) {}

    /** Accepts a SUBMIT's frames in order, if its sequence number is new. */
    Submitted submit(long seq, Wire.In in, int frames) throws IOException {
        fenceIfLeaseRanOut();
        lock.lock();
        try {
            String gone = endReason != null ? endReason : ending;
            if (gone != null) {
                return new Submitted(gone, false);
            }
            if (seq <= lastSubmitSeq) {
                return new Submitted(
                        "a submission out of sequence (" + seq + " after " + lastSubmitSeq + "): refused as a replay",
                        false);
            }
            lastSubmitSeq = seq;
            submitting++;
            submits++;
        } finally {
            lock.unlock();
        }
        EncodedPool p = pool;
        boolean idle = p.outstanding() == 0;
        int tasks = 0;
        boolean kill = false;
        try {
            for (int i = 0; i < frames; i++) {
                byte kind = in.readByte();
                long taskId = in.readLong();
                switch (kind) {
                    case Wire.FRAME_TASK, Wire.FRAME_STATELESS_TASK -> {
                        byte[] task = in.readBytes();
                        tasks++; // counted before its reply can come
                        p.submit(taskId, task, kind == Wire.FRAME_STATELESS_TASK);
                    }
                    case Wire.FRAME_CANCEL -> p.cancel(taskId);
                    case Wire.FRAME_CLOSE -> close();
                    case Wire.FRAME_KILL -> kill = true;
                    default -> throw new IOException("unknown frame " + kind);
                }
            }
        } finally {
            lock.lock();
            try {
                submitting--;
                unanswered += tasks;
                settled.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (kill) {
            end(KILLED); // after the SUBMIT settled: an end waits for SUBMITs under way
        }
        return new Submitted(null, idle && tasks > 0 && tasks <= slots);
    }

    /**
     * Waits, at most {@code waitNanos}, for the first replies of the tasks a SUBMIT brought to an
     * idle session, and takes them for the SUBMIT's answer. A lone task's reply then travels back
     * in the answer the SUBMIT owes anyway, instead of waking the outstanding poll, whose answer and
     * the next poll cost a Hazelcast call each way and about a dozen thread wake-ups on the two
     * sides (measured: context switches of the node per round trip). The waiting SUBMIT is
     * signalled instead of the poll; replies that come after it left go to the poll as before. The
     * caller's next SUBMIT (a cancel, more tasks) waits for this answer: at most {@code waitNanos}.
     *
     * @return the replies taken, none if the session ended or none came in time
     */
    List<Reply> awaitFirstReplies(long waitNanos) throws InterruptedException {
        lock.lock();
        try {
            submitWaiters++;
            try {
                long nanos = waitNanos;
                while (outbox.isEmpty() && endReason == null && ending == null && nanos > 0) {
                    nanos = submitReplied.awaitNanos(nanos);
                }
            } finally {
                submitWaiters--;
            }
            if (endReason != null || ending != null || outbox.isEmpty()) {
                return List.of();
            }
            List<Reply> out = List.copyOf(outbox);
            outbox.clear();
            submitsWithReplies++;
            submittedReplies += out.size();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Renews the lease and waits, at most {@code waitNanos}, for replies.
     *
     * @return the replies and, once the session ended and every reply was taken, why it ended
     */
    Polled poll(long seq, long waitNanos) throws InterruptedException {
        // The poll's time is taken before the check: a node frozen between the two must not renew
        // the lease with the time it resumed at.
        long arrived = System.nanoTime();
        if (!fenceIfLeaseRanOut()) {
            lastContact = arrived;
        }
        lock.lock();
        try {
            if (seq <= lastPollSeq) {
                return new Polled(List.of(), "a poll out of sequence: refused as a replay");
            }
            lastPollSeq = seq;
            long nanos = waitNanos;
            while (outbox.isEmpty() && endReason == null && nanos > 0) {
                nanos = replied.awaitNanos(nanos);
            }
            // While more tasks are under way, linger a moment so that one answer carries several
            // replies: under load that saves a call per task; a lone task does not wait.
            long linger = LINGER_NANOS;
            EncodedPool p = pool;
            while (endReason == null && linger > 0 && outbox.size() < MAX_BATCH && p != null && p.outstanding() > 0) {
                linger = replied.awaitNanos(linger);
            }
            List<Reply> out = List.copyOf(outbox);
            outbox.clear();
            if (!out.isEmpty()) {
                pollsWithReplies++;
                polledReplies += out.size();
            }
            return new Polled(out, endReason);
        } finally {
            lock.unlock();
        }
    }

    /** What a poll returns. */
    record Polled(List<Reply> replies, String ended) {}

    /**
     * Ends the session if its lease ran out, before the node's watch does: a request that arrives
     * after the lease (a late one, or one a frozen node reads from its socket as it resumes, its
     * caller's connection long closed) must neither renew it nor bring in tasks, since the caller may
     * have run the session's tasks elsewhere already.
     *
     * @return whether the session is fenced: its lease ran out
     */
    private boolean fenceIfLeaseRanOut() {
        if (leaseHolds()) {
            return false;
        }
        end("its caller was silent for the session's lease (" + leaseNanos / 1_000_000
                + " ms): the session was fenced, and its workers stopped");
        return true;
    }

    // ---------------------------------------------------------------- ends

    /**
     * Ends the session as "closed" once every task it accepted was answered, then stops the pool's
     * workers, on a thread of its own. The caller hears of the end without waiting for its workers
     * to exit: that is the node's business (it releases their processes once they did), and a worker
     * that writes its AOT cache as it exits takes seconds (a caller's close on a class path new to
     * the node took 4 to 10 s, idle).
     */
    private void close() {
        lock.lock();
        try {
            if (closing || endReason != null) {
                return;
            }
            closing = true;
        } finally {
            lock.unlock();
        }
        Thread.ofPlatform().daemon().name("tandem-node-close-" + id).start(() -> {
            if (awaitDrained()) {
                markEnded(CLOSED);
            }
            pool.close();
        });
    }

    /**
     * Waits until every task accepted was answered and no SUBMIT is under way, or the session ends
     * otherwise (a kill, the lease, the node stopping; that end is then announced by {@link #end}).
     *
     * @return whether it drained
     */
    private boolean awaitDrained() {
        lock.lock();
        try {
            while ((submitting > 0 || unanswered > 0) && ending == null && endReason == null) {
                settled.await();
            }
            return ending == null && endReason == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Kills the pool and ends the session for {@code reason}; no effect once ended or ending. */
    void end(String reason) {
        EncodedPool p = pool;
        lock.lock();
        try {
            if (endReason != null || ending != null) {
                return;
            }
            ending = reason;
            submitReplied.signalAll(); // a waiting SUBMIT leaves the replies to the poll that announces the end
            settled.signalAll(); // a close waiting for its drain leaves the announcement to this end
        } finally {
            lock.unlock();
        }
        if (p != null) {
            p.kill();
        }
        markEnded(reason);
    }

    /**
     * Announces the end, once every task accepted was answered and no SUBMIT is under way (at most
     * {@link #SETTLE_NANOS}): the poll takes the replies and the reason together, and a reply that
     * came later would be left in an outbox nobody polls. Wakes the poll and a waiting SUBMIT.
     */
    private void markEnded(String reason) {
        lock.lock();
        try {
            long nanos = SETTLE_NANOS;
            while ((submitting > 0 || unanswered > 0) && nanos > 0) {
                nanos = settled.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the node is stopping: announce what there is
        } finally {
            try {
                if (endReason == null) {
                    // A close whose drain a kill cut short (the node stopping) ends for the kill's
                    // reason: its abandoned tasks are a loss for the caller, not a close.
                    endReason = ending != null ? ending : reason;
                }
                replied.signalAll();
                submitReplied.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@return how its replies travelled, for the node's log: answers with replies, and replies per answer} */
    String traffic() {
        lock.lock();
        try {
            return pollsWithReplies + " polls answered with " + perAnswer(polledReplies, pollsWithReplies)
                    + " replies each; " + submits + " SUBMITs, " + submitsWithReplies + " of them with "
                    + perAnswer(submittedReplies, submitsWithReplies) + " replies each";
        } finally {
            lock.unlock();
        }
    }

    private static String perAnswer(long replies, long answers) {
        return answers == 0 ? "0" : String.format(Locale.ROOT, "%.1f", (double) replies / answers);
    }

    /** {@return why it ended, or null while it lives} */
    String ended() {
        lock.lock();
        try {
            return endReason;
        } finally {
            lock.unlock();
        }
    }

    /** Waits (bounded) for its pool to terminate, after an end. */
    void awaitPool(long millis) {
        EncodedPool p = pool;
        if (p == null) {
            return;
        }
        try {
            p.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    EncodedPool pool() {
        return pool;
    }

    // ---------------------------------------------------------------- replies of the pool

    private void add(Reply r) {
        lock.lock();
        try {
            outbox.add(r);
            if (--unanswered <= 0 && (ending != null || closing)) {
                settled.signalAll(); // an end waits for the last reply owed (markEnded)
            }
            if (submitWaiters > 0) {
                submitReplied.signal(); // a SUBMIT takes it for its answer (awaitFirstReplies)
                return;
            }
            // A lingering poll needs waking only when its answer is due: the first reply (a poll
            // waits for one), a full batch, or the last task under way. Waking it for every reply
            // cost the node a thread switch per task.
            EncodedPool p = pool;
            if (outbox.size() == 1 || outbox.size() >= MAX_BATCH || p == null || p.outstanding() == 0) {
                replied.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void result(long taskId, byte[] value) {
        add(new Reply(taskId, Wire.REPLY_RESULT, (byte) 0, value));
    }

    @Override
    public void failed(long taskId, byte[] throwable) {
        add(new Reply(taskId, Wire.REPLY_FAILED, (byte) 0, throwable));
    }

    @Override
    public void copyFailed(long taskId, byte boundary, byte[] throwable) {
        add(new Reply(taskId, Wire.REPLY_COPY_FAILED, boundary, throwable));
    }

    /**
     * The pool's kill stopped the task: no reply goes to the caller, whose poll hears the session's
     * end (a node-chosen one, for the caller a loss of the node: the task fails with
     * {@code NodeLostException} or runs again elsewhere). Settles it as a reply does.
     */
    @Override
    public void abandoned(long taskId) {
        lock.lock();
        try {
            if (--unanswered <= 0 && (ending != null || closing)) {
                settled.signalAll(); // an end waits for the last task owed (markEnded)
            }
            EncodedPool p = pool;
            if (p == null || p.outstanding() == 0) {
                replied.signalAll(); // a lingering poll waits no longer than the last task
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ended(WorkerEnd end) {
        // an encoded pool never calls it
    }

    @Override
    public String toString() {
        return "session " + Long.toHexString(id) + " of " + caller;
    }
}
