package dev.tandem.cli;

import dev.tandem.cluster.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem node}: runs a cluster node until stopped (Ctrl-C, SIGTERM), or {@code --local N}
 * nodes on 127.0.0.1 in this JVM, for trying the cluster mode out.
 */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        header = "Run a cluster node: callers' tasks (Tandem.cluster(...)) run here in worker JVMs.",
        description = "Joins the other nodes given with --join and runs each caller's tasks in worker JVMs of its own"
                + " (its perNode processes and threads, its options), until Ctrl-C or SIGTERM. A node reachable from"
                + " other machines needs --secret-file, the file its callers give to secretFile(...). --local N runs N"
                + " nodes on 127.0.0.1 in this JVM, without a secret, to try the cluster mode out:"
                + " tandem node --local 3")
final class NodeCommand implements Callable<Integer> {
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
            description = "Member port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--join",
            split = ",",
            paramLabel = "HOST:PORT",
            description = "host:port of other nodes, comma-separated.")
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
            description = "Most worker JVMs for all callers together (default 4 per CPU).")
    Integer maxProcesses;

    @Option(
            names = "--max-heap",
            paramLabel = "SIZE",
            description = "Largest heap a worker may have, e.g. 512m, 2g (default: no limit).")
    String maxHeap;

    @Option(names = "--local", paramLabel = "N", description = "Run N nodes on 127.0.0.1, from --port on, in this JVM.")
    Integer local;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("--bind", bind, "--cluster-name", clusterName));
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        if (maxProcesses != null) {
            args.addAll(List.of("--max-processes", maxProcesses.toString()));
        }
        if (maxHeap != null) {
            args.addAll(List.of("--max-heap", maxHeap));
        }
        int count = local == null ? 1 : local;
        if (count < 1 || count > 16) {
            throw new IllegalArgumentException("--local takes 1 to 16 nodes, was " + count);
        }
        List<String> all = new ArrayList<>(join);
        for (int i = 0; i < count; i++) {
            all.add(bind + ":" + (port + i));
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> own = new ArrayList<>(args);
            own.addAll(List.of("--port", Integer.toString(port + i)));
            List<String> others = new ArrayList<>(all);
            others.remove(bind + ":" + (port + i));
            if (!others.isEmpty()) {
                own.addAll(List.of("--join", String.join(",", others)));
            }
            nodes.add(Node.start(Node.parse(own.toArray(String[]::new))));
        }
        System.out.println(count + " node(s) of cluster '" + clusterName + "' running; connect with Tandem.cluster(\""
                + bind + ":" + port + "\")"
                + (clusterName.equals("tandem") ? "" : ".clusterName(\"" + clusterName + "\")")
                + (secretFile == null ? "" : ".secretFile(Path.of(\"" + secretFile + "\"))") + ". Ctrl-C stops.");
        for (Node n : nodes) {
            n.await();
        }
        return 0;
    }
}
