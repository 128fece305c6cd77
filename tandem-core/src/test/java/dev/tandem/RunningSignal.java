package dev.tandem;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A latch that works across processes: the test opens a loopback server socket, a task connects to
 * it when it starts running, and {@link #awaitRunning} returns then. Only 127.0.0.1 is used.
 */
final class RunningSignal implements AutoCloseable {
    private final ServerSocket server;

    RunningSignal() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** {@return the handle a task uses to signal} */
    Signal signal() {
        return new Signal(server.getLocalPort());
    }

    /** Waits until a task has signalled; fails after {@code seconds}. */
    void awaitRunning(int seconds) throws IOException {
        server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(seconds));
        try (Socket s = server.accept()) {
            s.getInputStream().read();
        }
    }

    /**
     * Waits until a task has signalled with {@link Signal#runningThenHold()}; the task then waits
     * until the returned gate is closed. Fails after {@code seconds}.
     */
    Socket awaitRunningAndHold(int seconds) throws IOException {
        server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(seconds));
        Socket s = server.accept();
        s.getInputStream().read();
        return s;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /**
     * The workload of a task that must be stopped from outside (cancel, timeout, kill): it blocks
     * until interrupted, for at most a minute.
     *
     * @throws InterruptedException when the task is interrupted
     */
    static void blockUntilStopped() throws InterruptedException {
        new CountDownLatch(1).await(60, TimeUnit.SECONDS);
    }

    /** The task's side: serializable, so a process-mode task can carry it. */
    record Signal(int port) implements Serializable {
        /** Signals, then waits (at most a minute) until the test closes the gate it got. */
        void runningThenHold() {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(60_000);
                s.getOutputStream().write(1);
                s.getInputStream().read();
            } catch (IOException e) {
                throw new IllegalStateException("cannot signal the test", e);
            }
        }

        void running() {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(1);
            } catch (IOException e) {
                throw new IllegalStateException("cannot signal the test", e);
            }
        }
    }
}
