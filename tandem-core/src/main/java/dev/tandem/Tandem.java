package dev.tandem;

import dev.tandem.spi.WorkerStarter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds {@link TaskPool}s. Pick the execution model by the factory, set options on the returned
 * {@link Builder}, then {@link Builder#start() start} it:
 *
 * <pre>{@code
 * try (TaskPool pool = Tandem.processes(2).taskTimeout(Duration.ofSeconds(5)).start()) {
 *     Future<Integer> answer = pool.submit(() -> 6 * 7);
 *     System.out.println(answer.get());
 * }
 * }</pre>
 *
 * <p>Java has no global interpreter lock: threads already run Java code on every core. Processes buy
 * <em>isolation</em> (native crashes, leaks, heap caps, {@code System.exit}, untrusted or
 * non-thread-safe code, hard timeouts), not CPU parallelism.
 */
public final class Tandem {
    private Tandem() {}

    /**
     * A fixed pool of {@code n} platform threads.
     *
     * @param n the number of threads, at least 1
     * @return a builder
     */
    public static Builder threads(int n) {
        return new Builder(Mode.THREADS, n, 1);
    }

    /** {@return a builder of a pool that starts one virtual thread per task} */
    public static Builder virtualThreads() {
        return new Builder(Mode.VIRTUAL_THREADS, 0, 1);
    }

    /**
     * A pool of {@code n} worker JVMs, each running one task at a time.
     *
     * @param n the number of worker JVMs, at least 1
     * @return a builder
     */
    public static Builder processes(int n) {
        return new Builder(Mode.PROCESSES, n, 1);
    }

    /**
     * A pool of {@code processes} worker JVMs, each running {@code threadsPerProcess} tasks at once.
     *
     * @param processes the number of worker JVMs, at least 1
     * @param threadsPerProcess the tasks each worker runs at once, at least 1
     * @return a builder
     */
    public static Builder hybrid(int processes, int threadsPerProcess) {
        return new Builder(Mode.HYBRID, processes, threadsPerProcess);
    }

    /**
     * A pool whose tasks run on the nodes of a running cluster ({@code tandem node} processes),
     * each node running them in its own worker JVMs: {@link Builder#perNode(int, int)} processes of T
     * threads for this caller, with every process-mode option applied on each node. This JVM is a
     * Hazelcast client; the {@code tandem-cluster} artifact must be on the class path, else
     * {@link Builder#start()} throws {@link IllegalStateException} naming it.
     *
     * <p>Unless every seed is a loopback address, give the cluster's shared secret with
     * {@link Builder#secretFile(Path)}.
     *
     * @param seeds {@code host:port} of one or more nodes of the cluster
     * @return a builder
     */
    public static Builder cluster(String... seeds) {
        Builder b = new Builder(Mode.CLUSTER, 1, 1);
        // as given, nulls included: options() names what is wrong (List.of threw a bare NullPointerException)
        b.seeds = seeds == null ? null : Arrays.asList(seeds.clone());
        b.clusterName = "tandem";
        b.minNodes = 1;
        return b;
    }

    /**
     * A cluster of {@code nodes} node JVMs on 127.0.0.1, started by {@link Builder#start()} as
     * children of this JVM and stopped with the pool: zero set-up, for tests, demos and the lab.
     * Each gets a random cluster name and a random secret, so two local clusters never mix.
     *
     * @param nodes how many node JVMs, 1 to {@value ClusterOptions#MAX_LOCAL_NODES}
     * @return a builder
     */
    public static Builder localCluster(int nodes) {
        Builder b = new Builder(Mode.CLUSTER, 1, 1);
        b.local = true;
        b.localNodes = nodes;
        b.minNodes = nodes;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        b.clusterName = "tandem-local-" + HexFormat.of().formatHex(random);
        return b;
    }

    /**
     * Collects the options of one pool. Options are checked when {@link #start()} builds the pool;
     * an option that does not apply to the chosen mode is an error, not silently ignored.
     *
     * <p>Not thread-safe: use a builder from one thread.
     */
    public static final class Builder {
        private final Mode mode;
        private int workers;
        private int threadsPerWorker;
        private final Set<String> processOnlyOptionsSet = new LinkedHashSet<>();
        private final Set<String> clusterOnlyOptionsSet = new LinkedHashSet<>();
        private List<String> seeds = List.of();
        private int localNodes;
        /** Whether {@link #localCluster} made it: then {@link #localNodes} is as given, 0 included. */
        private boolean local;

        private String clusterName;
        private Path secretFile;
        private int minNodes;
        private Duration nodeFailureTimeout = Duration.ofSeconds(10);
        private Duration taskTimeout;
        private final List<String> jvmOptions = new ArrayList<>();
        private int maxTasksPerWorker;
        private WorkerInitializer initializer;
        private Duration workerStartTimeout = Duration.ofSeconds(30);
        private int maxRestarts = 20;
        private Duration restartWindow = Duration.ofSeconds(10);
        private Duration restartBackoff = Duration.ofMillis(10);
        private Duration maxRestartBackoff = Duration.ofSeconds(2);
        private int retriesOnWorkerLoss;
        private int poisonThreshold = 3;
        private boolean forwardOutput = true;
        private final List<String> classPath = new ArrayList<>();
        private final List<String> allowedClasses = new ArrayList<>();
        private boolean aotCache = true;
        private Transport transport = Transport.SOCKET;
        private boolean inheritSystemProperties = true;

        Builder(Mode mode, int workers, int threadsPerWorker) {
            this.mode = mode;
            this.workers = workers;
            this.threadsPerWorker = threadsPerWorker;
        }

        /**
         * Limits how long a task may run once it started. At the deadline its future fails with
         * {@link TaskTimeoutException}; in thread modes the task is interrupted; in process mode its
         * worker JVM is killed and replaced at once, and in hybrid mode the task is interrupted and
         * its worker killed 500 ms later if it has not stopped, so even a task that ignores
         * interrupts is stopped. For {@link TaskPool#map map}, the timeout bounds each batch: a
         * batch returns early once it ran half the timeout, and a batch that times out is split
         * down to the input that does (see {@link TaskPool#map}).
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeout = Objects.requireNonNull(timeout, "taskTimeout must not be null; omit it for no limit");
            return this;
        }

        /**
         * Adds options for each worker JVM, such as {@code -Xmx64m}. They come after Tandem's
         * defaults (a maximum heap sized from the machine's memory and the number of workers, at
         * least 1 GiB or half the memory; {@code -XX:+UseSerialGC}; {@code -XX:+ExitOnOutOfMemoryError}
         * ...), so they override them. Process and hybrid modes only.
         *
         * @param options JVM options
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            processOnlyOptionsSet.add("jvmOptions");
            jvmOptions.addAll(noNulls("jvmOptions", options));
            return this;
        }

        /**
         * Replaces a worker JVM with a fresh one after it ran this many tasks, to contain leaks.
         * Process and hybrid modes only.
         *
         * @param tasks at least 1
         * @return this builder
         */
        public Builder maxTasksPerWorker(int tasks) {
            processOnlyOptionsSet.add("maxTasksPerWorker");
            if (tasks < 1) {
                throw new IllegalArgumentException(
                        "maxTasksPerWorker must be >= 1, was " + tasks + "; omit it to never recycle workers");
            }
            this.maxTasksPerWorker = tasks;
            return this;
        }

        /**
         * Runs {@code initializer} once in each worker (each worker JVM, or each pool thread) before
         * its first task.
         *
         * @param initializer the initializer
         * @return this builder
         */
        public Builder initializer(WorkerInitializer initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer must not be null");
            return this;
        }

        /**
         * How long a worker JVM may take to start and complete its handshake. Process and hybrid
         * modes only.
         *
         * @param timeout a positive duration; default 30 s
         * @return this builder
         */
        public Builder workerStartTimeout(Duration timeout) {
            processOnlyOptionsSet.add("workerStartTimeout");
            this.workerStartTimeout = Objects.requireNonNull(timeout, "workerStartTimeout must not be null");
            return this;
        }

        /**
         * Allows at most {@code maxRestarts} unplanned worker restarts (crashes, not timeouts,
         * cancels or recycling) within {@code window}; one more fails the pool loudly instead of
         * looping. Process and hybrid modes only.
         *
         * @param maxRestarts at least 0; default 20
         * @param window a positive duration; default 10 s
         * @return this builder
         */
        public Builder restartLimit(int maxRestarts, Duration window) {
            processOnlyOptionsSet.add("restartLimit");
            this.maxRestarts = maxRestarts;
            this.restartWindow = Objects.requireNonNull(window, "restartLimit's window must not be null");
            return this;
        }

        /**
         * The delay between quick successive restarts: none before the first restart in a window,
         * {@code initial} before the second, doubling up to {@code max}. Process and hybrid modes
         * only.
         *
         * @param initial default 10 ms
         * @param max default 2 s
         * @return this builder
         */
        public Builder restartBackoff(Duration initial, Duration max) {
            processOnlyOptionsSet.add("restartBackoff");
            this.restartBackoff = Objects.requireNonNull(initial, "restartBackoff's initial delay must not be null");
            this.maxRestartBackoff = Objects.requireNonNull(max, "restartBackoff's maximum must not be null");
            return this;
        }

        /**
         * Runs a task again, up to {@code retries} times, when the worker running it died. A task
         * that was in {@link #poisonThreshold(int)} dead workers is not retried. Process and hybrid
         * modes only.
         *
         * <p>With the default of 0, a task whose worker died is run at most once, with one
         * exception: <b>a task may run twice when a kill the pool aimed at another task lands on
         * it.</b> When the pool stops a task (its timeout, {@code cancel(true)}) by killing its
         * worker, the worker takes no new task, but one it already held may start in the moment
         * between the end of the target and the signal's arrival; in hybrid mode, every other task
         * running on that worker's threads when it is killed (a target that ignored the interrupt,
         * or sat in a frozen worker) is one too, however long it ran. Such a bystander is not failed
         * but goes back to the queue, where it runs again from the start, and whatever it did in
         * its first, killed run stays done. Tasks whose effects must not repeat should be
         * idempotent, or the pool should run them without a timeout and without cancels.
         *
         * <p>{@link TaskPool#map map} goes further, by default: a batch lost with its worker is
         * retried as this option says, then split in halves and retried down to single inputs, so
         * inputs of a lost batch may run again (see {@link TaskPool#map}).
         *
         * @param retries at least 0; default 0
         * @return this builder
         */
        public Builder retriesOnWorkerLoss(int retries) {
            processOnlyOptionsSet.add("retriesOnWorkerLoss");
            this.retriesOnWorkerLoss = retries;
            return this;
        }

        /**
         * After a task (identified by its serialized bytes) has been running, alone, in this many
         * workers that died, it and every identical task submitted later fail at once with
         * {@link PoisonTaskException}, until 10 minutes after the last of those deaths. Deaths of
         * hybrid workers that ran several tasks blame none of them, and a task that once ran to its
         * end is cleared. A worker ended by SIGKILL, SIGTERM, SIGINT or SIGHUP (most likely from
         * outside: an operator, another program, the OOM killer) is blamed on its task only from
         * the second such death of the same task on, when both count. Process and hybrid modes only.
         *
         * @param workersKilled at least 1; default 3
         * @return this builder
         */
        public Builder poisonThreshold(int workersKilled) {
            processOnlyOptionsSet.add("poisonThreshold");
            this.poisonThreshold = workersKilled;
            return this;
        }

        /**
         * Whether workers' stdout and stderr are copied to this JVM's, each line prefixed with the
         * worker id. Default true. Process and hybrid modes only.
         *
         * @param forward false to keep worker output only for failure reports
         * @return this builder
         */
        public Builder forwardOutput(boolean forward) {
            processOnlyOptionsSet.add("forwardOutput");
            this.forwardOutput = forward;
            return this;
        }

        /**
         * Appends entries to the worker JVMs' class path, after the caller's own. Use it when task
         * classes come from a class loader of your own (as {@code tandem advise --classpath} does).
         * Process and hybrid modes only.
         *
         * @param entries jar files or directories
         * @return this builder
         */
        public Builder classPath(String... entries) {
            processOnlyOptionsSet.add("classPath");
            classPath.addAll(noNulls("classPath", entries));
            return this;
        }

        /**
         * Allows results and exceptions coming back from workers to contain these classes. By default
         * only the JDK's value types and collections, Tandem's own types and the packages of classes
         * this caller sent to workers pass the decoding filter, so that a compromised worker cannot
         * make the caller instantiate arbitrary classes. Process and hybrid modes only.
         *
         * @param patterns {@code com.acme.*} (a package), {@code com.acme.**} (with sub-packages) or
         *        a class name
         * @return this builder
         */
        public Builder allowClasses(String... patterns) {
            processOnlyOptionsSet.add("allowClasses");
            allowedClasses.addAll(noNulls("allowClasses", patterns));
            return this;
        }

        /**
         * Whether worker JVMs start from a JDK 25 ahead-of-time cache of their class path, kept in
         * {@code ~/.cache/tandem/aot/}. The first worker of the first pool for a class path trains
         * it and writes it when it exits cleanly, which adds a few seconds to that pool's
         * {@code close()}; later workers start faster. Only class paths made of jar files can be
         * cached. Default true. Process, hybrid and cluster modes; in {@code localCluster(n)} it
         * also covers the node JVMs' own cache ({@code node-*.aot}, about 40 MB, the two most
         * recently used kept), which the first node trains and writes as it exits: that pool's
         * {@code close()} waits for it, seconds, or up to a minute on a loaded machine.
         *
         * @param enabled false to start every worker without a cache
         * @return this builder
         */
        public Builder aotCache(boolean enabled) {
            processOnlyOptionsSet.add("aotCache");
            this.aotCache = enabled;
            return this;
        }

        /**
         * How tasks and results travel to and from worker JVMs. Default {@link Transport#SOCKET};
         * {@link Transport#SHARED_MEMORY} has far shorter round trips and moves more small messages
         * per second and large payloads far faster, for about 6 MiB more memory per worker (see
         * {@link Transport} and docs/performance.md). Process and hybrid modes only.
         *
         * @param transport the transport
         * @return this builder
         */
        public Builder transport(Transport transport) {
            processOnlyOptionsSet.add("transport");
            this.transport = Objects.requireNonNull(transport, "transport must not be null");
            return this;
        }

        /**
         * {@return the values of a list option, checked} A null array or element is refused with a
         * message naming the option, instead of a bare NullPointerException later.
         */
        private static List<String> noNulls(String option, String... values) {
            if (values == null) {
                throw new NullPointerException(option + " must not be null");
            }
            List<String> list = Arrays.asList(values);
            if (list.contains(null)) {
                throw new NullPointerException(option + " must not contain null, was " + list);
            }
            return list;
        }

        /**
         * Whether worker JVMs get this JVM's system properties, so that a task answers the same as
         * in a thread: every {@code -Dkey=value} given on this JVM's command line (with its value when
         * the pool starts), and the default time zone and locale, except what each JVM sets for
         * itself ({@code java.home}, {@code java.class.path}, {@code os.*}, {@code line.separator},
         * module settings...) and Tandem's own. Properties set only with {@code System.setProperty}
         * are not passed. {@link #jvmOptions(String...)} come later and win. Default true. Process and
         * hybrid modes only.
         *
         * @param inherit false to start workers with the JVM's defaults (they still write their
         *        output in this JVM's {@code stdout.encoding} and {@code stderr.encoding})
         * @return this builder
         */
        public Builder inheritSystemProperties(boolean inherit) {
            processOnlyOptionsSet.add("inheritSystemProperties");
            this.inheritSystemProperties = inherit;
            return this;
        }

        /**
         * The cluster's name, as its nodes were started with ({@code --cluster-name}). Default
         * {@code tandem}; a local cluster gets a random one. Cluster mode only.
         *
         * @param name the name
         * @return this builder
         */
        public Builder clusterName(String name) {
            clusterOnlyOptionsSet.add("clusterName");
            this.clusterName = Objects.requireNonNull(name, "clusterName(name): name is null");
            return this;
        }

        /**
         * The file of the cluster's shared secret, the same as the nodes' {@code --secret-file}: at
         * least 32 random bytes (e.g. the 64 hex digits of {@code openssl rand -hex 32}), readable only
         * by its owner. Every message between this caller and the nodes is authenticated with it
         * (HMAC-SHA256). Required unless every seed is a loopback address. Cluster mode only.
         *
         * @param file the secret's file
         * @return this builder
         */
        public Builder secretFile(Path file) {
            clusterOnlyOptionsSet.add("secretFile");
            this.secretFile = Objects.requireNonNull(file, "secretFile(file): file is null");
            return this;
        }

        /**
         * How this caller's tasks run on each node: in {@code processes} worker JVMs of
         * {@code threadsPerProcess} threads each. Default 1 x 1. Cluster mode only.
         *
         * @param processes worker JVMs per node, at least 1
         * @param threadsPerProcess tasks each runs at once, at least 1
         * @return this builder
         */
        public Builder perNode(int processes, int threadsPerProcess) {
            clusterOnlyOptionsSet.add("perNode");
            this.workers = processes;
            this.threadsPerWorker = threadsPerProcess;
            return this;
        }

        /**
         * How many nodes {@link #start()} waits for. Default: every node of a local cluster, 1 for a
         * remote one. Cluster mode only.
         *
         * @param nodes at least 1
         * @return this builder
         */
        public Builder minNodes(int nodes) {
            clusterOnlyOptionsSet.add("minNodes");
            this.minNodes = nodes;
            return this;
        }

        /**
         * How long a node may stay silent (frozen, unreachable) before its running tasks fail with
         * {@link NodeLostException} or are retried elsewhere. A killed node is seen at once (its
         * connection closes). Default 10 s. Cluster mode only.
         *
         * @param timeout between 1 s and 1 h
         * @return this builder
         */
        public Builder nodeFailureTimeout(Duration timeout) {
            clusterOnlyOptionsSet.add("nodeFailureTimeout");
            this.nodeFailureTimeout = Objects.requireNonNull(timeout, "nodeFailureTimeout(timeout): timeout is null");
            return this;
        }

        /**
         * Checks the arguments of {@link #cluster} and {@link #localCluster} as given, naming the call: a
         * {@code localCluster(0)} was told "Tandem.cluster(seeds...) needs at least one seed", and a null
         * seed was a bare {@code NullPointerException}.
         */
        private void checkClusterCall() {
            if (local) {
                if (localNodes < 1 || localNodes > ClusterOptions.MAX_LOCAL_NODES) {
                    throw new IllegalArgumentException("Tandem.localCluster(" + localNodes + "): a local cluster has 1"
                            + " to " + ClusterOptions.MAX_LOCAL_NODES + " nodes; give n between 1 and "
                            + ClusterOptions.MAX_LOCAL_NODES);
                }
                return;
            }
            String example = "such as Tandem.cluster(\"10.0.0.5:5701\")";
            if (seeds == null) {
                throw new IllegalArgumentException(
                        "Tandem.cluster(seeds...) was given a null array; give the host:port of one or more nodes, "
                                + example);
            }
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException(
                        "Tandem.cluster() was given no seed; give the host:port of one or more nodes, " + example);
            }
            for (int i = 0; i < seeds.size(); i++) {
                if (seeds.get(i) == null) {
                    throw new IllegalArgumentException("Tandem.cluster(seeds...): seed " + (i + 1) + " of "
                            + seeds.size() + " is null; give the host:port of a node, " + example);
                }
            }
        }

        /**
         * {@return the validated options}
         *
         * @throws IllegalArgumentException naming the bad value and how to fix it
         */
        public PoolOptions options() {
            if (!mode.isolated() && !processOnlyOptionsSet.isEmpty()) {
                throw new IllegalArgumentException(processOnlyOptionsSet
                        + " apply only to process, hybrid and cluster pools, not to " + mode
                        + "; use Tandem.processes(n) or Tandem.hybrid(p, t), or remove them");
            }
            if (mode != Mode.CLUSTER && !clusterOnlyOptionsSet.isEmpty()) {
                throw new IllegalArgumentException(clusterOnlyOptionsSet + " apply only to cluster pools, not to "
                        + mode + "; use Tandem.cluster(seeds...) or Tandem.localCluster(n), or remove them");
            }
            if (mode == Mode.CLUSTER) {
                checkClusterCall();
            }
            ClusterOptions cluster = mode != Mode.CLUSTER
                    ? null
                    : new ClusterOptions(seeds, localNodes, clusterName, secretFile, minNodes, nodeFailureTimeout);
            return new PoolOptions(
                    mode,
                    workers,
                    threadsPerWorker,
                    taskTimeout,
                    jvmOptions,
                    maxTasksPerWorker,
                    initializer,
                    workerStartTimeout,
                    maxRestarts,
                    restartWindow,
                    restartBackoff,
                    maxRestartBackoff,
                    retriesOnWorkerLoss,
                    poisonThreshold,
                    forwardOutput,
                    classPath,
                    allowedClasses,
                    aotCache,
                    transport,
                    inheritSystemProperties,
                    cluster);
        }

        /**
         * Validates the options and starts the pool. Process and hybrid pools return once every
         * worker JVM has completed its handshake; cluster pools once {@code minNodes} nodes are
         * connected, checked and running this caller's workers.
         *
         * @return the running pool
         * @throws IllegalArgumentException if an option is invalid
         * @throws WorkerStartException if a worker JVM cannot start, or (cluster mode) no node could
         *         be reached in time, a node refused the secret, or runs another Tandem build
         * @throws IllegalStateException in cluster mode, if the {@code tandem-cluster} artifact is not
         *         on the class path
         */
        public TaskPool start() {
            PoolOptions options = options();
            return switch (mode) {
                case THREADS, VIRTUAL_THREADS -> new ThreadTaskPool(options);
                case PROCESSES, HYBRID -> processes(options);
                case CLUSTER -> ClusterCaller.start(options);
            };
        }

        /** A pool of local worker JVMs: the conductor with a {@link WorkerLauncher} as its starter. */
        private static TaskPool processes(PoolOptions options) {
            ReplyDecoder d = ReplyDecoder.of(options, BulkLane.of(WorkerLauncher.jvmOptions(options)));
            byte[] initializer = TaskEncoder.initializer(options.initializer());
            WorkerStarter launcher = new WorkerLauncher(options, initializer, d);
            return ProcessTaskPool.start(options, d, launcher, options.workers(), null, WorkerLease.none());
        }
    }
}
