package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.tandem.PoolOptions;
import dev.tandem.spi.ClusterSpec;
import dev.tandem.spi.ClusterStarter;
import dev.tandem.spi.DurationWords;
import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerEnd;
import dev.tandem.spi.WorkerListener;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's side of a cluster: a Hazelcast client, the nodes it found, and the starter of node
 * sessions ({@link NodeWorker}s) for the conductor.
 *
 * <h2>Start</h2>
 * {@link ClusterConnector#connect} starts the local nodes if asked, connects and waits for
 * {@code minNodes}; then {@link #greetAll} greets every node: HELLO checks the secret (a node that cannot verify the seal answers so at once, and
 * the start fails at once, naming the secret), the Tandem build and the JDK, and lists the class
 * path entries the node lacks, which are then uploaded in chunks of 1 MiB.
 *
 * <h2>Sessions</h2>
 * {@link #start} opens a session on a node that has none of this pool's: one per node. A node lost
 * is suspect for two failure timeouts before it gets a new session (its abandoned attempts are
 * stopped by its own lease meanwhile). A node that could not take a session (no answer, or
 * {@link Wire#BUSY}: its worker processes still held by an ended session) is asked again after a
 * backoff of its own, 250 ms doubled per failure up to one node failure timeout.
 *
 * <h2>A pool without nodes</h2>
 * While the pool has a live session, a start waits for a free node as long as it takes (until
 * {@link #abandonStarts()}), and a task of a lost node retried with {@code retriesOnWorkerLoss} runs
 * on the surviving nodes. A cluster pool may be without any node (all lost, restarting, suspect)
 * for {@link #noNodeLimitNanos}: the worker start timeout (a node restarting) plus four node failure
 * timeouts (a frozen node's detection and its quarantine), 70 s by default. Its starts wait that
 * long from the moment the last session ended, whatever the conductor's restart policy would
 * allow a process pool; only then do they fail, at once and all together, naming the nodes lost
 * and how, so the pool fails with {@code PoolFailedException} soon after. Definite refusals (the
 * secret, the build, the JDK, the class path, limits) are not waited on.
 *
 * <h2>Failure detection</h2>
 * A call that fails (connection closed, heartbeat timed out, member left), a member that leaves,
 * and a call (the poll, a SUBMIT) that gets no answer for the poll wait plus {@code nodeFailureTimeout}
 * (checked by the watch thread, {@link SilenceWatch}, which does not count this caller's own stalls)
 * end the session with a {@link WorkerEnd.NodeLoss}.
 *
 * <p>Thread-safe: {@code this} guards the sessions and suspects.
 */
final class NodeStarter implements ClusterStarter, NodeWorker.Link {
    static final SecureRandom RANDOM = new SecureRandom();
    private static final int CHUNK = 1 << 20;
    /** The first backoff of a node that could not open a session; doubled per failure. */
    private static final long OPEN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How many losses a pool left without nodes names. */
    private static final int LOSSES_KEPT = 6;

    /** What HELLO told of a node. */
    record NodeInfo(String name, long pid) {}

    private final ClusterSpec spec;
    private final PoolOptions options;
    private final Secret secret;
    private final HazelcastInstance client;
    private final IExecutorService exec;
    private final IExecutorService pollExec;
    /** Calls nodes without the executor proxy's futures (null if the instance is no Hazelcast client). */
    private final NodeCalls.Direct direct;

    private final LocalNodes local;
    private final ClassPathShipment shipment;
    private final String callerName;
    private final long failureTimeoutNanos;
    private final long pollWaitNanos;
    private final long noNodeLimitNanos;
    private final ScheduledExecutorService watch;
    private final Set<CompletableFuture<byte[]>> quietCalls = ConcurrentHashMap.newKeySet();
    private final SilenceWatch silence;
    /** Which members announce this caller's secret. */
    private final MemberSecrets secrets;
    /** Reports ends the conductor caused, off its lock. */
    private final ExecutorService events = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tandem-cluster-events");
        t.setDaemon(true);
        return t;
    });

    // Guarded by this.
    private final Map<UUID, NodeInfo> greeted = new HashMap<>();
    private final Map<UUID, NodeWorker> live = new HashMap<>();
    private final Map<UUID, Long> reserved = new HashMap<>();
    private final Map<UUID, Long> suspectUntil = new HashMap<>();
    private final Map<UUID, String> refusals = new HashMap<>();
    /** Failed session opens per node since its last session: its backoff. */
    private final Map<UUID, Integer> openFailures = new HashMap<>();
    /** The last few losses, oldest first, for the failure of a pool left without nodes. */
    private final ArrayDeque<String> losses = new ArrayDeque<>();
    /** When the pool last had no live session after having one (or began), in nanoTime. */
    private long nodelessSince = System.nanoTime();
    /** The failure of a start that found no node past the limit, or null; read under the conductor's lock. */
    private volatile RuntimeException gaveUp;

    private int nodes;
    private boolean closed;
    private boolean abandoned;

    NodeStarter(ClusterSpec spec, Secret secret, HazelcastInstance client, LocalNodes local) {
        this.spec = spec;
        this.options = spec.options();
        this.secret = secret;
        this.secrets = new MemberSecrets(secret, options.cluster().clusterName());
        this.client = client;
        this.local = local;
        this.exec = client.getExecutorService(HazelcastSettings.EXECUTOR);
        this.pollExec = client.getExecutorService(HazelcastSettings.POLL_EXECUTOR);
        this.direct = NodeCalls.Direct.of(client);
        this.shipment = ClassPathShipment.of(spec.classPath());
        this.callerName =
                ClusterConnector.hostName() + " pid " + ProcessHandle.current().pid();
        this.failureTimeoutNanos = options.cluster().nodeFailureTimeout().toNanos();
        this.pollWaitNanos = Math.min(NodeService.MAX_POLL_NANOS, failureTimeoutNanos / 4);
        this.noNodeLimitNanos = noNodeLimitNanos(options);
        this.silence = new SilenceWatch(pollWaitNanos, failureTimeoutNanos);
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-cluster-watch");
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- greeting

    /** Greets every member found with this caller's secret and ships what each lacks. */
    void greetAll(List<String> seeds) {
        List<Member> members = new ArrayList<>(client.getCluster().getMembers());
        if (!members.isEmpty() && members.stream().noneMatch(secrets::matches)) {
            throw fail(secrets.mismatch(members.getFirst()), null); // a definite refusal: not waited on
        }
        members.removeIf(m -> !secrets.usable(m));
        for (Member m : members) {
            try {
                greet(m);
            } catch (Refused e) {
                throw fail(e.getMessage(), e);
            }
        }
        synchronized (this) {
            nodes = members.size();
        }
        client.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                wake();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                NodeWorker w;
                synchronized (NodeStarter.this) {
                    w = live.get(event.getMember().getUuid());
                }
                if (w != null) {
                    w.end(
                            "node " + w.node + " left the cluster",
                            new WorkerEnd.NodeLoss(w.node, "it left the cluster", false));
                }
            }
        });
        watch.scheduleWithFixedDelay(this::checkSilence, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** HELLO, then the uploads the node asks for. */
    private NodeInfo greet(Member m) {
        synchronized (this) {
            NodeInfo known = greeted.get(m.getUuid());
            if (known != null) {
                return known;
            }
        }
        Wire.Out hello = new Wire.Out(Wire.HELLO, nonce())
                .writeString(callerName)
                .writeString(Build.id())
                .writeInt(Runtime.version().feature())
                .writeStrings(shipment.digests())
                .writeStrings(shipment.entries().stream()
                        .map(ClassPathShipment.Entry::name)
                        .toList());
        Wire.In in = request(m, hello, String.valueOf(m.getAddress()));
        try {
            NodeInfo info = new NodeInfo(in.readString(), in.readLong());
            in.readInt(); // free worker processes: OPEN checks them
            in.readLong(); // the node's heap cap: OPEN checks it
            List<String> missing = in.readStrings();
            for (ClassPathShipment.Entry e : shipment.entries()) {
                if (missing.contains(e.digest())) {
                    upload(m, info, e);
                }
            }
            synchronized (this) {
                greeted.put(m.getUuid(), info);
            }
            return info;
        } catch (IOException e) {
            throw fail("node " + m.getAddress() + " answered HELLO badly: " + e, e);
        }
    }

    private void upload(Member m, NodeInfo info, ClassPathShipment.Entry e) {
        try (InputStream in = e.open()) {
            long offset = 0;
            byte[] chunk;
            do {
                chunk = in.readNBytes(CHUNK);
                boolean last = offset + chunk.length >= e.size();
                request(
                        m,
                        new Wire.Out(Wire.UPLOAD, nonce())
                                .writeString(e.digest())
                                .writeLong(offset)
                                .writeByte(last ? 1 : 0)
                                .writeBytes(chunk),
                        info.name());
                offset += chunk.length;
            } while (offset < e.size());
        } catch (IOException x) {
            throw fail("cannot ship the class path entry " + e.name() + " to node " + info.name() + ": " + x, x);
        }
    }

    /** A blocking request: its answer, or the start's failure (refused secret, refusal, no answer). */
    private Wire.In request(Member m, Wire.Out out, String node) {
        long nonce = out.nonce();
        byte[] reply;
        try {
            reply = call(m, out.seal(secret), false)
                    .get(options.workerStartTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw fail("node " + node + " failed to answer: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw fail("node " + node + " did not answer within " + DurationWords.of(options.workerStartTimeout()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail("interrupted while waiting for node " + node, e);
        }
        Wire.In in;
        try {
            in = open(reply, nonce, node);
        } catch (IOException e) {
            throw fail(e.getMessage(), e);
        }
        if (in.type == Wire.BUSY) {
            try {
                throw new Wire.Busy(in.readString()); // not now: the start asks again after a backoff
            } catch (IOException e) {
                throw fail("node " + node + " was busy, and its reason could not be read", e);
            }
        }
        if (in.type == Wire.REFUSED) {
            try {
                throw new Refused(in.readString());
            } catch (IOException e) {
                throw fail("node " + node + " refused, and its reason could not be read", e);
            }
        }
        return in;
    }

    /** A node's refusal, with its reason: the start fails with it. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public int nodes() {
        synchronized (this) {
            return nodes;
        }
    }

    /**
     * {@return how long a cluster pool may be without any node session before its starts fail: the
     * worker start timeout plus four node failure timeouts (70 s with the defaults)}
     */
    static long noNodeLimitNanos(PoolOptions options) {
        return options.workerStartTimeout().toNanos()
                + 4 * options.cluster().nodeFailureTimeout().toNanos();
    }

    /** The pool was without any node past its limit: its start failure ends the pool (see {@link #gaveUp}). */
    @Override
    public boolean gaveUp(RuntimeException failure) {
        return failure != null && failure == gaveUp;
    }

    @Override
    public Worker start(int id, WorkerListener listener) {
        while (true) {
            Member m;
            boolean others;
            synchronized (this) {
                if (closed || abandoned) {
                    throw fail("the pool stopped while starting a node session", null);
                }
                m = reserve();
                others = !live.isEmpty();
                if (m == null && !others && System.nanoTime() - nodelessSince > noNodeLimitNanos) {
                    RuntimeException none = fail(noNodeMessage(), null);
                    gaveUp = none;
                    throw none;
                }
            }
            if (m != null) {
                try {
                    return open(id, m, listener);
                } catch (Refused e) {
                    synchronized (this) {
                        refusals.put(m.getUuid(), e.getMessage());
                        suspectUntil.put(m.getUuid(), System.nanoTime() + failureTimeoutNanos);
                    }
                    if (!others && options.cluster().minNodes() >= nodes()) {
                        throw fail(e.getMessage(), e);
                    }
                } catch (RuntimeException e) { // no answer, or busy: ask it again after its backoff
                    synchronized (this) {
                        int n = openFailures.merge(m.getUuid(), 1, Integer::sum);
                        refusals.put(m.getUuid(), String.valueOf(e.getMessage()));
                        suspectUntil.put(
                                m.getUuid(),
                                System.nanoTime()
                                        + Math.min(failureTimeoutNanos, OPEN_BACKOFF_NANOS << Math.min(n - 1, 20)));
                    }
                } finally {
                    synchronized (this) {
                        reserved.remove(m.getUuid());
                    }
                }
            }
            synchronized (this) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw fail("interrupted while waiting for a node", e);
                }
            }
        }
    }

    /** {@return why the pool has no node: how long, the losses, what the nodes answered} */
    private String noNodeMessage() {
        assert Thread.holdsLock(this);
        StringBuilder b = new StringBuilder("no node of cluster '")
                .append(options.cluster().clusterName())
                .append("' could take a session for ")
                .append(DurationWords.of(Duration.ofSeconds(Math.round((System.nanoTime() - nodelessSince) / 1e9))))
                .append(" (a cluster pool waits for nodes up to workerStartTimeout + 4 x nodeFailureTimeout = ")
                .append(DurationWords.of(Duration.ofNanos(noNodeLimitNanos)))
                .append(", and for the answer of a node it asked then)");
        b.append(losses.isEmpty() ? "; no node was lost" : "; nodes lost: " + String.join("; ", losses));
        if (!refusals.isEmpty()) {
            b.append("; last answers: ").append(refusals.values());
        }
        return b.toString();
    }

    /** {@return a member with no session of this pool, not suspect nor being opened, reserved; or null} */
    private Member reserve() {
        long now = System.nanoTime();
        for (Member m : client.getCluster().getMembers()) {
            UUID u = m.getUuid();
            Long suspect = suspectUntil.get(u);
            if (live.containsKey(u)
                    || reserved.containsKey(u)
                    || (suspect != null && now - suspect < 0)
                    || !secrets.usable(m)) {
                continue;
            }
            reserved.put(u, now);
            return m;
        }
        return null;
    }

    private NodeWorker open(int id, Member m, WorkerListener listener) {
        NodeInfo info = greet(m);
        long sessionId = RANDOM.nextLong() & Long.MAX_VALUE;
        Wire.Out out = new Wire.Out(Wire.OPEN, nonce())
                .writeLong(sessionId)
                .writeString(callerName)
                .writeLong(TimeUnit.NANOSECONDS.toMillis(failureTimeoutNanos));
        NodeService.SessionSpec.of(options, spec.initializer(), shipment.digests(), spec.systemProperties())
                .write(out);
        request(m, out, info.name());
        NodeWorker w = new NodeWorker(
                id,
                m,
                info.name(),
                info.pid(),
                sessionId,
                options.workers() * options.threadsPerWorker(),
                listener,
                this);
        synchronized (this) {
            live.put(m.getUuid(), w);
            refusals.remove(m.getUuid());
            openFailures.remove(m.getUuid());
        }
        w.poll();
        return w;
    }

    /** A session ended; a node that may still run its tasks is suspect for a while. */
    @Override
    public void ended(NodeWorker w, WorkerEnd.NodeLoss loss) {
        synchronized (this) {
            live.remove(w.member.getUuid(), w);
            if (live.isEmpty()) {
                nodelessSince = System.nanoTime();
            }
            if (loss != null) {
                if (losses.size() == LOSSES_KEPT) {
                    losses.removeFirst();
                }
                losses.addLast("node " + w.node + " at " + LocalTime.now().withNano(0) + ", " + loss.detection()
                        + (loss.mayStillRun() ? " (its tasks may have run on)" : ""));
                greeted.remove(w.member.getUuid()); // it may come back as another process
                suspectUntil.put(w.member.getUuid(), System.nanoTime() + 2 * failureTimeoutNanos);
            }
            notifyAll();
        }
    }

    private synchronized void wake() {
        notifyAll();
    }

    @Override
    public synchronized void abandonStarts() {
        abandoned = true;
        notifyAll();
    }

    private void checkSilence() {
        List<NodeWorker> workers;
        synchronized (this) {
            workers = List.copyOf(live.values());
        }
        silence.check(workers);
    }

    @Override
    public String callerStall() {
        return silence.callerStall();
    }

    // ---------------------------------------------------------------- calls

    /** Sends a sealed message to a member; the future completes with the sealed answer (see {@link NodeCalls}). */
    @Override
    public CompletableFuture<byte[]> call(Member m, byte[] sealed, boolean poll) {
        NodeCall task = new NodeCall(sealed);
        if (direct != null) {
            return direct.submit(poll ? HazelcastSettings.POLL_EXECUTOR : HazelcastSettings.EXECUTOR, task, m);
        }
        return NodeCalls.submit(poll ? pollExec : exec, task, m, events);
    }

    /** Sends without waiting; {@link #close()} waits (bounded) for such calls, so a KILL is delivered. */
    @Override
    public void callQuietly(Member m, Wire.Out out, boolean poll) {
        CompletableFuture<byte[]> f = call(m, out.seal(secret), poll);
        quietCalls.add(f);
        f.whenComplete((r, e) -> quietCalls.remove(f));
    }

    /**
     * {@return an answer, opened}
     *
     * @throws IOException if the node refused the secret, or the answer does not verify or answers
     *     another request
     */
    @Override
    public Wire.In open(byte[] reply, long nonce, String node) throws IOException {
        if (Wire.isBadSeal(reply)) {
            throw new IOException(secrets.badSeal(node));
        }
        Wire.In in = Wire.In.open(reply, secret);
        if (in == null) {
            throw new IOException("the answer of node " + node + " does not verify with this caller's secret ("
                    + secret.origin() + ")");
        }
        if (in.nonce != nonce) {
            throw new IOException("node " + node + " answered another request");
        }
        return in;
    }

    @Override
    public long nonce() {
        return RANDOM.nextLong();
    }

    /**
     * Runs {@code r} on a thread of its own, neither Hazelcast's nor one that may hold the
     * conductor's lock; on the calling thread once the pool closed (nothing waits on it then).
     */
    @Override
    public void report(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    @Override
    public Secret secret() {
        return secret;
    }

    @Override
    public long pollWaitNanos() {
        return pollWaitNanos;
    }

    @Override
    public long failureTimeoutNanos() {
        return failureTimeoutNanos;
    }

    /** {@return the local cluster's nodes, or null} */
    LocalNodes local() {
        return local;
    }

    private RuntimeException fail(String message, Throwable cause) {
        return ClusterConnector.startFailure(spec, local, message, cause);
    }

    /** Disconnects: waits (bounded) for KILLs and CLOSEs in flight, stops the client and local nodes. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        watch.shutdownNow();
        silence.stop();
        events.shutdown();
        try {
            CompletableFuture.allOf(quietCalls.toArray(CompletableFuture[]::new))
                    .get(3, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // best effort: the nodes' leases stop what was not told
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            client.shutdown();
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }
}
