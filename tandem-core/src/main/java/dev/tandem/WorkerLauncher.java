package dev.tandem;

import dev.tandem.ipc.SharedChannel;
import dev.tandem.ipc.SharedSegment;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.FrameWriter;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.WorkerLaunch;
import dev.tandem.spi.DurationWords;
import dev.tandem.spi.WorkerListener;
import dev.tandem.spi.WorkerStarter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Starts worker JVMs for one pool and completes their handshakes.
 *
 * <h2>Files and processes it owns</h2>
 * A private directory (mode 0700) under {@code java.io.tmpdir} holding the pool's Unix domain socket
 * {@code control.sock} and the system properties workers inherit ({@link InheritedProperties}); it
 * is deleted by {@link #close()}, at the caller's exit, or by a later pool's sweep
 * ({@link PoolFolder}). Worker JVMs connect to that socket and
 * present a one-time random token, so only the process this launcher started can become a given
 * worker. Crash logs go to {@code hs_err_pid<pid>.log} in a private folder of this user (see
 * {@link #crashLogFolder}) and are kept. The handshake's first step is the {@link ControlSocket}'s.
 *
 * <h2>AOT cache</h2>
 * When every class path entry is a jar, workers start from a JDK 25 ahead-of-time cache of this
 * class path (JEP 483, 514) kept in {@code ~/.cache/tandem/aot/}: the first worker of the first pool
 * trains it and writes it when it exits cleanly (after
 * {@link AotTraining#TASKS} tasks, when it is retired and replaced, or at
 * {@code close()}); later workers map it. See {@link AotCache}.
 *
 * <h2>Worker command</h2>
 * The caller's own {@code java} and class path, the caller's system properties (an argument file,
 * see {@link InheritedProperties}), Tandem's defaults (a maximum heap sized by {@link WorkerHeap}, a
 * small initial one and the serial GC, which returns memory to the OS; exit on
 * {@link OutOfMemoryError}; no perf-data file; native access, with which the worker makes itself
 * the leader of a process group, see {@link ProcessTree}), then the user's {@code jvmOptions}, which
 * win because they come later, then the shared-memory lane's threshold and directory. stdin is a pipe that carries the one-time token and then
 * ends; stdout and stderr are pipes pumped by {@link OutputPump}.
 *
 * <p>Thread-safe: {@link #start} may run on several threads at once.
 */
final class WorkerLauncher implements WorkerStarter {
    static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Xms8m",
            "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10",
            // The heap never shrinks while tasks come: an idle worker trims it (HeapTrim).
            "-XX:MaxHeapFreeRatio=100",
            "-XX:-ShrinkHeapInSteps",
            "-XX:-UsePerfData",
            "-XX:+ExitOnOutOfMemoryError",
            // the worker's ProcessGroup (setpgid), and the user's own native calls, without a warning
            "--enable-native-access=ALL-UNNAMED");

    /**
     * A smaller idle worker (about 2 MiB of RSS less, see docs/performance.md), on the JDK these
     * options were measured on; another JDK may have renamed them, and would refuse to start.
     * <ul>
     * <li>Small initial interned-string and symbol tables: they start at 64 Ki and 32 Ki buckets, all
     * touched at start-up, though with the AOT cache nearly every string and symbol lives in the
     * cache's own tables. Both grow on demand.
     * <li>No replay of the AOT cache's training profiles: on JDK 25 that eagerly recompiles at start
     * what was hot while the cache was trained, with its own thread and compiler memory. The worker
     * starts faster without it; code that was hot in training warms up as without a cache.
     * <li>No JIT compilation of {@code StackMapGenerator::processBlock}: generating classes at run
     * time (the foreign-function stubs of the shared-memory transport, lambdas) makes it hot, and
     * C1's compile of that one method takes 7 MB of compiler memory that glibc then keeps: a
     * shared-memory worker was 52 MiB idle with it, 45 without. Class generation is no slower.
     * </ul>
     * A user's {@code jvmOptions} come later and win, e.g. {@code -XX:+AOTReplayTraining}.
     */
    static final List<String> FOOTPRINT_JVM_OPTIONS = Runtime.version().feature() == 25
            ? List.of(
                    "-XX:StringTableSize=4096",
                    "-XX:+UnlockExperimentalVMOptions",
                    "-XX:SymbolTableSize=4096",
                    "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:-AOTReplayTraining",
                    "-XX:CompileCommand=quiet",
                    "-XX:CompileCommand=exclude,jdk.internal.classfile.impl.StackMapGenerator::processBlock")
            : List.of();

    /** The system property of tandem-ipc that moves the segment directory. */
    static final String SEGMENT_DIRECTORY_PROPERTY = "dev.tandem.ipc.dir";

    /** Each direction's ring of a shared-memory channel: 1 MiB; larger frames travel in pieces. */
    static final int SHARED_RING_BYTES = 1 << 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PoolOptions options;
    /** The serialized initializer (a Callable), or an empty array. */
    private final byte[] initializer;

    private final ReplyDecoder decoder;
    private final ControlSocket control;
    /** Where worker JVMs write crash logs: a private folder (see {@link #crashLogFolder}). */
    private final Path errorFileDir;
    /** The pool's private folder: the socket and the argument file (see {@link PoolFolder}). */
    private final PoolFolder folder;
    /** The system properties workers inherit, as a launcher argument file; null when they do not. */
    private final Path inheritedProperties;
    /** The worker class path, worked out from what this JVM loaded, then the user's extra entries. */
    private final WorkerClassPath classPath;
    /** This class path's AOT cache file, or null when AOT caching is off or unsupported. */
    private final Path aotCache;
    /** Set once by {@link #abandonStarts()}, from the conductor; read by the threads that start workers. */
    private volatile boolean abandoned;

    WorkerLauncher(PoolOptions options, byte[] initializer, ReplyDecoder decoder) {
        this(options, initializer, decoder, WorkerClassPath.of(options), null);
    }

    /**
     * A launcher whose workers get {@code classPath} as their class path (it closes it) and
     * {@code properties} (null: this JVM's, see {@link InheritedProperties}) as their inherited
     * system properties: on a cluster node, the caller's shipped class path and properties.
     */
    WorkerLauncher(
            PoolOptions options,
            byte[] initializer,
            ReplyDecoder decoder,
            WorkerClassPath classPath,
            List<String> properties) {
        this.options = options;
        this.initializer = initializer;
        this.decoder = decoder;
        this.classPath = classPath;
        PoolFolder created = null;
        try {
            created = PoolFolder.create(Path.of(System.getProperty("java.io.tmpdir")));
            if (options.inheritSystemProperties()) {
                this.inheritedProperties = created.path().resolve("worker.args");
                InheritedProperties.writeArgumentFile(
                        inheritedProperties, properties != null ? properties : InheritedProperties.arguments());
            } else {
                this.inheritedProperties = null;
            }
            this.control = new ControlSocket(created.path());
            this.errorFileDir = crashLogFolder(control.owner());
        } catch (IOException e) {
            classPath.close();
            if (created != null) {
                created.delete();
            }
            throw new WorkerStartException(
                    "cannot create the pool's control socket in " + System.getProperty("java.io.tmpdir") + ": " + e, e);
        }
        this.folder = created;
        // The transport is part of the key: a worker loads every class of its cache at start, so a
        // cache trained over the other transport makes it bigger (2.4 MiB for a socket worker).
        List<String> cacheKey = new ArrayList<>(jvmOptions(options));
        cacheKey.add("transport=" + options.transport());
        this.aotCache = options.aotCache() ? AotCache.location(classPath.entries(), cacheKey) : null;
        if (aotCache != null) {
            AotCache.markUsedAndPrune(aotCache);
        } else if (options.aotCache()) {
            AotCache.pruneLeftovers(AotCache.folder()); // what other class paths' callers left when killed
        }
    }

    /**
     * {@return a folder for crash logs that only this user can read: {@code crash} beside the AOT
     * caches ({@code $XDG_CACHE_HOME/tandem/crash} or {@code ~/.cache/tandem/crash}), 0700} A crash
     * log holds the worker's environment and memory; a predictable path in a shared folder such as
     * {@code /tmp} could be read by others, or planted as a symlink. The folder is used only if it is
     * a real folder of this user with mode 0700; else, or on a file system without POSIX
     * permissions, the JVM's own default place (its working folder) is.
     */
    static Path crashLogFolder(UserPrincipal me) {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        Path p = AotCache.folder().resolveSibling("crash");
        try {
            Files.createDirectories(p.getParent(), PosixFilePermissions.asFileAttribute(owner));
            try {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(owner));
            } catch (FileAlreadyExistsException e) {
                // checked below
            }
            if (!Files.isSymbolicLink(p)
                    && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    && Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).equals(me)
                    && Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)
                            .equals(owner)) {
                return p;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // below
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * Tandem's defaults, then the user's options, which win by coming later. The default maximum
     * heap is sized from the machine's memory and the number of workers ({@link WorkerHeap}).
     */
    static List<String> jvmOptions(PoolOptions options) {
        List<String> out = new ArrayList<>();
        out.add(WorkerHeap.defaultOption(options.workers()));
        boolean userGc = options.jvmOptions().stream().anyMatch(o -> o.matches("-XX:\\+Use\\w+GC"));
        for (String o : DEFAULT_JVM_OPTIONS) {
            if (!(userGc && o.equals("-XX:+UseSerialGC"))) {
                out.add(o);
            }
        }
        out.addAll(FOOTPRINT_JVM_OPTIONS);
        out.addAll(options.jvmOptions());
        return out;
    }

    WorkerClassPath classPath() {
        return classPath;
    }

    /**
     * {@return what checks that a starter's workers can load a class a task carries: this
     * launcher's class path, or no check for another kind of starter}
     */
    static Consumer<Class<?>> loadableCheck(WorkerStarter starter) {
        if (starter instanceof WorkerLauncher launcher) {
            WorkerClassPath path = launcher.classPath;
            return path::makeVisible;
        }
        return c -> {};
    }

    /**
     * The command of one worker JVM.
     *
     * @param aotOutput where this worker should write an AOT cache when it exits, or null
     */
    List<String> command(int workerId, Path aotOutput) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (inheritedProperties != null) {
            cmd.add("@" + inheritedProperties); // first, so that jvmOptions win
        }
        cmd.addAll(jvmOptions(options));
        cmd.add("-XX:ErrorFile=" + errorFileDir.resolve("hs_err_pid%p.log"));
        if (aotOutput != null) {
            cmd.add("-XX:AOTCacheOutput=" + aotOutput);
            cmd.add("-D" + WorkerLaunch.WRITES_AOT_CACHE_PROPERTY + "=true");
            cmd.add("-Xlog:aot=off");
            cmd.add("-Xlog:cds=off");
        } else if (aotCache != null && Files.isRegularFile(aotCache)) {
            cmd.add("-XX:AOTCache=" + aotCache);
            cmd.add("-Xlog:aot=off"); // a stale cache is ignored quietly: the worker starts without it
            cmd.add("-Xlog:cds=off");
        }
        cmd.addAll(classPath.arguments());
        cmd.addAll(InheritedProperties.outputEncodings());
        BulkLane lane = decoder.lane();
        cmd.add("-D" + WorkerLaunch.BULK_THRESHOLD_PROPERTY + "=" + lane.threshold());
        if (lane.on()) {
            try {
                // Both ends must agree on where segments live: the caller may have moved it.
                cmd.add("-D" + SEGMENT_DIRECTORY_PROPERTY + "=" + SharedSegment.directory());
            } catch (IOException e) {
                // no usable directory: the lane fails at its first large value, and says why
            }
        }
        cmd.add("-D" + WorkerLaunch.SOCKET_PROPERTY + "=" + control.path());
        cmd.add("-D" + WorkerLaunch.WORKER_ID_PROPERTY + "=" + workerId);
        cmd.add(WorkerLaunch.MAIN_CLASS);
        return cmd;
    }

    /**
     * The pool needs no more workers (it failed, or stopped, or shut down with nothing queued): a
     * replacement still waiting out its backoff is not launched when its time comes.
     */
    @Override
    public void abandonStarts() {
        abandoned = true;
    }

    /**
     * Starts a worker JVM and completes its handshake: HELLO, INIT, READY.
     *
     * @param workerId the id to give it
     * @param listener where the worker reports once it is ready
     * @return the ready worker
     * @throws WorkerStartException with the command, the JVM's own output and exit code; or at once, launching
     *     nothing, once the pool {@linkplain #abandonStarts() needs no more workers}
     */
    @Override
    public WorkerProcess start(int workerId, WorkerListener listener) {
        if (abandoned) {
            throw new WorkerStartException(
                    "worker " + workerId + " was not started: the pool needs no more workers", null);
        }
        byte[] tokenBytes = new byte[16];
        RANDOM.nextBytes(tokenBytes);
        String token = HexFormat.of().formatHex(tokenBytes);
        CompletableFuture<ControlSocket.Connection> connected = control.expect(token);
        SharedChannel shm = null;
        if (options.transport() == Transport.SHARED_MEMORY) {
            try {
                shm = SharedChannel.create(SHARED_RING_BYTES);
            } catch (IOException e) {
                control.forget(token);
                throw new WorkerStartException(
                        "cannot create the shared-memory channel of worker " + workerId + ": " + e.getMessage()
                                + "; or use transport(Transport.SOCKET), which needs no shared memory",
                        e);
            }
        }
        Optional<AotTraining> training = AotTraining.claim(aotCache);
        List<String> cmd = command(workerId, training.map(AotTraining::output).orElse(null));
        long deadline = System.nanoTime() + options.workerStartTimeout().toNanos();
        Process process;
        try {
            process = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            control.forget(token);
            training.ifPresent(t -> t.finish(null));
            if (shm != null) {
                shm.close();
            }
            throw new WorkerStartException(
                    "cannot start worker " + workerId + ": " + e.getMessage() + "\ncommand: " + String.join(" ", cmd),
                    e);
        }
        WorkerProcess w = new WorkerProcess(
                workerId,
                process,
                options.threadsPerWorker(),
                options.forwardOutput(),
                training,
                listener,
                decoder,
                errorFileDir);
        // A trainer left alone when this JVM exits would write ~12 MB as it halts: the exit kills it.
        training.ifPresent(t -> CallerShutdown.killAtExit(t.output(), process));
        // Before the handshake, an exit fails the wait; after it, the reader thread sees the end of
        // the stream (after any INIT_FAILED sent before it) and fails `ready`.
        process.onExit().thenRun(() -> connected.completeExceptionally(new IOException("exited")));
        try {
            // The token travels through the worker's stdin, a pipe only it reads, never its command
            // line; stdin then ends, as /dev/null would.
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(token.getBytes(StandardCharsets.US_ASCII));
            }
            ControlSocket.Connection c = connected.get(remaining(deadline), TimeUnit.NANOSECONDS);
            if (c.pid() != process.pid()) {
                SocketLink.closeQuietly(c.tasks());
                SocketLink.closeQuietly(c.replies());
                throw new IOException("the process that presented the worker's token claims pid " + c.pid()
                        + ", not the worker's; is another process of this user reading workers' stdin?");
            }
            // HELLO came through the handshake readers, which buffered nothing past it: the worker
            // sends nothing more until it gets INIT, on the connection for the caller's frames.
            byte[] handle = shm == null ? null : ObjectCodec.encode(shm.handle(), null);
            new FrameWriter(c.tasks())
                    .writeAndFlush(
                            FrameType.INIT,
                            0,
                            new MessageCodec.Init(options.threadsPerWorker(), handle, initializer).encode());
            if (shm == null) {
                w.connect(new SocketLink(c.tasks(), c.replies()));
            } else {
                // From READY on, every frame travels through shared memory. A worker that dies after
                // attaching is seen by the channel (after its last frame); one that dies before
                // cannot be, so its exit closes the channel.
                SharedMemoryLink link = new SharedMemoryLink(shm, c.tasks(), c.replies(), w::outstanding);
                w.connect(link);
                process.onExit().thenRun(() -> {
                    if (!link.peerAttached()) {
                        link.close();
                    }
                });
            }
            w.startReading();
            w.handshake().get(remaining(deadline), TimeUnit.NANOSECONDS);
            return w;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InitializerFailure f) {
                w.abandon();
                throw new WorkerStartException(
                        "worker " + workerId + " (pid " + w.pid() + "): its initializer failed: " + f.getCause(),
                        f.getCause());
            }
            throw startFailure(w, cmd, "exited before its handshake", cause);
        } catch (TimeoutException e) {
            throw startFailure(
                    w,
                    cmd,
                    "did not complete its handshake within " + DurationWords.of(options.workerStartTimeout())
                            + " (raise workerStartTimeout on a slow machine)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw startFailure(w, cmd, "start interrupted", e);
        } catch (IOException e) {
            throw startFailure(w, cmd, "control channel failed: " + e, e);
        } finally {
            control.forget(token);
            if (w.link() == null && shm != null) {
                shm.close();
            }
        }
    }

    /** The worker's initializer threw; the cause is its exception. */
    static final class InitializerFailure extends Exception {
        private static final long serialVersionUID = 1L;

        InitializerFailure(Throwable cause) {
            super(cause);
        }
    }

    private WorkerStartException startFailure(WorkerProcess w, List<String> cmd, String what, Throwable cause) {
        Integer exit = w.abandon();
        String output = w.outputTail();
        return new WorkerStartException(
                "worker " + w.id() + " (pid " + w.pid() + ") " + what
                        + (exit == null ? "" : "; exit code " + exit)
                        + "\ncommand: " + String.join(" ", cmd)
                        + (output.isEmpty() ? "" : "\nits output:\n" + output)
                        + classPath.diagnose(output),
                cause);
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    @Override
    public void close() {
        decoder.lane().close();
        control.close();
        classPath.close();
        folder.delete();
    }
}
