package dev.tandem.cluster;

import dev.tandem.spi.CacheFolder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The node JVMs of a local cluster: children of the caller on 127.0.0.1, started by
 * {@code Tandem.localCluster(n)} and stopped with its pool.
 *
 * <h2>Processes and files</h2>
 * Each node gets the caller's {@code java} and class path, the flags of {@link Node#JVM_FLAGS} and
 * {@link #NODE_FLAGS}, the nodes' AOT cache when the class path is all jars ({@link NodeAotCache}; the
 * first node trains it when there is none), a
 * free port, the cluster's random secret (hex text) on its standard input (never on its command line), and
 * stops itself when that input closes: so nodes never outlive the caller, even one killed by
 * SIGKILL. Their output is copied to the caller's, each line prefixed {@code [node i]}, but for the
 * nodes' own account of their work ({@link #nodesOwn}); the last lines are kept for failure messages. Shipped class paths go to the nodes' shared cache.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
final class LocalNodes implements AutoCloseable {
    /** One node JVM. */
    static final class Child {
        final int index;
        final int port;
        final Process process;
        /** Counted down when the node is ready, or said its port was taken, or both its output streams ended. */
        final CountDownLatch ready = new CountDownLatch(1);
        /** Counted down as each of its two output streams ends. */
        private final CountDownLatch outputs = new CountDownLatch(2);
        /** Where this child goes once, as {@link #ready} is counted down: its start waits on all at once. */
        private final BlockingQueue<Child> settled;

        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private volatile boolean readySeen;
        private volatile boolean portTaken;

        Child(int index, int port, Process process) {
            this(index, port, process, new LinkedBlockingQueue<>());
        }

        Child(int index, int port, Process process, BlockingQueue<Child> settled) {
            this.index = index;
            this.port = port;
            this.process = process;
            this.settled = settled;
        }

        synchronized void keep(String line) {
            tail.addLast(line);
            if (tail.size() > 40) {
                tail.removeFirst();
            }
        }

        /** Reads one line of its output: it is ready, or it could not bind its port, or neither. */
        void read(String line) {
            if (line.startsWith(Node.READY)) {
                readySeen = true;
                settle();
            } else if (LocalNodes.portTaken(line)) {
                portTaken = true;
                settle();
            }
        }

        /** One of its output streams ended; once both did, it will never say it is ready. */
        void outputEnded() {
            outputs.countDown();
            if (outputs.getCount() == 0) {
                settle();
            }
        }

        private synchronized void settle() {
            if (ready.getCount() > 0) {
                ready.countDown();
                settled.add(this);
            }
        }

        /** {@return whether both its output streams ended within the time given} */
        boolean awaitOutputEnd(long timeout, TimeUnit unit) throws InterruptedException {
            return outputs.await(timeout, unit);
        }

        /** {@return whether the node said it is ready} */
        boolean isReady() {
            return readySeen;
        }

        /** {@return whether the node said it could not bind its port} */
        boolean portTaken() {
            return portTaken;
        }

        synchronized String tail() {
            return String.join("\n", tail);
        }

        String address() {
            return "127.0.0.1:" + port;
        }
    }

    /**
     * The flags of every node JVM beyond {@link Node#JVM_FLAGS}: a small heap, the serial collector,
     * smaller stacks, and Hazelcast's logging at SEVERE ({@link LocalNodeLogging}).
     */
    static final List<String> NODE_FLAGS = List.of(
            "-Xms16m",
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xss512k",
            "-Djava.util.logging.config.class=" + LocalNodeLogging.class.getName());

    /** How long the node training the AOT cache may take to write it as it exits. */
    static final long TRAINING_EXIT_SECONDS = 60;

    /** How many times {@link #start} picks new ports when a node finds its port taken. */
    static final int PORT_ATTEMPTS = 5;

    private final List<Child> children;
    /** The nodes' AOT cache, or null if this class path can have none. */
    private final NodeAotCache aot;
    /** Done once the training node's cache was published or given up; null until close. Guarded by this. */
    private CompletableFuture<Void> trained;

    LocalNodes(List<Child> children, NodeAotCache aot) {
        this.children = children;
        this.aot = aot;
    }

    /**
     * Starts {@code n} nodes and waits until every one is ready. Their ports are free when picked, but a
     * node binds its port a second or more later, and another program (another local cluster, an
     * outgoing connection) may take it meanwhile: a node that finds its port taken exits, and then all
     * the nodes start again on new ports, up to {@link #PORT_ATTEMPTS} times.
     *
     * @param aotCache whether the nodes use (and the first trains) their AOT cache, {@link NodeAotCache}
     * @throws IOException naming the node that did not start, with its output
     */
    static LocalNodes start(
            int n, String clusterName, String secret, long timeoutNanos, Path cacheDir, boolean aotCache)
            throws IOException {
        return start(n, clusterName, secret, timeoutNanos, cacheDir, aotCache, LocalNodes::freePorts);
    }

    /** Picks {@code n} ports for the nodes of one attempt. */
    interface PortPicker {
        List<Integer> pick(int n) throws IOException;
    }

    /** {@link #start(int, String, String, long, Path, boolean)} with the ports of each attempt from {@code ports}. */
    static LocalNodes start(
            int n,
            String clusterName,
            String secret,
            long timeoutNanos,
            Path cacheDir,
            boolean aotCache,
            PortPicker ports)
            throws IOException {
        List<String> flags = new ArrayList<>(Node.JVM_FLAGS);
        flags.addAll(NODE_FLAGS);
        String classPath = System.getProperty("java.class.path");
        long deadline = System.nanoTime() + timeoutNanos;
        for (int attempt = 1; ; attempt++) {
            // Asked again on each attempt: a failed attempt's training node publishes or drops its cache as it exits.
            NodeAotCache aot = aotCache ? NodeAotCache.of(List.of(classPath.split(File.pathSeparator)), flags) : null;
            try {
                return start(
                        ports.pick(n), clusterName, secret, timeoutNanos, deadline, cacheDir, flags, classPath, aot);
            } catch (PortTakenException e) {
                if (attempt >= PORT_ATTEMPTS) {
                    throw new IOException(e.getMessage() + " (" + attempt + " attempts, each on new ports)", e);
                }
                System.err.println("[tandem] " + e.what + ": starting the local nodes again on new ports");
            }
        }
    }

    /** A node exited because its port was taken before it bound it: worth starting again on new ports. */
    static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        /** Which node, in one line. */
        final String what;

        PortTakenException(String what, String message) {
            super(message);
            this.what = what;
        }
    }

    private static LocalNodes start(
            List<Integer> ports,
            String clusterName,
            String secret,
            long timeoutNanos,
            long deadline,
            Path cacheDir,
            List<String> flags,
            String classPath,
            NodeAotCache aot)
            throws IOException {
        int n = ports.size();
        List<String> all = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<Child> children = new ArrayList<>();
        BlockingQueue<Child> settled = new LinkedBlockingQueue<>();
        LocalNodes nodes = new LocalNodes(children, aot);
        try {
            for (int i = 0; i < n; i++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(flags);
                if (aot != null) {
                    cmd.addAll(aot.flags(i == 0));
                }
                cmd.addAll(List.of("-cp", classPath, Node.class.getName()));
                cmd.addAll(List.of("--bind", "127.0.0.1", "--port", String.valueOf(ports.get(i))));
                List<String> others = new ArrayList<>(all);
                others.remove(i);
                if (!others.isEmpty()) {
                    cmd.addAll(List.of("--join", String.join(",", others)));
                }
                cmd.addAll(List.of("--cluster-name", clusterName, "--cache", cacheDir.toString()));
                cmd.addAll(List.of("--secret-on-stdin", "--watch-parent"));
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().put("HZ_PHONE_HOME_ENABLED", "false");
                Process p = pb.start();
                Child c = new Child(i + 1, ports.get(i), p, settled);
                children.add(c);
                OutputStream in = p.getOutputStream();
                in.write((secret + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
                boolean training = i == 0 && aot != null && aot.trains();
                pump(c, p.getInputStream(), () -> System.out, training);
                pump(c, p.getErrorStream(), () -> System.err, training);
            }
            // Each child settles once: ready, or failed (its port taken, or its output ended as it exited).
            for (int readyCount = 0; readyCount < children.size(); ) {
                Child c = settled.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (c == null) {
                    c = children.stream().filter(k -> !k.isReady()).findFirst().orElseThrow();
                    throw new IOException(failure(c, "was not ready within " + timeoutNanos / 1_000_000 + " ms"));
                }
                if (c.isReady()) {
                    readyCount++;
                } else if (c.portTaken()) {
                    kill(c); // it may not exit by itself: its start failed before it watched its input
                    String what = "local node " + c.index + " could not bind its port " + c.port;
                    throw new PortTakenException(what, failure(c, "could not bind its port"));
                } else {
                    c.process.waitFor(10, TimeUnit.SECONDS); // its output ended: it exits
                    throw new IOException(failure(
                            c,
                            c.process.isAlive()
                                    ? "closed its output without being ready"
                                    : "exited with code " + c.process.exitValue()));
                }
            }
            return nodes;
        } catch (IOException | RuntimeException e) {
            nodes.close();
            throw e;
        } catch (InterruptedException e) {
            nodes.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting local nodes", e);
        }
    }

    /** {@return whether a line of a node's output says it could not bind its port} */
    static boolean portTaken(String line) {
        return line.contains("java.net.BindException") || line.contains("is already in use and auto-increment");
    }

    private static String failure(Child c, String what) {
        return "local node " + c.index + " (pid " + c.process.pid() + ", port " + c.port + ") " + what
                + (c.tail().isEmpty() ? "" : "; its output:\n" + c.tail());
    }

    /** Copies a node's output, prefixed; a training node's AOT chatter as it exits is dropped. */
    private static void pump(Child c, InputStream stream, Supplier<PrintStream> to, boolean training) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (!training || !CacheFolder.isAotChatter(line)) {
                                c.keep(line);
                                if (!nodesOwn(line)) {
                                    to.get().println("[node " + c.index + "] " + line);
                                }
                            }
                            c.read(line); // after keep: a failure's message shows this line
                        }
                    } catch (IOException e) {
                        // the node ended
                    } finally {
                        c.outputEnded();
                    }
                },
                "tandem-node-" + c.index + "-output");
        t.setDaemon(true);
        t.start();
    }

    /**
     * {@return whether a line is the node's own account of its work (ready, sessions opened and ended,
     * members joining and leaving)} Kept for failure messages, not copied to the caller's output: a
     * program that runs a local cluster prints its own output, its tasks' and warnings.
     */
    static boolean nodesOwn(String line) {
        return line.startsWith(Node.READY) || line.startsWith(Node.LOG_PREFIX);
    }

    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** {@return the nodes' addresses, host:port} */
    List<String> addresses() {
        return children.stream().map(Child::address).toList();
    }

    List<Child> children() {
        return children;
    }

    /** {@return the last lines of every node's output, for failure messages} */
    String tails() {
        StringBuilder b = new StringBuilder();
        for (Child c : children) {
            b.append("--- node ")
                    .append(c.index)
                    .append(" ---\n")
                    .append(c.tail())
                    .append('\n');
        }
        return b.toString();
    }

    /**
     * Closes each node's input (it stops itself), then waits, bounded, and kills what is left. A node
     * training the AOT cache is not waited for: it writes the cache as it exits, which takes tens of
     * seconds, and is published in the background ({@link #publishWhenTrained}).
     */
    @Override
    public void close() {
        for (Child c : children) {
            try {
                c.process.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        for (Child c : children) {
            if (c.index == 1 && aot != null && aot.trains()) {
                publishWhenTrained(c);
                continue;
            }
            try {
                if (!c.process.waitFor(10, TimeUnit.SECONDS)) {
                    kill(c);
                }
            } catch (InterruptedException e) {
                c.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Publishes the AOT cache the training node writes as it exits, once it exited, without holding
     * {@link #close()}: killed if it takes longer than {@link #TRAINING_EXIT_SECONDS}. A JVM that
     * exits meanwhile waits for it in a shutdown hook (bounded likewise), so that even a program that
     * ends right after its first local cluster leaves the cache for the next; that happens once per
     * cache. Idempotent.
     */
    private void publishWhenTrained(Child c) {
        Thread hook = new Thread(this::awaitTrained, "tandem-node-aot-publish");
        boolean hooked;
        synchronized (this) {
            if (trained != null) {
                return;
            }
            try {
                Runtime.getRuntime().addShutdownHook(hook);
                hooked = true;
            } catch (IllegalStateException exiting) {
                hooked = false; // closed by a shutdown hook: this is the last chance to publish
            }
            boolean unhook = hooked;
            trained = c.process
                    .onExit()
                    .orTimeout(TRAINING_EXIT_SECONDS, TimeUnit.SECONDS)
                    .handle((p, e) -> {
                        if (e != null) {
                            kill(c);
                        }
                        aot.finish(c.process.isAlive() ? null : c.process.exitValue());
                        if (unhook) {
                            try {
                                Runtime.getRuntime().removeShutdownHook(hook);
                            } catch (IllegalStateException exiting) {
                                // the JVM is exiting: the hook runs, and finds this done
                            }
                        }
                        return null;
                    });
        }
        if (!hooked) {
            awaitTrained();
        }
    }

    /** Waits, bounded, until the training node's cache is published or given up. */
    private void awaitTrained() {
        try {
            trainedFuture().get(TRAINING_EXIT_SECONDS + 10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // given up: the next start trains again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return completed once the training node's cache was published or given up; done at once if none trains} */
    synchronized CompletableFuture<Void> trainedFuture() {
        return trained == null ? CompletableFuture.completedFuture(null) : trained;
    }

    private static void kill(Child c) {
        c.process.descendants().forEach(ProcessHandle::destroyForcibly);
        c.process.destroyForcibly();
        try {
            c.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
