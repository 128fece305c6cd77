package dev.tandem.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.tandem.ClusterOptions;
import dev.tandem.cluster.Node;
import dev.tandem.measure.Units;
import dev.tandem.measure.UsageErrors;
import dev.tandem.measure.WholeNumber;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tandem node}: runs a cluster node until stopped (Ctrl-C, SIGTERM), or {@code --local N}
 * nodes on 127.0.0.1 in this JVM, for trying the cluster mode out.
 *
 * <p>Every input is checked before any node starts ({@link #validate}): the address to bind (it
 * resolves, and is one of this machine's), the ports, each {@code --join} entry ({@code host:port}, as
 * {@code Tandem.cluster(seeds...)} takes its seeds), the cluster name, the secret file (as
 * {@code ClusterOptions.checkSecretFile} checks a caller's), the sizes, and that a non-loopback
 * address has a secret. A bad one is a {@link ParameterException}: one line naming the option and the
 * value as typed, exit code 2, as the other commands do.
 */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        header = "Run a cluster node: callers' tasks (Tandem.cluster(...)) run here in worker JVMs.",
        description = "Joins the other nodes given with --join and runs each caller's tasks in worker JVMs of its own"
                + " (its perNode processes and threads, its options), until stopped: SIGTERM (kill PID) or Ctrl-C"
                + " ends every session, stops its workers and leaves the cluster, then exits with the code of a JVM"
                + " ended by that signal, 143 (SIGTERM) or 130 (Ctrl-C). A node reachable from other machines needs"
                + " --secret-file, the file its callers give to secretFile(...). --local N runs N nodes on 127.0.0.1"
                + " in this JVM (with --secret-file if given), to try the cluster mode out: tandem node --local 3")
final class NodeCommand implements Callable<Integer> {
    /** The smallest {@code --max-heap}: a worker JVM does not start with less. */
    private static final long MIN_HEAP_BYTES = 16L << 20;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            defaultValue = "127.0.0.1",
            description =
                    "Address to bind and announce (default ${DEFAULT-VALUE}); any other than loopback needs --secret-file.")
    String bind;

    @Option(
            names = "--port",
            paramLabel = "P",
            defaultValue = "5701",
            converter = PortRange.class,
            description = "Member port, 1 to 65535 (default ${DEFAULT-VALUE}); with --local N, the first of N.")
    int port;

    @Option(
            names = "--join",
            paramLabel = "HOST:PORT",
            description = "host:port of other nodes, comma-separated; IPv6 in brackets ([::1]:5701).")
    List<String> joinTyped = new ArrayList<>();

    /** The addresses of {@link #joinTyped}, split at commas; filled by {@link #validate()}. */
    List<String> join = new ArrayList<>();

    @Option(
            names = "--cluster-name",
            paramLabel = "NAME",
            defaultValue = "tandem",
            description = "Cluster name (default ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(
            names = "--secret-file",
            paramLabel = "F",
            description = "Shared secret: at least 32 random bytes, mode 600 (openssl rand -hex 32 > F; chmod 600 F).")
    Path secretFile;

    @Option(
            names = "--max-processes",
            paramLabel = "N",
            converter = AtLeastOne.class,
            description = "Most worker JVMs for all callers together, at least 1 (default 4 per CPU).")
    Integer maxProcesses;

    @Option(
            names = "--max-heap",
            paramLabel = "SIZE",
            description = "Largest heap a worker may have, e.g. 512m, 2g, 1t (default: no limit).")
    String maxHeap;

    @Option(
            names = "--local",
            paramLabel = "N",
            converter = LocalRange.class,
            description = "Run N nodes, 1 to " + ClusterOptions.MAX_LOCAL_NODES + ", on 127.0.0.1 from --port on, in"
                    + " this JVM (with --secret-file if given); they join each other, so --join names only other"
                    + " nodes on this machine.")
    Integer local;

    /** {@code --port}: 1 to 65535, written as ports are, without a thousands separator. */
    static final class PortRange extends WholeNumber<Integer> {
        PortRange() {
            super(Integer.class, 1, 65535, "");
        }

        @Override
        protected String bound(long v) {
            return Long.toString(v);
        }
    }

    /** {@code --local}: 1 to {@link ClusterOptions#MAX_LOCAL_NODES}. */
    static final class LocalRange extends WholeNumber<Integer> {
        LocalRange() {
            super(Integer.class, 1, ClusterOptions.MAX_LOCAL_NODES, "");
        }
    }

    /** {@code --max-processes}: at least 1. */
    static final class AtLeastOne extends WholeNumber<Integer> {
        AtLeastOne() {
            super(Integer.class, 1, Integer.MAX_VALUE, "");
        }
    }

    @Spec
    CommandSpec spec;

    /** {@link #maxHeap} as the node takes it ({@code 1073741824k} for {@code 1t}), once checked. */
    private String maxHeapArg;

    @Override
    public Integer call() throws Exception {
        validate();
        List<String> args = new ArrayList<>(List.of("--bind", bind, "--cluster-name", clusterName));
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        if (maxProcesses != null) {
            args.addAll(List.of("--max-processes", maxProcesses.toString()));
        }
        if (maxHeapArg != null) {
            args.addAll(List.of("--max-heap", maxHeapArg));
        }
        int count = local == null ? 1 : local;
        List<String> all = new ArrayList<>(join);
        for (int i = 0; i < count; i++) {
            all.add(bind + ":" + (port + i));
        }
        List<Node.Settings> settings = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> own = new ArrayList<>(args);
            own.addAll(List.of("--port", Integer.toString(port + i)));
            List<String> others = new ArrayList<>(all);
            others.remove(bind + ":" + (port + i));
            if (!others.isEmpty()) {
                own.addAll(List.of("--join", String.join(",", others)));
            }
            settings.add(Node.parse(own.toArray(String[]::new)));
        }
        for (Node.Settings each : settings) {
            nodes.add(Node.start(each));
        }
        // The cluster as it is now: nodes of --join not yet started join it later, each told of in a line
        int members = nodes.getLast().clusterSize();
        System.out.println(Units.count(count, "node", "nodes") + " started here, in cluster '" + clusterName + "' of "
                + Units.count(members, "node", "nodes") + (members == count && !join.isEmpty() ? " so far" : "")
                + "; connect with Tandem.cluster(\""
                + bind + ":" + port + "\")"
                + (clusterName.equals("tandem") ? "" : ".clusterName(\"" + clusterName + "\")")
                + (secretFile == null ? "" : ".secretFile(Path.of(\"" + secretFile + "\"))")
                + ". Ctrl-C or SIGTERM stops.");
        for (Node n : nodes) {
            n.await();
            if (n.refusal() != null) {
                throw new IllegalArgumentException(n.refusal()); // one line, exit code 2
            }
        }
        return 0;
    }

    /**
     * Checks every input before anything starts.
     *
     * @throws ParameterException naming the first bad option and its value as typed
     */
    void validate() {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind.strip());
        } catch (UnknownHostException e) {
            throw bad("--bind", bind, "not an address of this machine (the name does not resolve)");
        }
        if (!bind.isBlank() && address.isAnyLocalAddress()) {
            throw bad(
                    "--bind",
                    bind,
                    "the wildcard address, which a node does not take: it binds the one address other nodes and"
                            + " callers reach it at; give that address of this machine");
        }
        if (bind.isBlank() || !local(address)) {
            throw bad(
                    "--bind",
                    bind,
                    "not an address of this machine (" + address.getHostAddress()
                            + " is on none of its network interfaces)");
        }
        int count = local == null ? 1 : local;
        if (count < 1 || count > ClusterOptions.MAX_LOCAL_NODES) {
            throw bad("--local", String.valueOf(local), "takes 1 to " + ClusterOptions.MAX_LOCAL_NODES + " nodes");
        }
        if (local != null && !address.isLoopbackAddress()) {
            // it ran N nodes reachable from other machines in one JVM, which its help calls a way to try it out
            throw bad(
                    "--bind",
                    bind,
                    "--local runs its nodes on loopback (127.0.0.1), to try the cluster mode out; drop --bind, or"
                            + " drop --local to run one node that other machines reach");
        }
        if (port < 1 || port + count - 1 > 65535) {
            throw bad(
                    "--port",
                    String.valueOf(port),
                    count == 1
                            ? "a port is between 1 and 65535"
                            : "the " + count + " nodes need ports " + port + " to " + (port + count - 1)
                                    + ", between 1 and 65535");
        }
        join = new ArrayList<>();
        for (String typed : joinTyped) {
            for (String seed : typed.split(",", -1)) {
                if (seed.isBlank()) {
                    throw bad("--join", typed, "an empty address (a comma too many, or no address at all)");
                }
                try {
                    ClusterOptions.checkAddress("--join", seed.strip());
                } catch (IllegalArgumentException e) {
                    throw bad("--join", seed.strip(), e.getMessage());
                }
                checkJoin(seed.strip(), address, count);
                join.add(seed.strip());
            }
        }
        if (clusterName.isBlank()) {
            throw bad("--cluster-name", clusterName, "a cluster name must not be blank");
        }
        if (secretFile != null) {
            try {
                ClusterOptions.checkSecretFile(secretFile);
            } catch (IllegalArgumentException e) {
                // the option and the value are the subject already: "--secret-file 'F': holds text ..."
                String why = e.getMessage().replace("the secret file " + secretFile + " ", "");
                throw bad(
                        "--secret-file",
                        secretFile.toString(),
                        why.replace("give that FILE", "give --secret-file FILE"));
            }
        } else if (!address.isLoopbackAddress()) {
            throw bad(
                    "--bind",
                    bind,
                    "not a loopback address: a node reachable from other machines needs"
                            + " --secret-file F (at least 32 random bytes, mode 600: openssl rand -hex 32 > F; chmod 600 F)");
        }
        if (maxProcesses != null && maxProcesses < 1) {
            throw bad("--max-processes", maxProcesses.toString(), "must be at least 1");
        }
        if (maxHeap != null) {
            long bytes;
            try {
                // the parser of every size option of every command (1t, 64K, 512MiB), as --heap-per-task's
                bytes = Units.parseBytes(maxHeap, "512m or 2g");
            } catch (IllegalArgumentException e) {
                throw bad("--max-heap", maxHeap, e.getMessage());
            }
            if (bytes < MIN_HEAP_BYTES) {
                throw bad("--max-heap", maxHeap, "must be at least 16m (a worker JVM needs that much)");
            }
            long memory = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
            if (bytes > memory) {
                throw bad(
                        "--max-heap",
                        maxHeap,
                        "more than this machine's memory (" + Units.bytes(memory) + "): a worker could never use it");
            }
            // the node takes the JVM's notation: whole KiB, rounded up so that the size typed stays allowed
            maxHeapArg = ((bytes + 1023) / 1024) + "k";
        }
        for (int i = 0; i < count; i++) {
            checkPortFree(address, port + i);
        }
    }

    /**
     * Refuses a {@code --join} entry that names a node this command starts itself (it was accepted, and the
     * node joined itself), or a node on another machine while this one listens on loopback only (which that
     * node can never reach back). A host that does not resolve is left to the join itself.
     */
    private void checkJoin(String seed, InetAddress address, int count) {
        int colon = seed.lastIndexOf(':');
        String host = seed.substring(0, colon);
        int seedPort = Integer.parseInt(seed.substring(colon + 1));
        InetAddress seedAddress;
        try {
            seedAddress = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return;
        }
        boolean same = seedAddress.equals(address)
                || (seedAddress.isAnyLocalAddress() && local(address))
                || (seedAddress.isLoopbackAddress() && address.isLoopbackAddress());
        if (same && seedPort >= port && seedPort < port + count) {
            throw bad(
                    "--join",
                    seed,
                    count == 1
                            ? "this node's own address (--bind " + bind + " --port " + port
                                    + "); --join names the other nodes"
                            : "one of the " + count + " local nodes' own addresses (ports " + port + " to "
                                    + (port + count - 1) + "), which join each other already; --join names only"
                                    + " other nodes");
        }
        if (address.isLoopbackAddress() && !seedAddress.isLoopbackAddress() && !local(seedAddress)) {
            throw bad(
                    "--join",
                    seed,
                    "on another machine, and a node bound to loopback (--bind " + bind + ") cannot be"
                            + " reached from there; give --bind an address of this machine that it reaches, and"
                            + " --secret-file"
                            + (local == null ? "" : ", without --local"));
        }
    }

    /** Binds and releases the port, so that one in use is a one-line error before Hazelcast starts. */
    private void checkPortFree(InetAddress address, int p) {
        if (!portFree(address, p)) {
            throw bad(
                    "--port",
                    String.valueOf(port),
                    "port " + p + " on " + address.getHostAddress() + " is in use (another node or program listens"
                            + " there; ss -ltnp shows which): choose another --port");
        }
    }

    /**
     * {@return whether a node could listen on the port} As the node binds it: with
     * {@code SO_REUSEADDR}, so that the connections of a node that just ended, left in TIME_WAIT for
     * a minute or two, do not keep its restart off its port; a socket that listens there still does.
     */
    static boolean portFree(InetAddress address, int p) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, p), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean local(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private ParameterException bad(String option, String value, String why) {
        return UsageErrors.bad(spec, option, value, why, null);
    }
}
