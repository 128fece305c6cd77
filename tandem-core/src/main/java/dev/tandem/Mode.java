package dev.tandem;

/** The five execution models of a {@link TaskPool}. */
public enum Mode {
    /** A fixed pool of platform threads in this JVM: cheapest hand-off, shared heap, no isolation. */
    THREADS,
    /** One virtual thread per task in this JVM: for many tasks that block on IO. */
    VIRTUAL_THREADS,
    /** A pool of worker JVMs, each running one task at a time: isolation, hard timeouts, heap caps. */
    PROCESSES,
    /** P worker JVMs, each running T tasks at once on its own threads. */
    HYBRID,
    /**
     * Nodes on other machines (or on this one), each running this caller's tasks in P worker JVMs
     * of T threads: the process mode's isolation on every node. Needs the {@code tandem-cluster}
     * artifact.
     */
    CLUSTER;

    /** {@return true if tasks run in worker JVMs, so tasks, inputs and results are copied} */
    public boolean isolated() {
        return this == PROCESSES || this == HYBRID || this == CLUSTER;
    }
}
