package dev.tandem;

/**
 * How a process or hybrid pool talks to its worker JVMs. Either way, tasks and results are copied
 * and no heap is shared; the transport only changes how the frames travel. Large primitive arrays
 * and {@code ByteBuffer}s go through shared memory beside the frames with either transport (see
 * {@link TaskPool}). Figures are from this
 * project's 2-CPU machine (docs/performance.md).
 */
public enum Transport {
    /**
     * A private Unix domain socket per worker: the default. Needs nothing from the JVM and keeps
     * workers smallest (about 39 MiB resident when idle). A round trip wakes a sleeping thread on
     * each side, and the caller's reader thread hands each reply to the waiting thread: about
     * 14–20 µs, whether or not the two JVMs share a CPU.
     */
    SOCKET,
    /**
     * A shared-memory ring per direction ({@code dev.tandem.ipc.SharedChannel}) with futex
     * wake-ups, where the thread waiting for its worker's only task reads the reply itself. The
     * shortest round trips (about 2 µs when caller and worker each have a CPU, both briefly
     * spinning; about 7 µs on one shared CPU) and more tasks per second. It costs about 6 MiB more resident memory per worker (the JDK's foreign-function
     * machinery that the futex calls need) and 2 MiB of {@code /dev/shm} per worker, and the caller
     * should run with {@code --enable-native-access=ALL-UNNAMED} (as the {@code tandem} launcher
     * does), or the JDK warns once about a restricted method. The Unix socket stays open to detect
     * the caller's death.
     */
    SHARED_MEMORY
}
