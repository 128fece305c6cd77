package dev.tandem;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.MessageCodec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A pool's control socket: the Unix domain socket its workers connect to, in a private folder, and
 * the first step of every handshake, HELLO.
 *
 * <h2>Who may become a worker</h2>
 * A launch {@linkplain #expect expects} two connections (one per direction, see
 * {@link FrameType#ROLE_TASKS}), identified by a one-time random token that
 * only the launched process has: the caller writes it to the worker's stdin, a pipe of its own (never
 * its command line, which every user can read with {@code ps}). A connection is dropped unless:
 * <ul>
 * <li>its peer runs as the same user as this JVM ({@code SO_PEERCRED}; the folder is 0700 as well);
 * <li>a launch is pending, and fewer connections than twice the pending launches are being greeted: an
 * unexpected connection costs nothing, and a flood of them holds at most that many threads;
 * <li>it sends HELLO within {@link #HELLO_MILLIS}, with this protocol version and a pending token.
 * </ul>
 * The launch then checks that the pid HELLO claims is the pid of the process it started. A process
 * of the same user that reads the worker's stdin pipe before the worker does could still pose as it
 * (it can as well attach a debugger to the worker): same-user isolation is the operating system's.
 *
 * <p><b>Without the module {@code jdk.net}</b> ({@code java --limit-modules java.se,...}, jshell's
 * {@code --execution local}, a jlinked image without it), {@code SO_PEERCRED} cannot be read. The
 * socket then works without the peer-credential check, and logs once that it does: another user
 * still cannot reach the socket, because its folder is owner-only (connecting needs search
 * permission on it), and a connection still needs a pending token and the launched pid. What is
 * lost is the second lock on the same door: on a file system that ignores the folder's mode,
 * another user could connect, though not without the token. Add {@code --add-modules jdk.net} to
 * keep both checks.
 *
 * <h2>Failure</h2>
 * An error on the acceptor thread (anything but the closing of the socket) fails every pending
 * launch at once with the cause, and every later {@link #expect}: no launch waits out its start
 * timeout for an acceptor that died.
 *
 * <h2>Resources</h2>
 * The socket in the pool's private folder ({@link PoolFolder}, which deletes the folder), the
 * acceptor thread and one greeting thread per connection being greeted; {@link #close()} closes
 * them all. Thread-safe.
 */
final class ControlSocket implements AutoCloseable {
    /** The longest a connection may take to send HELLO: 10 s (a worker sends it right after connecting). */
    static final long HELLO_MILLIS = TimeUnit.SECONDS.toMillis(10);

    /** Whether this JVM has {@code jdk.net}, which reads a peer's credentials ({@code SO_PEERCRED}). */
    static final boolean PEER_CREDENTIALS =
            ModuleLayer.boot().findModule("jdk.net").isPresent();

    /** Set once the absence of jdk.net was logged (once per JVM). */
    private static final AtomicBoolean NO_PEER_CREDENTIALS_LOGGED = new AtomicBoolean();

    /**
     * A worker's two connections, each of which sent a valid HELLO.
     *
     * @param tasks the connection the caller writes frames to
     * @param replies the connection the caller reads frames from
     * @param pid the pid both HELLOs claimed
     */
    record Connection(SocketChannel tasks, SocketChannel replies, long pid) {}

    /** A launch's expectation: its future and the connections greeted so far (guarded by itself). */
    private static final class Expected {
        final CompletableFuture<Connection> future = new CompletableFuture<>();
        SocketChannel tasks;
        SocketChannel replies;
        long pid = -1;

        /** Records a greeted connection; completes the future once both came. Returns false to drop it. */
        synchronized boolean greeted(SocketChannel c, MessageCodec.Hello hello) {
            if (future.isDone() || (pid != -1 && pid != hello.pid())) {
                return false;
            }
            pid = hello.pid();
            if (hello.role() == FrameType.ROLE_TASKS && tasks == null) {
                tasks = c;
            } else if (hello.role() == FrameType.ROLE_REPLIES && replies == null) {
                replies = c;
            } else {
                return false;
            }
            if (tasks != null && replies != null && !future.complete(new Connection(tasks, replies, pid))) {
                return false;
            }
            return true;
        }
    }

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final ConcurrentHashMap<String, Expected> expected = new ConcurrentHashMap<>();
    private final Set<SocketChannel> greeting = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;
    /** Why the acceptor thread ended before {@link #close()}, or null while it runs. */
    private volatile Throwable acceptorFailure;

    /** @param dir the pool's private folder ({@link PoolFolder}), which holds the socket */
    ControlSocket(Path dir) throws IOException {
        this.dir = dir;
        this.owner = Files.getOwner(dir);
        this.socket = dir.resolve(SocketRoom.SOCKET_NAME);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        if (!PEER_CREDENTIALS) {
            if (NO_PEER_CREDENTIALS_LOGGED.compareAndSet(false, true)) {
                System.getLogger("dev.tandem")
                        .log(
                                System.Logger.Level.INFO,
                                "the module jdk.net is absent: workers' connections are checked by their owner-only"
                                        + " folder, one-time token and pid, but not by their peer credentials"
                                        + " (SO_PEERCRED); add --add-modules jdk.net to check those too");
            }
        }
        this.acceptor = new Thread(this::acceptLoop, "tandem-acceptor-" + dir.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path path() {
        return socket;
    }

    /** {@return the user this JVM runs as, as the file system names it} */
    UserPrincipal owner() {
        return owner;
    }

    /** {@return the connections that will present {@code token}}; {@link #forget} it when done. */
    CompletableFuture<Connection> expect(String token) {
        Expected e = new Expected();
        expected.put(token, e);
        Throwable failure = acceptorFailure;
        if (failure != null) {
            e.future.completeExceptionally(acceptorFailed(failure));
        }
        return e.future;
    }

    /** Forgets {@code token}, closing a connection of it that came alone. */
    void forget(String token) {
        Expected e = expected.remove(token);
        if (e != null) {
            synchronized (e) {
                if (!e.future.isDone() || e.future.isCompletedExceptionally()) {
                    e.future.cancel(false);
                    for (SocketChannel c : new SocketChannel[] {e.tasks, e.replies}) {
                        if (c != null) {
                            SocketLink.closeQuietly(c);
                        }
                    }
                }
            }
        }
    }

    private void acceptLoop() {
        try {
            accept();
        } catch (Throwable t) { // an Error too: a launch must never wait for a dead acceptor
            if (!closed) {
                failPendingLaunches(t); // each launch reports it, with the cause
            }
        }
    }

    /** Fails every pending launch, and every later one, with why the acceptor ended. */
    private void failPendingLaunches(Throwable cause) {
        acceptorFailure = cause;
        for (Expected e : expected.values()) {
            e.future.completeExceptionally(acceptorFailed(cause));
        }
    }

    private static IOException acceptorFailed(Throwable cause) {
        return new IOException("the pool's control socket stopped accepting workers: " + cause, cause);
    }

    private void accept() throws IOException {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                throw e;
            }
            if (!sameUser(c) || greeting.size() >= 2 * expected.size()) {
                SocketLink.closeQuietly(c); // nobody, or not this many, expected
                continue;
            }
            greeting.add(c);
            if (closed) {
                SocketLink.closeQuietly(c);
            }
            Thread t = new Thread(() -> greet(c), "tandem-handshake");
            t.setDaemon(true);
            t.start();
        }
    }

    private boolean sameUser(SocketChannel c) {
        if (!PEER_CREDENTIALS) {
            return true; // see "Without the module jdk.net" above
        }
        try {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return peer.user().equals(owner);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Reads HELLO within the deadline and hands the connection to the launch expecting its token. */
    private void greet(SocketChannel c) {
        ScheduledFuture<?> deadline =
                Deadlines.schedule(() -> SocketLink.closeQuietly(c), TimeUnit.MILLISECONDS.toNanos(HELLO_MILLIS));
        try {
            FrameReader reader = new FrameReader(c, 1 << 12);
            if (!reader.next() || reader.type() != FrameType.HELLO) {
                SocketLink.closeQuietly(c);
                return;
            }
            MessageCodec.Hello hello = MessageCodec.Hello.decode(reader.payload());
            // Kept until its launch forgets it, so that it still counts as pending while greeted.
            Expected waiting = expected.get(hello.token());
            if (waiting == null || hello.version() != FrameType.PROTOCOL_VERSION) {
                SocketLink.closeQuietly(c);
                if (waiting != null) {
                    waiting.future.completeExceptionally(new IOException("worker speaks protocol " + hello.version()
                            + ", this caller " + FrameType.PROTOCOL_VERSION
                            + ": are two Tandem versions on the class path?"));
                }
                return;
            }
            // The reader buffered nothing past HELLO: the worker sends nothing more until INIT.
            deadline.cancel(false);
            // Greeted: it frees its place before its launch can go on and forget its token. Freed
            // after, a stalled greeting thread kept it counted against a smaller expected.size(), and
            // the acceptor dropped the next worker's first connection (seen on a loaded 2-core host).
            greeting.remove(c);
            if (!waiting.greeted(c, hello)) {
                SocketLink.closeQuietly(c); // a launch that gave up, a second connection of a role, another pid
            }
        } catch (IOException e) {
            SocketLink.closeQuietly(c);
        } finally {
            deadline.cancel(false);
            greeting.remove(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (SocketChannel c : greeting) {
            SocketLink.closeQuietly(c);
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // best effort: the pool's folder is deleted with it (PoolFolder)
        }
    }
}
