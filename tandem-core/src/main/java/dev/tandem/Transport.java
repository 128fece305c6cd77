package dev.tandem;

/**
 * How a process or hybrid pool talks to its worker JVMs. Either way, tasks and results are copied
 * and no heap is shared; the transport only changes how the copies travel.
 */
public enum Transport {
    /**
     * A private Unix domain socket per worker (the default): the kernel wakes the reader on the
     * writer's CPU, which keeps round trips short when caller and worker run on different CPUs.
     */
    SOCKET,
    /**
     * A shared-memory ring per direction ({@code dev.tandem.ipc.SharedChannel}) with futex wake-ups:
     * more messages per second and far cheaper large payloads, but a longer round trip when a
     * sleeping peer must be woken on another CPU. The Unix socket stays open to detect the
     * caller's death.
     */
    SHARED_MEMORY
}
