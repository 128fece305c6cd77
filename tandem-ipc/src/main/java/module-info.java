/**
 * Inter-process primitives over shared memory: segments, zero-copy arrays, counters, a bounded
 * many-to-many queue, a semaphore and a lock that survive their holder's death, and a duplex
 * channel. Built on the FFM API; start JVMs that use it with
 * {@code --enable-native-access=dev.tandem.ipc} (or {@code ALL-UNNAMED} on the class path).
 *
 * <p>Only {@code dev.tandem.ipc} is exported; layouts ({@code *Descriptor}), the futex binding and
 * the liveness checks behind it are package-private. {@code dev.tandem.ipc.passing}, how a Tandem
 * pool passes shared arrays by reference, is exported only to the pool's codec.
 */
module dev.tandem.ipc {
    exports dev.tandem.ipc;
    exports dev.tandem.ipc.passing to
            dev.tandem.protocol;
}
