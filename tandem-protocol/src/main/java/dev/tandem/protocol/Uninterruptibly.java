package dev.tandem.protocol;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Runs file operations of the shared-memory lane so that an interrupt cannot fail them. The lane
 * opens and maps files from whatever thread encodes or decodes: a user's thread in {@code submit}
 * or in {@code get()}, which may be interrupted at any time, and a {@link java.nio.channels.FileChannel}
 * used by an interrupted thread closes itself. So the interrupt status is put aside, the operation
 * retried if an interrupt closed its channel anyway, and the status restored afterwards, where the
 * thread can act on it. Stateless and thread-safe.
 */
final class Uninterruptibly {
    private Uninterruptibly() {}

    /** A file operation. */
    @FunctionalInterface
    interface Io<T> {
        T run() throws IOException;
    }

    /**
     * {@return what {@code io} returns, run with the interrupt status put aside}
     *
     * @throws IOException what {@code io} throws, other than an interrupt's
     */
    static <T> T run(Io<T> io) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                interrupted |= Thread.interrupted();
                try {
                    return io.run();
                } catch (ClosedByInterruptException e) {
                    interrupted = true; // an interrupt came during the operation: do it again
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
