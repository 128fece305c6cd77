package dev.tandem.protocol;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs file operations of the shared-memory lane so that an interrupt cannot fail them. The lane
 * opens and maps files from whatever thread encodes or decodes: a user's thread in {@code submit}
 * or in {@code get()}, which may be interrupted at any time, and a {@link java.nio.channels.FileChannel}
 * used by an interrupted thread closes itself. So the interrupt status is put aside and the
 * operation run; if an interrupt closed its channel anyway, it runs again on a virtual thread of its
 * own, which nobody interrupts (retrying on the interrupted thread could fail again and again while
 * interrupts keep coming), and the status is restored afterwards, where the thread can act on it.
 * Stateless and thread-safe.
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
        boolean interrupted = Thread.interrupted();
        try {
            try {
                return io.run();
            } catch (ClosedByInterruptException e) {
                interrupted = true;
            }
            return onOwnThread(io);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code io} on a new virtual thread and waits for it, through interrupts: the wait lasts as
     * long as the file operation, which no interrupt can shorten.
     */
    private static <T> T onOwnThread(Io<T> io) throws IOException {
        FutureTask<T> task = new FutureTask<>(io::run);
        Thread.ofVirtual().name("tandem-lane-io").start(task);
        while (true) {
            try {
                return task.get();
            } catch (InterruptedException e) {
                // put aside: the caller restores it
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io2 -> throw io2;
                    case RuntimeException r -> throw r;
                    case Error err -> throw err;
                    default -> throw new IOException(e.getCause());
                }
            }
        }
    }
}
