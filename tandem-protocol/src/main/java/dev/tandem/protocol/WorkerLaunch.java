package dev.tandem.protocol;

/**
 * How a caller starts a worker JVM: the main class and the system properties that tell the worker
 * where to connect. The control channel is a Unix domain socket, never the worker's stdout, so what
 * user code prints cannot corrupt the protocol.
 */
public final class WorkerLaunch {
    /** The worker JVM's main class. */
    public static final String MAIN_CLASS = "dev.tandem.worker.WorkerMain";
    /** System property: path of the caller's Unix domain socket. */
    public static final String SOCKET_PROPERTY = "tandem.socket";
    /** System property: the worker id the caller assigned, echoed in the worker's thread names. */
    public static final String WORKER_ID_PROPERTY = "tandem.worker.id";
    /**
     * Length of the one-time token the caller writes to the worker's stdin (then closes it), which
     * the worker sends back in HELLO, so that no other process can pose as it. Never on the command
     * line, which every user can read.
     */
    public static final int TOKEN_CHARS = 32;
    /**
     * System property: the smallest primitive array or buffer, in bytes, that travels through shared
     * memory beside a frame rather than inside it ({@link BulkWriter}); 0 turns that off. The caller
     * passes its own value to its workers.
     */
    public static final String BULK_THRESHOLD_PROPERTY = "tandem.bulkThreshold";
    /**
     * System property: {@code true} when the caller started the worker with
     * {@code -XX:AOTCacheOutput}, so that it writes an AOT cache as it exits and its planned exit
     * gets {@link #TRAINING_EXIT_GRACE_MILLIS}. A property, not a question to the JVM: asking the JVM
     * (its diagnostic MXBean) loads the management classes, 140–240 ms on a loaded machine, at
     * every exit.
     */
    public static final String WRITES_AOT_CACHE_PROPERTY = "tandem.worker.writesAotCache";
    /** The largest frame either side accepts: 1 GiB. */
    public static final int MAX_FRAME_BYTES = 1 << 30;
    /**
     * The grace of a planned exit, in milliseconds: after {@code EXIT} a worker runs its shutdown
     * hooks through {@link System#exit}; if they have not ended the JVM within this grace, its
     * watchdog halts it. The caller kills the worker's process tree if it still lives a little
     * later (see the caller's {@code WorkerProcess}).
     */
    public static final long EXIT_GRACE_MILLIS = 5_000;
    /**
     * The grace of a planned exit of a worker that writes an AOT cache as it exits
     * ({@code -XX:AOTCacheOutput}), in milliseconds: the JDK assembles the cache in the exiting JVM,
     * which takes seconds (more on a busy machine), so the watchdog waits this long instead; the
     * caller kills such a worker 2 s after it. Halting the worker any sooner lost the cache and
     * printed that its shutdown hooks had not ended.
     */
    public static final long TRAINING_EXIT_GRACE_MILLIS = 28_000;

    private WorkerLaunch() {}
}
