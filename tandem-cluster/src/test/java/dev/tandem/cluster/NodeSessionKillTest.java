package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tandem.Tandem;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.spi.EncodedPool;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session on a real local pool (one worker JVM), ended by its node as a stopping node or a fenced
 * session ends it: the poll announces the end without a reply for the tasks the pool's kill
 * stopped, so the caller counts them lost with the node ({@code NodeLostException}, or a retry
 * elsewhere) instead of failing them with the node's cancel.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeSessionKillTest {
    private static final long LONG_LEASE = TimeUnit.MINUTES.toNanos(1);

    /** A task that says it runs (it connects to the test's port), then blocks until stopped. */
    record Blocks(int port) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() throws Exception {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(1);
            }
            new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            return 0;
        }
    }

    private static Wire.In tasks(byte[] task, long... ids) throws IOException {
        Wire.Out out = new Wire.Out(Wire.SUBMIT, 1);
        for (long id : ids) {
            out.writeByte(Wire.FRAME_TASK).writeLong(id).writeBytes(task);
        }
        return Wire.In.open(out.seal(Secret.none()), Secret.none());
    }

    /**
     * What broke: a stopping node (or a fenced session) killed the session's pool, whose kill
     * answered the running task with the WorkerLostException of its planned kill and the queued one
     * "task #N was cancelled on node X"; the poll carried those to the caller, which failed the tasks
     * with them, and {@code retriesOnWorkerLoss} never ran them elsewhere.
     */
    @Test
    void aSessionTheNodeEndsAnnouncesItsEndWithoutRepliesForTheTasksItsKillStopped() throws Exception {
        NodeSession s = new NodeSession(1, "caller", 1, List.of(), LONG_LEASE);
        List<String> classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        try (ServerSocket running = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            running.setSoTimeout(60_000);
            EncodedPool pool = EncodedPool.start(
                    Tandem.processes(1).options(),
                    new EncodedPool.Launch(classPath, List.of(), new byte[0], "node-t", s::leaseEnd),
                    s);
            try {
                s.started(pool);
                byte[] task = ObjectCodec.encode(new Blocks(running.getLocalPort()), c -> {});
                assertThat(s.submit(1, tasks(task, 1, 2), 2).gone()).isNull();
                try (Socket started = running.accept()) {
                    assertThat(started.getInputStream().read()).isEqualTo(1); // task 1 runs; 2 waits
                }
                s.end("node n is stopping"); // as NodeService.stop() ends it
                NodeSession.Polled polled = s.poll(1, 0);
                assertThat(polled.ended()).isEqualTo("node n is stopping");
                assertThat(polled.replies())
                        .as("no reply for a task the kill stopped: the caller's loss decides it")
                        .isEmpty();
                assertThat(pool.outstanding()).isZero();
            } finally {
                pool.kill();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** A task that returns its number. */
    record Returns(int n) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() {
            return n;
        }
    }

    /**
     * What broke: a second task of an id still under way in one session was dropped by the pool
     * without a reply, so the session counted a task that would never be answered and its end (a
     * close) waited for it until its settle bound. The second copy now fails at once, naming the id,
     * and the close is announced once both copies were answered.
     */
    @Test
    void aDuplicateTaskIdInOneSessionFailsThatCopyAndTheCloseIsAnnounced() throws Exception {
        NodeSession s = new NodeSession(2, "caller", 1, List.of(), LONG_LEASE);
        List<String> classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        EncodedPool pool = EncodedPool.start(
                Tandem.processes(1).options(),
                new EncodedPool.Launch(classPath, List.of(), new byte[0], "node-t", s::leaseEnd),
                s);
        try {
            s.started(pool);
            byte[] task = ObjectCodec.encode(new Returns(7), c -> {});
            assertThat(s.submit(1, tasks(task, 5, 5), 2).gone()).isNull();
            Wire.Out close =
                    new Wire.Out(Wire.SUBMIT, 1).writeByte(Wire.FRAME_CLOSE).writeLong(0);
            assertThat(s.submit(2, Wire.In.open(close.seal(Secret.none()), Secret.none()), 1)
                            .gone())
                    .isNull();
            List<NodeSession.Reply> replies = new ArrayList<>();
            String ended = null;
            for (long seq = 1; ended == null && seq < 120; seq++) { // at most a minute
                NodeSession.Polled polled = s.poll(seq, TimeUnit.MILLISECONDS.toNanos(500));
                replies.addAll(polled.replies());
                ended = polled.ended();
            }
            assertThat(ended).as("the close was announced").isEqualTo(NodeSession.CLOSED);
            assertThat(replies)
                    .as("one reply for each copy of task 5")
                    .extracting(NodeSession.Reply::taskId, NodeSession.Reply::kind)
                    .containsExactlyInAnyOrder(tuple(5L, Wire.REPLY_RESULT), tuple(5L, Wire.REPLY_FAILED));
            NodeSession.Reply refused = replies.stream()
                    .filter(r -> r.kind() == Wire.REPLY_FAILED)
                    .findFirst()
                    .orElseThrow();
            assertThat(new String(refused.bytes(), StandardCharsets.ISO_8859_1))
                    .contains("task #5 was sent to node node-t again");
        } finally {
            pool.kill();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }
}
