package dev.tandem.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.tandem.PoolOptions;
import dev.tandem.Tandem;
import dev.tandem.Transport;
import dev.tandem.spi.EncodedPool;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a node does with the messages callers send it: the node's half of {@link Wire}. It verifies
 * each message's seal before reading it, checks the caller's Tandem build, keeps the class-path
 * cache, and runs each caller session's {@link NodeSession}.
 *
 * <h2>Concurrency</h2>
 * Called on Hazelcast's executor threads, several at once: sessions live in a concurrent map, the
 * process budget is guarded by {@code this}. A POLL blocks its thread for at most the poll wait; an
 * OPEN for as long as the session's workers take to start.
 *
 * <h2>Failure</h2>
 * Every request gets a sealed answer, never an exception: {@link Wire#REFUSED} with a reason the
 * caller shows its user (a build or class-path mismatch, no room for the workers asked while other
 * pools run), {@link Wire#BUSY} when the room is held by sessions whose workers are stopping, or
 * {@link Wire#BAD_SEAL} unsealed when the seal does not verify (a wrong or missing secret).
 */
final class NodeService {
    static final String CONTEXT_KEY = "dev.tandem.cluster.NodeService";

    /** The longest a poll waits on the node. */
    static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Secret secret;
    private final String name;
    private final int maxProcesses;
    private final long maxHeapBytes;
    private final ClassPathCache cache;
    private final PrintStream log;
    private final Map<Long, NodeSession> sessions = new ConcurrentHashMap<>();
    /** Session ids seen lately, ended ones included: an OPEN naming one again is a replay. Guarded by itself. */
    private final Map<Long, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > 100_000;
        }
    };

    private final ScheduledExecutorService watch;
    /** Worker processes promised to live sessions. Guarded by this. */
    private int processesInUse;

    NodeService(
            Secret secret, String name, int maxProcesses, long maxHeapBytes, ClassPathCache cache, PrintStream log) {
        this.secret = secret;
        this.name = name;
        this.maxProcesses = maxProcesses;
        this.maxHeapBytes = maxHeapBytes;
        this.cache = cache;
        this.log = log;
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-node-watch");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(this::checkLeases, 100, 100, TimeUnit.MILLISECONDS);
    }

    static NodeService of(HazelcastInstance instance) {
        return instance == null ? null : (NodeService) instance.getUserContext().get(CONTEXT_KEY);
    }

    /** {@return the sealed answer to a sealed request} */
    byte[] handle(byte[] sealed) {
        Wire.In in;
        try {
            in = Wire.In.open(sealed, secret);
        } catch (IOException e) {
            return Wire.BAD_SEAL_MESSAGE; // sealed with our secret but malformed: say no more
        }
        if (in == null) {
            return Wire.BAD_SEAL_MESSAGE;
        }
        try {
            return switch (in.type) {
                case Wire.HELLO -> hello(in);
                case Wire.UPLOAD -> upload(in);
                case Wire.OPEN -> open(in);
                case Wire.SUBMIT -> submit(in);
                case Wire.POLL -> poll(in);
                default -> refuse(in, "unknown request " + in.type);
            };
        } catch (IOException | RuntimeException e) {
            return refuse(in, "malformed request: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return busy(in, "the node is stopping");
        }
    }

    /** A refusal that may not hold later (room, stopping): the caller asks again or another node. */
    private byte[] busy(Wire.In in, String reason) {
        return new Wire.Out(Wire.BUSY, in.nonce).writeString(reason).seal(secret);
    }

    private byte[] refuse(Wire.In in, String reason) {
        return new Wire.Out(Wire.REFUSED, in.nonce).writeString(reason).seal(secret);
    }

    private byte[] hello(Wire.In in) throws IOException {
        String caller = in.readString();
        String build = in.readString();
        int jdk = in.readInt();
        List<String> digests = in.readStrings();
        List<String> names = in.readStrings();
        if (!build.equals(Build.id())) {
            return refuse(
                    in,
                    "node " + name + " runs Tandem build " + Build.id() + ", caller " + caller + " build " + build
                            + ": their wire formats may differ. Start callers and nodes from the same Tandem build");
        }
        if (jdk != Runtime.version().feature()) {
            return refuse(
                    in,
                    "node " + name + " runs JDK " + Runtime.version().feature() + ", caller " + caller + " JDK " + jdk
                            + ": the same JDK feature version is needed on both sides");
        }
        if (digests.size() != names.size()) {
            throw new IOException("digests and names differ in number");
        }
        List<String> missing;
        try {
            missing = cache.missing(digests, names);
        } catch (ClassPathCache.MismatchException e) {
            log.println("[tandem node] refused caller " + caller + ": " + e.getMessage());
            return refuse(in, "node " + name + ": " + e.getMessage());
        }
        return new Wire.Out(Wire.OK, in.nonce)
                .writeString(name)
                .writeLong(ProcessHandle.current().pid())
                .writeInt(freeProcesses())
                .writeLong(maxHeapBytes)
                .writeStrings(missing)
                .seal(secret);
    }

    private byte[] upload(Wire.In in) throws IOException {
        String digest = in.readString();
        long offset = in.readLong();
        boolean last = in.readByte() == 1;
        byte[] chunk = in.readBytes();
        try {
            cache.upload(digest, offset, chunk, last);
        } catch (ClassPathCache.MismatchException e) {
            return refuse(in, "node " + name + ": " + e.getMessage());
        }
        return new Wire.Out(Wire.OK, in.nonce).seal(secret);
    }

    private byte[] open(Wire.In in) throws IOException {
        long id = in.readLong();
        String caller = in.readString();
        long leaseMillis = in.readLong();
        SessionSpec spec = SessionSpec.read(in);
        synchronized (seen) {
            if (seen.putIfAbsent(id, Boolean.TRUE) != null) {
                return refuse(in, "session " + Long.toHexString(id) + " was opened before: refused as a replay");
            }
        }
        String limit = spec.checkLimits(maxHeapBytes);
        if (limit != null) {
            return refuse(in, "node " + name + " " + limit);
        }
        synchronized (this) {
            if (processesInUse + spec.processes() > maxProcesses) {
                String room = roomRefusal(spec.processes());
                return room != null
                        ? refuse(in, room)
                        : busy(
                                in,
                                "node " + name + " has room for " + processes(maxProcesses - processesInUse)
                                        + " (--max-processes " + maxProcesses + ") until the workers of ended"
                                        + " sessions stop; this pool asks for " + spec.processes());
            }
            processesInUse += spec.processes();
        }
        NodeSession s = new NodeSession(
                id,
                caller,
                spec.processes(),
                spec.processes() * spec.threads(),
                spec.digests(),
                leaseMillis * 1_000_000L);
        List<String> classPath = new ArrayList<>();
        for (String d : spec.digests()) {
            classPath.add(cache.path(d).toString());
        }
        cache.touch(spec.digests());
        try {
            PoolOptions options = spec.options(maxHeapBytes);
            EncodedPool pool = EncodedPool.start(
                    options,
                    new EncodedPool.Launch(classPath, spec.systemProperties(), spec.initializer(), name, s::leaseEnd),
                    s);
            s.started(pool);
        } catch (RuntimeException e) {
            release(s);
            return refuse(in, "node " + name + " could not start this caller's workers: " + e.getMessage());
        }
        sessions.put(id, s);
        log.println("[tandem node] opened " + s + ": " + processes(spec.processes()));
        return new Wire.Out(Wire.OK, in.nonce)
                .writeStrings(
                        s.pool().workerPids().stream().map(String::valueOf).toList())
                .seal(secret);
    }

    private byte[] submit(Wire.In in) throws IOException, InterruptedException {
        long id = in.readLong();
        long seq = in.readLong();
        int frames = in.readInt();
        NodeSession s = sessions.get(id);
        NodeSession.Submitted done = s == null
                ? new NodeSession.Submitted("no such session on node " + name, false)
                : s.submit(seq, in, frames);
        if (done.gone() != null) {
            return new Wire.Out(Wire.GONE, in.nonce).writeString(done.gone()).seal(secret);
        }
        List<NodeSession.Reply> replies =
                done.awaitsReplies() ? s.awaitFirstReplies(NodeSession.SUBMIT_WAIT_NANOS) : List.of();
        return writeReplies(new Wire.Out(Wire.OK, in.nonce), replies).seal(secret);
    }

    /** Appends replies: their number, then each (the encoding of a SUBMIT's and a poll's answer). */
    private static Wire.Out writeReplies(Wire.Out out, List<NodeSession.Reply> replies) {
        out.writeInt(replies.size());
        for (NodeSession.Reply r : replies) {
            out.writeLong(r.taskId())
                    .writeByte(r.kind())
                    .writeByte(r.boundary())
                    .writeBytes(r.bytes());
        }
        return out;
    }

    private byte[] poll(Wire.In in) throws IOException, InterruptedException {
        long id = in.readLong();
        long seq = in.readLong();
        long waitNanos = Math.min(MAX_POLL_NANOS, Math.max(0, in.readLong()));
        NodeSession s = sessions.get(id);
        if (s == null) {
            return new Wire.Out(Wire.GONE, in.nonce)
                    .writeString("no such session on node " + name)
                    .seal(secret);
        }
        NodeSession.Polled polled = s.poll(seq, waitNanos);
        Wire.Out out = new Wire.Out(Wire.REPLIES, in.nonce);
        out.writeString(polled.ended() == null ? "" : polled.ended());
        writeReplies(out, polled.replies());
        if (polled.ended() != null) {
            forget(s);
        }
        return out.seal(secret);
    }

    /** Ends sessions whose caller stopped polling, and forgets ended ones nobody polls. */
    private void checkLeases() {
        for (NodeSession s : sessions.values()) {
            if (s.ended() == null && s.leaseExpired()) {
                log.println("[tandem node] " + s + ": no poll for its lease; stopping its workers");
                s.end("node " + name
                        + " heard nothing from its caller for the session's lease, and stopped its workers");
            } else if (s.ended() != null && s.leaseExpired()) {
                forget(s); // ended, and its caller stopped polling: nobody will take its last replies
            }
        }
    }

    private void forget(NodeSession s) {
        if (sessions.remove(s.id, s)) {
            log.println("[tandem node] ended " + s + " (" + s.ended() + "): " + s.traffic());
            Thread.ofPlatform().daemon().name("tandem-node-forget").start(() -> {
                s.awaitPool(30_000);
                release(s);
                Set<String> inUse = new HashSet<>();
                sessions.values().forEach(o -> inUse.addAll(o.digests));
                cache.prune(inUse);
            });
        }
    }

    /**
     * {@return why a pool asking for {@code asked} processes is refused for good, or null when the room
     * it lacks is held by sessions that ended or whose caller stopped polling (a caller gone, or one that
     * gave up on this node), whose workers stop within a lease: then it is busy, and asked again} A node
     * never has room for more than {@code --max-processes}; nor, while they run, for what other pools
     * hold. A node does not queue pools: the caller that finds it full fails its start at once (when no
     * other node takes it), where it waited silently, up to its limit (70 s), for a pool that may run for
     * hours.
     */
    private String roomRefusal(int asked) {
        assert Thread.holdsLock(this);
        if (asked > maxProcesses) {
            return "node " + name + " runs at most " + processes(maxProcesses) + " (--max-processes " + maxProcesses
                    + ") and this pool asks for " + asked + " on each node (perNode): give perNode at most "
                    + maxProcesses + ", or start the node with a larger --max-processes";
        }
        int held = 0;
        Set<String> callers = new TreeSet<>();
        for (NodeSession s : sessions.values()) {
            if (s.ended() == null && s.leaseHolds()) {
                held += s.processes;
                callers.add(s.caller);
            }
        }
        if (maxProcesses - held >= asked) {
            return null;
        }
        return "node " + name + " is full: running pools (of " + String.join(", ", callers) + ") hold " + held
                + " of its " + processes(maxProcesses) + " (--max-processes " + maxProcesses + "), and this pool asks"
                + " for " + asked + "; a node does not queue pools: start this one when they end, give perNode fewer"
                + " processes, or start the node with a larger --max-processes";
    }

    /** {@return "1 worker process", "2 worker processes"} */
    static String processes(int n) {
        return n + (n == 1 ? " worker process" : " worker processes");
    }

    private synchronized void release(NodeSession s) {
        processesInUse -= s.processes;
    }

    private synchronized int freeProcesses() {
        return maxProcesses - processesInUse;
    }

    /** Ends every session (the node is stopping) and waits, bounded, for their workers. */
    void stop() {
        watch.shutdownNow();
        for (NodeSession s : sessions.values()) {
            s.end("node " + name + " is stopping");
        }
        for (NodeSession s : sessions.values()) {
            s.awaitPool(5_000);
        }
    }

    /** The options and code of a session, as an OPEN carries them. */
    record SessionSpec(
            int processes,
            int threads,
            long taskTimeoutMillis,
            List<String> jvmOptions,
            int maxTasksPerWorker,
            long workerStartTimeoutMillis,
            int maxRestarts,
            long restartWindowMillis,
            long restartBackoffMillis,
            long maxRestartBackoffMillis,
            int retriesOnWorkerLoss,
            int poisonThreshold,
            boolean forwardOutput,
            boolean aotCache,
            String transport,
            byte[] initializer,
            List<String> digests,
            List<String> systemProperties) {

        static SessionSpec of(PoolOptions o, byte[] initializer, List<String> digests, List<String> properties) {
            return new SessionSpec(
                    o.workers(),
                    o.threadsPerWorker(),
                    o.taskTimeout() == null ? -1 : o.taskTimeout().toMillis(),
                    o.jvmOptions(),
                    o.maxTasksPerWorker(),
                    o.workerStartTimeout().toMillis(),
                    o.maxRestarts(),
                    o.restartWindow().toMillis(),
                    o.restartBackoff().toMillis(),
                    o.maxRestartBackoff().toMillis(),
                    o.retriesOnWorkerLoss(),
                    o.poisonThreshold(),
                    o.forwardOutput(),
                    o.aotCache(),
                    o.transport().name(),
                    initializer,
                    digests,
                    o.inheritSystemProperties() ? properties : List.of());
        }

        void write(Wire.Out out) {
            out.writeInt(processes)
                    .writeInt(threads)
                    .writeLong(taskTimeoutMillis)
                    .writeStrings(jvmOptions);
            out.writeInt(maxTasksPerWorker).writeLong(workerStartTimeoutMillis).writeInt(maxRestarts);
            out.writeLong(restartWindowMillis).writeLong(restartBackoffMillis).writeLong(maxRestartBackoffMillis);
            out.writeInt(retriesOnWorkerLoss).writeInt(poisonThreshold);
            out.writeByte(forwardOutput ? 1 : 0).writeByte(aotCache ? 1 : 0).writeString(transport);
            out.writeBytes(initializer).writeStrings(digests).writeStrings(systemProperties);
        }

        static SessionSpec read(Wire.In in) throws IOException {
            return new SessionSpec(
                    in.readInt(),
                    in.readInt(),
                    in.readLong(),
                    in.readStrings(),
                    in.readInt(),
                    in.readLong(),
                    in.readInt(),
                    in.readLong(),
                    in.readLong(),
                    in.readLong(),
                    in.readInt(),
                    in.readInt(),
                    in.readByte() == 1,
                    in.readByte() == 1,
                    in.readString(),
                    in.readBytes(),
                    in.readStrings(),
                    in.readStrings());
        }

        /** {@return null, or why a node whose workers may have at most {@code maxHeap} bytes of heap refuses it} */
        String checkLimits(long maxHeap) {
            if (maxHeap <= 0) {
                return null;
            }
            for (String o : jvmOptions) {
                if (o.startsWith("-Xmx") && Sizes.parse(o.substring(4)) > maxHeap) {
                    return "allows worker heaps of at most " + Sizes.format(maxHeap) + " (--max-heap); this pool asks "
                            + o;
                }
            }
            return null;
        }

        /** {@return the pool options on this node: the caller's, with the node's heap cap} */
        PoolOptions options(long maxHeap) {
            Tandem.Builder b = threads == 1 ? Tandem.processes(processes) : Tandem.hybrid(processes, threads);
            List<String> jvm = new ArrayList<>(jvmOptions);
            if (maxHeap > 0 && jvm.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
                jvm.addFirst("-Xmx" + Math.min(maxHeap, 256L << 20) / 1024 + "k");
            }
            if (taskTimeoutMillis > 0) {
                b.taskTimeout(Duration.ofMillis(taskTimeoutMillis));
            }
            if (maxTasksPerWorker > 0) {
                b.maxTasksPerWorker(maxTasksPerWorker);
            }
            return b.jvmOptions(jvm.toArray(String[]::new))
                    .workerStartTimeout(Duration.ofMillis(workerStartTimeoutMillis))
                    .restartLimit(maxRestarts, Duration.ofMillis(restartWindowMillis))
                    .restartBackoff(Duration.ofMillis(restartBackoffMillis), Duration.ofMillis(maxRestartBackoffMillis))
                    .retriesOnWorkerLoss(retriesOnWorkerLoss)
                    .poisonThreshold(poisonThreshold)
                    .forwardOutput(forwardOutput)
                    .aotCache(aotCache)
                    .transport(Transport.valueOf(transport))
                    .inheritSystemProperties(true)
                    .options();
        }
    }
}
