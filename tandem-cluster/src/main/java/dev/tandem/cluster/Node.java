package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.tandem.ClusterOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A Tandem cluster node: a Hazelcast data member that runs callers' tasks in local Tandem process
 * pools, one per caller session, so that isolation, hard timeouts, recycling and heap caps hold on
 * every node. Started by {@code tandem node} or, as a child of the caller, by
 * {@code Tandem.localCluster(n)}.
 *
 * <h2>Security defaults</h2>
 * Binds one address (127.0.0.1 unless told otherwise) and refuses any other without a secret file;
 * joins only the listed members (TCP-IP; multicast and cloud discovery off); phone-home, Jet and
 * REST off; Hazelcast's Java deserialization denied but for its own classes and the JDK's
 * {@code java.lang} and {@code java.util} ones that its member-to-member exceptions hold (Tandem's
 * messages are {@code IdentifiedDataSerializable}). Every Tandem message is sealed with the secret (HMAC-SHA256);
 * Hazelcast's own traffic (membership, heartbeats) is not encrypted by the Community Edition: run
 * nodes on a private network or a tunnel.
 *
 * <h2>Lifecycle</h2>
 * {@link #start(Settings)} returns a started node; {@link #stop()} (or the JVM's exit) ends every
 * session, killing its workers, and leaves the cluster. With {@link Settings#watchParent()}, the
 * node stops when its standard input closes: a local cluster's nodes never outlive their caller.
 */
public final class Node implements AutoCloseable {
    /**
     * The JVM flags a node (and a caller) should run with on Java 25: Hazelcast's module access
     * ("Running in Modular Java"), no warning for its shaded JCTools' use of {@code sun.misc.Unsafe},
     * and a common fork-join pool of 2 threads, without which Hazelcast completes every call on a new
     * thread on machines of 2 CPUs or fewer.
     */
    public static final List<String> JVM_FLAGS = List.of(
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

    /** The line a node prints on stdout once it is ready; a local cluster waits for it. */
    static final String READY = "tandem node ready: ";

    /** How every line of a node's own account of its work (sessions, members) begins. */
    static final String LOG_PREFIX = "[tandem node] ";

    /** The smallest {@code --max-heap}: a worker JVM does not start with less. */
    static final long MIN_HEAP_BYTES = 16L << 20;

    /** The options of {@link #main} that take a value. */
    private static final Set<String> VALUED_OPTIONS = Set.of(
            "--bind",
            "--port",
            "--join",
            "--cluster-name",
            "--secret-file",
            "--max-processes",
            "--max-heap",
            "--cache");

    /**
     * How a node runs.
     *
     * @param bind the address to bind and announce, such as 10.0.0.7; default 127.0.0.1
     * @param port the member port; default 5701
     * @param join {@code host:port} of other nodes to join
     * @param clusterName the cluster's name; default {@code tandem}
     * @param secretFile the shared secret's file, or null (then {@code bind} must be loopback)
     * @param maxProcesses the most worker JVMs this node runs for all callers together
     * @param maxHeapBytes the largest heap a worker may have, or 0 for no limit of the node's own
     * @param cacheDir where shipped class paths are cached
     * @param secretOnStdin read the secret (hex) from the first line of standard input instead
     * @param watchParent stop when standard input closes
     */
    public record Settings(
            String bind,
            int port,
            List<String> join,
            String clusterName,
            Path secretFile,
            int maxProcesses,
            long maxHeapBytes,
            Path cacheDir,
            boolean secretOnStdin,
            boolean watchParent) {
        /** Checks the settings. */
        public Settings {
            Objects.requireNonNull(bind, "bind");
            join = List.copyOf(join);
            Objects.requireNonNull(clusterName, "clusterName");
            Objects.requireNonNull(cacheDir, "cacheDir");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 1 and 65535, was " + port);
            }
            if (maxProcesses < 1) {
                throw new IllegalArgumentException("--max-processes must be >= 1, was " + maxProcesses);
            }
            if (maxHeapBytes != 0 && maxHeapBytes < MIN_HEAP_BYTES) {
                throw new IllegalArgumentException(
                        "--max-heap must be at least 16m (a worker JVM needs that much), was "
                                + Sizes.format(maxHeapBytes));
            }
            if (clusterName.isBlank()) {
                throw new IllegalArgumentException("--cluster-name must not be blank");
            }
            for (String each : join) {
                ClusterOptions.checkAddress("--join", each);
            }
        }

        /** {@return the default cache of shipped class paths: ~/.cache/tandem/cluster/cp} */
        public static Path defaultCacheDir() {
            return Path.of(System.getProperty("user.home"), ".cache", "tandem", "cluster", "cp");
        }
    }

    private final HazelcastInstance member;
    private final NodeService service;
    private final String name;
    private final String clusterName;
    /** Its secret's fingerprint, which it announces ({@link Secret#fingerprint()}). */
    private final String fingerprint;

    /** Whether it was given other nodes to join. */
    private final boolean joins;

    private final PrintStream log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Why it stopped serving its cluster (another secret there), or null. */
    private volatile String refusal;

    private Node(
            HazelcastInstance member,
            NodeService service,
            String name,
            String clusterName,
            String fingerprint,
            boolean joins,
            PrintStream log) {
        this.joins = joins;
        this.member = member;
        this.service = service;
        this.name = name;
        this.clusterName = clusterName;
        this.fingerprint = fingerprint;
        this.log = log;
    }

    /**
     * Starts a node and returns once it is a member of its cluster.
     *
     * @param settings how it runs
     * @return the node
     * @throws IllegalArgumentException if the settings are unsafe (a non-loopback bind without a
     *     secret), a file is unfit, or the cluster it joined has another secret (or none where this
     *     node has one, or the reverse): the node then stopped without serving
     */
    public static Node start(Settings settings) throws IOException {
        InetAddress address = InetAddress.getByName(settings.bind());
        Secret secret;
        if (settings.secretOnStdin()) {
            secret = readSecretFromStdin();
        } else if (settings.secretFile() != null) {
            secret = Secret.fromFile(settings.secretFile());
        } else if (address.isLoopbackAddress()) {
            secret = Secret.none();
        } else {
            throw new IllegalArgumentException("--bind " + settings.bind() + " is not a loopback address: a node"
                    + " reachable from other machines needs --secret-file F (at least 32 random bytes, mode 600, e.g."
                    + " `openssl rand -hex 32 > F; chmod 600 F`), the same file its callers use");
        }
        HazelcastLogging.quiet();
        StartRecords.nameJoinsOfOtherClusters(System.out, LOG_PREFIX);
        String name = address.getHostAddress() + ":" + settings.port();
        ClassPathCache cache = new ClassPathCache(settings.cacheDir(), 4L << 30);
        PrintStream log = System.out;
        NodeService service =
                new NodeService(secret, name, settings.maxProcesses(), settings.maxHeapBytes(), cache, log);
        HazelcastInstance member;
        List<String> otherNames;
        StartRecords records;
        try {
            records = StartRecords.hold();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted before the node on " + name + " started", e);
        }
        try {
            member = Hazelcast.newHazelcastInstance(config(settings, address, service, secret));
        } catch (RuntimeException e) {
            // Hazelcast logged it (SEVERE, twice) and threw: one line instead, the exit code 1 of a failure
            records.drop();
            throw new IOException(
                    "the node could not start on " + name + " (--bind " + settings.bind() + " --port " + settings.port()
                            + "): " + StartRecords.firstLine(e),
                    e);
        } finally {
            otherNames = records.release();
        }
        Node node = new Node(
                member,
                service,
                name,
                settings.clusterName(),
                secret.fingerprint(),
                !settings.join().isEmpty(),
                log);
        member.getCluster().addMembershipListener(node.new Membership());
        String refused = node.checkClusterName(otherNames);
        if (refused == null) {
            refused = node.checkFingerprint();
        }
        if (refused != null) {
            node.stop();
            throw new IllegalArgumentException(refused);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "tandem-node-exit"));
        if (settings.watchParent()) {
            Thread watch = new Thread(node::stopAtEndOfInput, "tandem-node-parent");
            watch.setDaemon(true);
            watch.start();
        }
        long startedMillis = ProcessHandle.current()
                .info()
                .startInstant()
                .map(t -> System.currentTimeMillis() - t.toEpochMilli())
                .orElse(-1L);
        log.println(READY + name + " pid " + ProcessHandle.current().pid() + " cluster " + settings.clusterName()
                + " in " + startedMillis + " ms; " + node.members());
        log.flush();
        return node;
    }

    /**
     * {@return why this node refuses to serve its cluster, or null} It refuses when the cluster's
     * oldest member announces another secret fingerprint than its own (another secret, or none where
     * it has one, or the reverse): the node that joined is the odd one out, and the nodes that were
     * there keep serving. A member that is not a Tandem node of this build announces none.
     */
    String checkFingerprint() {
        Member oldest = member.getCluster().getMembers().iterator().next();
        if (oldest.localMember()) {
            return null;
        }
        String theirs = HazelcastSettings.fingerprint(oldest);
        if (fingerprint.equals(theirs)) {
            return null;
        }
        String fix = Secret.NO_SECRET.equals(fingerprint)
                ? "start this node with the --secret-file of the other nodes and callers"
                : Secret.NO_SECRET.equals(theirs)
                        ? "start every node of a cluster with the same --secret-file, or none (on loopback only)"
                        : "start this node with the --secret-file of the other nodes and callers (every node and"
                                + " caller of a cluster needs the same file)";
        return "refused to join cluster '" + clusterName + "' at " + address(oldest) + ": that node "
                + Secret.difference(theirs, fingerprint) + " (--secret-file); " + fix;
    }

    /**
     * {@return why this node refuses to run on alone, or null} It refuses when it is alone and seeds of its
     * {@code --join} answered that they run another cluster name: it would wait for ever for nodes that
     * will never let it in (Hazelcast logged a warning and carried on alone). Among other nodes, such a
     * seed is only named in the log.
     *
     * @param seeds the seeds that answered with another cluster name
     */
    String checkClusterName(List<String> seeds) {
        if (seeds.isEmpty()) {
            return null;
        }
        String which = (seeds.size() == 1 ? "the node at " : "the nodes at ") + String.join(", ", seeds)
                + " (--join) " + (seeds.size() == 1 ? "runs" : "run") + " another cluster name than '" + clusterName
                + "' (--cluster-name " + clusterName + ")";
        if (clusterSize() > 1) {
            log.println(LOG_PREFIX + which + ": left out; " + members());
            return null;
        }
        return "refused to run alone: " + which + "; give every node and caller of a cluster the same"
                + " --cluster-name, or leave " + (seeds.size() == 1 ? "that node" : "those nodes") + " out of --join";
    }

    private static String address(Member m) {
        return m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    /** {@return the cluster's members as this node sees them, for its log} */
    private String members() {
        Set<Member> all = member.getCluster().getMembers();
        return all.size() == 1
                ? (joins
                        ? "alone in the cluster so far (the nodes of --join join it as they start)"
                        : "alone in the cluster")
                : all.size() + " nodes in the cluster: "
                        + String.join(", ", all.stream().map(Node::address).toList());
    }

    /**
     * Logs the members that join and leave, one line each; a member with another secret is named
     * as refused (it stops itself, and no caller uses it). Stops this node if it finds itself the odd
     * one out after a merge of two clusters ({@link #checkFingerprint}).
     */
    private final class Membership implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
            Member m = event.getMember();
            String theirs = HazelcastSettings.fingerprint(m);
            if (!fingerprint.equals(theirs)) {
                log.println(LOG_PREFIX + "node " + address(m) + " joined cluster '" + clusterName + "' but "
                        + Secret.difference(theirs, fingerprint)
                        + " (--secret-file): refused; it stops itself, and no caller uses it");
            } else {
                log.println(LOG_PREFIX + "node " + address(m) + " joined; " + members());
            }
            String refused = checkFingerprint();
            if (refused != null && refusal == null) {
                refusal = refused;
                Thread.ofPlatform().name("tandem-node-refused").start(Node.this::stop);
            }
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            if (stopped.getCount() > 0) {
                log.println(LOG_PREFIX + "node " + address(event.getMember()) + " left; " + members());
            }
        }
    }

    static Config config(Settings settings, InetAddress address, NodeService service, Secret secret) {
        Config cfg = new Config().setClusterName(settings.clusterName());
        cfg.getMemberAttributeConfig().setAttribute(HazelcastSettings.FINGERPRINT, secret.fingerprint());
        HazelcastSettings.common().forEach(cfg::setProperty);
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
        cfg.setProperty("hazelcast.partition.count", "7");
        cfg.setProperty("hazelcast.operation.thread.count", "2");
        cfg.setProperty("hazelcast.operation.generic.thread.count", "2");
        cfg.setProperty("hazelcast.io.thread.count", "2");
        cfg.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
        // Its periodic sampling of the JVM only logs (at INFO, which a node does not show).
        cfg.setProperty("hazelcast.health.monitoring.level", "OFF");
        cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
        // A node the others dropped (frozen or cut off for longer than the heartbeat timeout) finds
        // them again within seconds of coming back, not Hazelcast's default five minutes.
        cfg.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        cfg.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        cfg.getJetConfig().setEnabled(false);
        cfg.getMetricsConfig().setEnabled(false);
        cfg.getExecutorConfig(HazelcastSettings.EXECUTOR).setPoolSize(16);
        cfg.getExecutorConfig(HazelcastSettings.POLL_EXECUTOR).setPoolSize(settings.maxProcesses() + 8);
        cfg.getSerializationConfig().addDataSerializableFactory(Wire.FACTORY_ID, new Wire());
        // Tandem never uses Hazelcast's Java serialization. Members still send each other
        // Hazelcast's own exceptions that way (a RetryableHazelcastException when a member dies):
        // those and the JDK classes a Throwable holds, nothing else (no library's, no user's class).
        cfg.getSerializationConfig()
                .setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
                        .setDefaultsDisabled(true)
                        .setWhitelist(
                                new ClassFilter().addPrefixes("com.hazelcast.", "java.lang.", "java.util.", "[")));
        // Reusing the address: a node restarted on its port is not kept off it for a minute or two by
        // the connections of the node before it, left in TIME_WAIT (a socket that listens still is).
        NetworkConfig net = cfg.getNetworkConfig()
                .setPort(settings.port())
                .setPortAutoIncrement(false)
                .setReuseAddress(true);
        // The address picked as given, where Hazelcast's interface matching looked for it among the
        // addresses the interfaces list: a loopback address other than 127.0.0.1 (127.0.0.2, on lo's
        // 127.0.0.0/8) is on none of them, and the node failed to start ("No matching network interface").
        cfg.setProperty("hazelcast.local.localAddress", address.getHostAddress());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        List<String> members = new ArrayList<>(settings.join());
        members.add(address.getHostAddress() + ":" + settings.port());
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        cfg.getUserContext().put(NodeService.CONTEXT_KEY, service);
        return cfg;
    }

    private static Secret readSecretFromStdin() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null || line.isBlank()) {
            throw new IOException("--secret-on-stdin: no secret on standard input");
        }
        // The text itself is the key, as a secret file's is.
        return Secret.of(line.strip().getBytes(StandardCharsets.US_ASCII), "a local cluster's random secret");
    }

    /** Blocks until standard input ends (the parent died or closed it), then stops the node. */
    private void stopAtEndOfInput() {
        try {
            while (System.in.read() >= 0) {
                // the parent writes nothing more; wait for the end
            }
        } catch (IOException e) {
            // ended all the same
        }
        stop();
        Runtime.getRuntime().halt(0);
    }

    /** {@return this node's name: address:port} */
    public String name() {
        return name;
    }

    /** Ends every session (killing its workers) and leaves the cluster. Idempotent. */
    public void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopped.countDown();
        service.stop();
        member.getLifecycleService().terminate();
    }

    /**
     * {@return why the node stopped serving its cluster, or null} A node refuses to serve a cluster
     * whose other nodes have another secret, or none where it has one (or the reverse): see
     * {@link #start(Settings)}, which refuses so at once; this tells of a refusal found later (two
     * clusters merged). Its command exits with code 2 and this message.
     */
    public String refusal() {
        return refusal;
    }

    /** {@return how many nodes its cluster has now, this one included} */
    public int clusterSize() {
        return member.getCluster().getMembers().size();
    }

    /** Blocks until the node stops. */
    public void await() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Runs a node until the JVM exits: {@code --bind A --port P --join h:p,... --cluster-name N
     * --secret-file F --max-processes N --max-heap SIZE --cache DIR --secret-on-stdin --watch-parent}.
     *
     * @param args the arguments
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("tandem node: " + e.getMessage());
            System.exit(2);
            return;
        }
        Node node;
        try {
            node = start(settings);
        } catch (IllegalArgumentException e) {
            System.err.println("tandem node: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("tandem node: " + e.getMessage()); // one line, as tandem node prints it
            System.exit(1);
            return;
        }
        node.await();
        if (node.refusal() != null) {
            System.err.println("tandem node: " + node.refusal());
            Runtime.getRuntime().halt(2); // the shutdown hook has nothing left to stop
        }
    }

    /**
     * Parses the arguments of {@link #main}.
     *
     * @param args the arguments
     * @return the settings
     * @throws IllegalArgumentException naming an unknown option or a bad value
     */
    public static Settings parse(String[] args) {
        String bind = "127.0.0.1";
        int port = 5701;
        List<String> join = new ArrayList<>();
        String clusterName = "tandem";
        Path secretFile = null;
        int maxProcesses = 4 * Runtime.getRuntime().availableProcessors();
        long maxHeap = 0;
        Path cache = Settings.defaultCacheDir();
        boolean secretOnStdin = false;
        boolean watchParent = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--secret-on-stdin" -> secretOnStdin = true;
                case "--watch-parent" -> watchParent = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(
                                VALUED_OPTIONS.contains(a) ? a + " needs a value" : "unknown option: " + a);
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--bind" -> bind = v;
                        case "--port" -> port = number(a, v);
                        case "--join" -> join.addAll(List.of(v.split(",")));
                        case "--cluster-name" -> clusterName = v;
                        case "--secret-file" -> secretFile = Path.of(v);
                        case "--max-processes" -> maxProcesses = number(a, v);
                        case "--max-heap" -> maxHeap = maxHeap(v);
                        case "--cache" -> cache = Path.of(v);
                        default -> throw new IllegalArgumentException("unknown option: " + a);
                    }
                }
            }
        }
        return new Settings(
                bind, port, join, clusterName, secretFile, maxProcesses, maxHeap, cache, secretOnStdin, watchParent);
    }

    /**
     * {@return the bytes of a {@code --max-heap} as typed} A number without a unit is refused (it was read as
     * bytes: {@code --max-heap 512} gave 512 bytes), and every message echoes the value as typed, not in bytes.
     */
    private static long maxHeap(String typed) {
        String t = typed.strip();
        if (t.matches("[0-9]+")) {
            throw new IllegalArgumentException("--max-heap '" + typed + "' has no unit; write it like " + t + "m or "
                    + t + "g (the units are k, m, g and t)");
        }
        long bytes;
        try {
            bytes = Sizes.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--max-heap '" + typed + "' is not a size; write it like 512m or 2g (the units are k, m, g and t)",
                    e);
        }
        if (bytes < MIN_HEAP_BYTES) {
            throw new IllegalArgumentException(
                    "--max-heap '" + typed + "' must be at least 16m (a worker JVM needs that much)");
        }
        return bytes;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, was '" + value + "'", e);
        }
    }
}
