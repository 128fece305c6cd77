package dev.tandem.benchmarks.ipc;

import dev.tandem.ipc.SegmentHandle;
import dev.tandem.ipc.SharedByteArray;
import dev.tandem.ipc.SharedChannel;
import dev.tandem.ipc.SharedQueue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other process of the IPC benchmarks: started by them with the benchmark JVM's class path,
 * it echoes or drains messages over a {@link SharedQueue}, a {@link SharedChannel}, a Unix-domain
 * socket or its stdin/stdout pipe, or receives large buffers. Not a benchmark itself.
 */
public final class IpcPeer {
    private IpcPeer() {}

    /**
     * Runs one role until its peer says stop (an empty queue message, EOF) or dies.
     *
     * @param args the role and its arguments
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "queue-echo" -> queueEcho(decode(args[1]), decode(args[2]));
            case "queue-drain" -> queueDrain(decode(args[1]));
            case "channel-echo" -> channelEcho(decode(args[1]));
            case "channel-drain" -> channelDrain(decode(args[1]));
            case "socket-echo" -> socketEcho(Path.of(args[1]));
            case "socket-drain" -> socketDrain(Path.of(args[1]));
            case "pipe-echo" -> pipeEcho();
            case "large" -> large(Path.of(args[1]));
            case "raw" -> RawSocketPeer.serve(Path.of(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ------------------------------------------------------------------ roles

    static void queueEcho(SegmentHandle pingHandle, SegmentHandle pongHandle) throws Exception {
        try (SharedQueue ping = SharedQueue.attach(pingHandle);
                SharedQueue pong = SharedQueue.attach(pongHandle)) {
            while (true) {
                byte[] message = ping.take(Duration.ofSeconds(1));
                if (message == null) {
                    if (parentGone()) {
                        return;
                    }
                    continue;
                }
                if (message.length == 0) {
                    return;
                }
                pong.put(message, Duration.ofSeconds(10));
            }
        }
    }

    static void queueDrain(SegmentHandle handle) throws Exception {
        try (SharedQueue queue = SharedQueue.attach(handle)) {
            while (true) {
                byte[] message = queue.take(Duration.ofSeconds(1));
                if (message == null) {
                    if (parentGone()) {
                        return;
                    }
                } else if (message.length == 0) {
                    return;
                }
            }
        }
    }

    static void channelEcho(SegmentHandle handle) throws Exception {
        try (SharedChannel channel = SharedChannel.attach(handle)) {
            while (true) {
                byte[] frame = channel.receive(Duration.ofSeconds(10));
                if (frame != null) {
                    channel.send(frame, Duration.ofSeconds(10));
                }
            }
        } catch (EOFException e) {
            // the benchmark closed its end
        }
    }

    static void channelDrain(SegmentHandle handle) throws Exception {
        try (SharedChannel channel = SharedChannel.attach(handle)) {
            while (true) {
                channel.receive(Duration.ofSeconds(10));
            }
        } catch (EOFException e) {
            // the benchmark closed its end
        }
    }

    static void socketEcho(Path path) throws IOException {
        try (SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            FrameReader in = new FrameReader(Channels.newInputStream(socket));
            while (true) {
                byte[] frame = in.read();
                if (frame == null) {
                    return;
                }
                writeFrame(socket, frame);
            }
        }
    }

    static void socketDrain(Path path) throws IOException {
        try (SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            FrameReader in = new FrameReader(Channels.newInputStream(socket));
            while (in.read() != null) {
                // drain
            }
        }
    }

    static void pipeEcho() throws IOException {
        FrameReader in = new FrameReader(System.in);
        OutputStream out = System.out;
        while (true) {
            byte[] frame = in.read();
            if (frame == null) {
                return;
            }
            writeFrame(out, frame);
        }
    }

    /**
     * Large transfers. Commands on the socket: {@code 'A' handle} attach a shared array and touch
     * its first and last byte; {@code 'R' handle} attach and sum every long; {@code 'C' length} read
     * that many bytes from the socket; {@code 'S' length} read them and sum every long. Each answers
     * with an 8-byte result.
     */
    static void large(Path path) throws Exception {
        try (SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(socket));
            ByteBuffer buffer = null;
            while (true) {
                int command;
                try {
                    command = in.readByte();
                } catch (EOFException e) {
                    return;
                }
                long result;
                switch (command) {
                    case 'A', 'R' -> {
                        byte[] encoded = new byte[in.readInt()];
                        in.readFully(encoded);
                        try (SharedByteArray array = SharedByteArray.attach(decode(new String(encoded)))) {
                            result =
                                    command == 'A' ? array.get(0) + array.get(array.length() - 1) : sum(array.memory());
                        }
                    }
                    case 'C', 'S' -> {
                        int length = in.readInt();
                        if (buffer == null || buffer.capacity() < length) {
                            buffer = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
                        }
                        buffer.clear().limit(length);
                        while (buffer.hasRemaining()) {
                            if (socket.read(buffer) < 0) {
                                throw new EOFException();
                            }
                        }
                        buffer.flip();
                        result = command == 'C'
                                ? buffer.get(0) + buffer.get(length - 1)
                                : sum(MemorySegment.ofBuffer(buffer));
                    }
                    default -> throw new IllegalStateException("command " + command);
                }
                ByteBuffer answer = ByteBuffer.allocate(8).putLong(0, result);
                while (answer.hasRemaining()) {
                    socket.write(answer);
                }
            }
        }
    }

    /** Sums every long: the same loop for shared and copied data, so only the hand-off differs. */
    static long sum(MemorySegment memory) {
        long sum = 0;
        long end = memory.byteSize() & ~7L;
        for (long offset = 0; offset < end; offset += 8) {
            sum += memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
        return sum;
    }

    private static boolean parentGone() {
        return ProcessHandle.current().parent().map(p -> !p.isAlive()).orElse(true);
    }

    // ------------------------------------------------------------------ shared helpers

    /** A length-prefixed frame reader with its own buffer: usually one read(2) per small frame. */
    static final class FrameReader {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;

        FrameReader(InputStream in) {
            this.in = in;
        }

        /** {@return the next frame, or null at EOF} */
        byte[] read() throws IOException {
            if (!fill(4)) {
                return null;
            }
            int length = ((buffer[start] & 0xFF) << 24)
                    | ((buffer[start + 1] & 0xFF) << 16)
                    | ((buffer[start + 2] & 0xFF) << 8)
                    | (buffer[start + 3] & 0xFF);
            start += 4;
            byte[] frame = new byte[length];
            int copied = Math.min(length, end - start);
            System.arraycopy(buffer, start, frame, 0, copied);
            start += copied;
            while (copied < length) {
                int n = in.read(frame, copied, length - copied);
                if (n < 0) {
                    throw new EOFException();
                }
                copied += n;
            }
            return frame;
        }

        private boolean fill(int needed) throws IOException {
            if (end - start >= needed) {
                return true;
            }
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            while (end < needed) {
                int n = in.read(buffer, end, buffer.length - end);
                if (n < 0) {
                    return false;
                }
                end += n;
            }
            return true;
        }
    }

    /** Writes a length-prefixed frame with one write call. */
    static void writeFrame(SocketChannel socket, byte[] frame) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4 + frame.length)
                .putInt(frame.length)
                .put(frame)
                .flip();
        while (out.hasRemaining()) {
            socket.write(out);
        }
    }

    static void writeFrame(OutputStream out, byte[] frame) throws IOException {
        byte[] bytes = ByteBuffer.allocate(4 + frame.length)
                .putInt(frame.length)
                .put(frame)
                .array();
        out.write(bytes);
        out.flush();
    }

    static String encode(SegmentHandle handle) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(handle);
            out.flush();
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SegmentHandle decode(String text) {
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return (SegmentHandle) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code IpcPeer role args...} in a new JVM with this JVM's class path. */
    static Process start(List<String> jvmOptions, String... roleAndArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IpcPeer.class.getName());
        command.addAll(List.of(roleAndArgs));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** Stops a peer: it should exit by itself after EOF or a stop message; killed after 5 s. */
    static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A listening Unix-domain socket in a fresh private temp directory. */
    static final class Listener implements AutoCloseable {
        final Path directory;
        final Path path;
        final ServerSocketChannel server;

        Listener() throws IOException {
            directory = Files.createTempDirectory("tandem-bench-");
            path = directory.resolve("s");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
            Files.deleteIfExists(directory);
        }
    }
}
