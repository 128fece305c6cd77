package dev.tandem.benchmarks.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The baseline of {@code core.PayloadBenchmark}: a second JVM that copies {@code size} bytes to or
 * from this one through a Unix-domain socket, between direct buffers, with nothing else on the path
 * (no framing, no serialization, no copies into the heap). Not thread-safe; one benchmark thread.
 *
 * <p>Commands on the socket: {@code 'C'} the peer reads {@code size} bytes and answers 8 bytes;
 * {@code 'G'} the peer writes {@code size} bytes.
 */
public final class RawSocketPeer implements AutoCloseable {
    private final int size;
    private final Process process;
    private final IpcPeer.Listener listener;
    private final SocketChannel socket;
    private final ByteBuffer buffer;
    private final ByteBuffer command = ByteBuffer.allocateDirect(1);
    private final ByteBuffer answer = ByteBuffer.allocateDirect(8);

    private RawSocketPeer(int size, Process process, IpcPeer.Listener listener, SocketChannel socket) {
        this.size = size;
        this.process = process;
        this.listener = listener;
        this.socket = socket;
        this.buffer = ByteBuffer.allocateDirect(size);
    }

    /**
     * Starts the peer JVM and connects to it.
     *
     * @param size the bytes each command copies
     * @return the connected peer
     * @throws IOException if it cannot start
     */
    public static RawSocketPeer start(int size) throws IOException {
        IpcPeer.Listener listener = new IpcPeer.Listener();
        Process p = IpcPeer.start(
                List.of("-XX:MaxDirectMemorySize=" + (2L * size + (64 << 20))),
                "raw",
                listener.path.toString(),
                Integer.toString(size));
        return new RawSocketPeer(size, p, listener, listener.server.accept());
    }

    /**
     * Copies {@code size} bytes to the peer, which answers once it has them all.
     *
     * @return the peer's answer
     * @throws IOException if the peer failed
     */
    public long send() throws IOException {
        write(command.clear().put((byte) 'C').flip());
        write(buffer.clear());
        answer.clear();
        read(answer);
        return answer.getLong(0);
    }

    /**
     * Asks the peer for {@code size} bytes and reads them all.
     *
     * @return the bytes read
     * @throws IOException if the peer failed
     */
    public long receive() throws IOException {
        write(command.clear().put((byte) 'G').flip());
        read(buffer.clear());
        return size;
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }

    private void read(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (socket.read(b) < 0) {
                throw new EOFException("the raw peer closed");
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            IpcPeer.stop(process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
    }

    /** The peer's side: serves commands until the socket closes. */
    static void serve(Path path, int size) throws IOException {
        try (SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(size);
            ByteBuffer command = ByteBuffer.allocateDirect(1);
            ByteBuffer answer = ByteBuffer.allocateDirect(8);
            while (true) {
                command.clear();
                if (socket.read(command) < 0) {
                    return;
                }
                buffer.clear();
                if (command.get(0) == 'C') {
                    while (buffer.hasRemaining()) {
                        if (socket.read(buffer) < 0) {
                            return;
                        }
                    }
                    answer.clear().putLong(0, buffer.get(0) + buffer.get(size - 1));
                    while (answer.hasRemaining()) {
                        socket.write(answer);
                    }
                } else {
                    while (buffer.hasRemaining()) {
                        socket.write(buffer);
                    }
                }
            }
        }
    }
}
