package dev.tandem.lab;

import dev.tandem.measure.Pace;
import dev.tandem.measure.ProcFs;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One-byte round trips between two sides, over one of three mechanisms. The <em>same code</em> runs
 * whether the echoing side is a thread of this JVM or another process, so the only difference left
 * between the two is the boundary itself: one address space or two.
 *
 * <ul>
 *   <li>{@link Mechanism#PIPE}: two named pipes (FIFOs), read and written with blocking
 *       {@code read(2)}/{@code write(2)}. Each side sleeps in the kernel until the byte arrives.</li>
 *   <li>{@link Mechanism#UNIX}: a Unix domain stream socket, blocking.</li>
 *   <li>{@link Mechanism#SHM}: two sequence numbers in a mapped {@code /dev/shm} file (see
 *       {@link SharedFile.Descriptor}); a side spins briefly, then yields the CPU, until the other's
 *       sequence moves. No system call is needed when both sides run at once on two CPUs.</li>
 * </ul>
 *
 * <p>Every wait is bounded: a side that hears nothing for {@link #SILENCE_NANOS} gives up with an
 * exception. A {@code PingPong} is used by one thread (the pinging side) and is not thread-safe.
 */
final class PingPong implements AutoCloseable {
    /** {@link Pace.Limit#SILENCE}, stretched by the pace of the JVM that loads this class. */
    static final long SILENCE_NANOS = Pace.measure().limit(Pace.Limit.SILENCE).toNanos();

    private static final long STOP = -1;

    enum Mechanism {
        PIPE,
        UNIX,
        SHM;

        String label() {
            return switch (this) {
                case PIPE -> "pipe";
                case UNIX -> "Unix socket";
                case SHM -> "shared memory";
            };
        }
    }

    private final Mechanism mechanism;
    private OutputStream pipeOut;
    private InputStream pipeIn;
    private ServerSocketChannel server;
    private SocketChannel socket;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private SharedFile shared;
    private long seq;

    private PingPong(Mechanism mechanism) {
        this.mechanism = mechanism;
    }

    /** Creates the channel's files in {@code dir} (FIFOs, a socket, or a shared file). */
    static PingPong prepare(Mechanism mechanism, Path dir) throws IOException, InterruptedException {
        PingPong p = new PingPong(mechanism);
        switch (mechanism) {
            case PIPE -> {
                Process mk = new ProcessBuilder(
                                "mkfifo",
                                dir.resolve("ping").toString(),
                                dir.resolve("pong").toString())
                        .redirectErrorStream(true)
                        .start();
                if (!Pace.await(Pace.Limit.COMMAND, ns -> mk.waitFor(ns, TimeUnit.NANOSECONDS))
                        || mk.exitValue() != 0) {
                    mk.destroyForcibly();
                    throw new IOException(
                            "mkfifo failed: " + new String(mk.getInputStream().readAllBytes()));
                }
            }
            case UNIX -> {
                p.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                p.server.bind(UnixDomainSocketAddress.of(dir.resolve("sock")));
            }
            case SHM -> {
                p.shared = SharedFile.map(shmFile(dir), SharedFile.Descriptor.LENGTH);
                SharedFile.Descriptor.setRelease(
                        p.shared.segment(), SharedFile.Descriptor.VERSION_OFFSET, SharedFile.Descriptor.VERSION);
            }
        }
        return p;
    }

    private static Path shmFile(Path dir) {
        // The directory's full path is unique to this run: two labs on one machine never share a file.
        String unique = Integer.toHexString(dir.toAbsolutePath().toString().hashCode());
        return SharedFile.sharedMemoryDir().resolve("tandem-lab-" + unique + "-" + dir.getFileName() + ".shm");
    }

    /** Opens the pinging side; returns once the echoing side is connected. */
    void connect(Path dir) throws IOException {
        switch (mechanism) {
            case PIPE -> {
                pipeOut = new FileOutputStream(dir.resolve("ping").toFile());
                pipeIn = new FileInputStream(dir.resolve("pong").toFile());
            }
            case UNIX -> socket = server.accept();
            case SHM -> {
                long deadline = System.nanoTime() + SILENCE_NANOS;
                while (SharedFile.Descriptor.getAcquire(shared.segment(), SharedFile.Descriptor.ARRIVALS_OFFSET) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the echoing side never mapped " + shared.path());
                    }
                    Thread.yield();
                }
            }
        }
    }

    /** One round trip: send a byte (or a sequence number) and wait for it to come back. */
    void roundTrip() throws IOException {
        switch (mechanism) {
            case PIPE -> {
                pipeOut.write(1);
                if (pipeIn.read() < 0) {
                    throw new IOException("the echoing side closed the pipe");
                }
            }
            case UNIX -> {
                one.clear().put((byte) 1).flip();
                socket.write(one);
                one.clear();
                while (one.position() == 0) {
                    if (socket.read(one) < 0) {
                        throw new IOException("the echoing side closed the socket");
                    }
                }
            }
            case SHM -> {
                MemorySegment s = shared.segment();
                seq++;
                SharedFile.Descriptor.setRelease(s, SharedFile.Descriptor.PING_OFFSET, seq);
                awaitChange(s, SharedFile.Descriptor.PONG_OFFSET, seq - 1);
            }
        }
    }

    /** Tells the echoing side to stop and closes this side. */
    @Override
    public void close() throws IOException {
        if (pipeOut != null) {
            pipeOut.close();
            pipeIn.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
        if (shared != null) {
            SharedFile.Descriptor.setRelease(shared.segment(), SharedFile.Descriptor.PING_OFFSET, STOP);
            shared.close();
            Files.deleteIfExists(shared.path());
        }
    }

    /**
     * The echoing side: returns each byte until the pinging side closes. Runs on the calling thread,
     * pinned to {@code cpu} unless it is negative.
     *
     * @return {@code [round trips served, voluntary switches, involuntary switches, cpu it ended on]}
     */
    static long[] echo(Mechanism mechanism, Path dir, int cpu) throws IOException {
        if (cpu >= 0) {
            Affinity.pin(cpu);
        }
        long served = 0;
        long[] before;
        switch (mechanism) {
            case PIPE -> {
                try (InputStream in = new FileInputStream(dir.resolve("ping").toFile());
                        OutputStream out =
                                new FileOutputStream(dir.resolve("pong").toFile())) {
                    before = ProcFs.threadSwitches();
                    int b;
                    while ((b = in.read()) >= 0) {
                        out.write(b);
                        served++;
                    }
                }
            }
            case UNIX -> {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("sock")))) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1);
                    before = ProcFs.threadSwitches();
                    while (true) {
                        buf.clear();
                        if (ch.read(buf) < 0) {
                            break;
                        }
                        buf.flip();
                        ch.write(buf);
                        served++;
                    }
                }
            }
            case SHM -> {
                try (SharedFile f = SharedFile.map(shmFile(dir), SharedFile.Descriptor.LENGTH)) {
                    MemorySegment s = f.segment();
                    if (SharedFile.Descriptor.getAcquire(s, SharedFile.Descriptor.VERSION_OFFSET)
                            != SharedFile.Descriptor.VERSION) {
                        throw new IOException("unknown layout version in " + f.path());
                    }
                    before = ProcFs.threadSwitches();
                    SharedFile.Descriptor.setRelease(s, SharedFile.Descriptor.ARRIVALS_OFFSET, 1);
                    long last = 0;
                    while (true) {
                        long v = awaitChange(s, SharedFile.Descriptor.PING_OFFSET, last);
                        if (v == STOP) {
                            break;
                        }
                        SharedFile.Descriptor.setRelease(s, SharedFile.Descriptor.PONG_OFFSET, v);
                        last = v;
                        served++;
                    }
                }
            }
            default -> throw new IllegalArgumentException(mechanism.toString());
        }
        long[] after = ProcFs.threadSwitches();
        return new long[] {served, after[0] - before[0], after[1] - before[1], Affinity.currentCpu()};
    }

    /** Spins, then yields, until the long at {@code offset} differs from {@code last}; bounded. */
    private static long awaitChange(MemorySegment s, long offset, long last) throws IOException {
        int spins = 0;
        long deadline = 0;
        while (true) {
            long v = SharedFile.Descriptor.getAcquire(s, offset);
            if (v != last) {
                return v;
            }
            if (++spins < 200) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                if ((spins & 0xFFF) == 0) {
                    long now = System.nanoTime();
                    if (deadline == 0) {
                        deadline = now + SILENCE_NANOS;
                    } else if (now > deadline) {
                        throw new IOException("the other side stopped answering through shared memory");
                    }
                }
            }
        }
    }
}
