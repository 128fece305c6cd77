package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A caller frozen (SIGSTOP) for 20 s, then resumed, with healthy nodes (fresh user, session 16): its
 * tasks failed saying "lost (no answer for 20115 ms); the task may still be running there" and
 * "lost (the node ended this caller's session: no such session on node ...); the node's process is
 * gone, and the task with it" while the nodes ran on. The caller's own stall is not the nodes'
 * silence, and a session the node ended is said to be so, with the stall that explains it. Without
 * a node: the sessions' calls go to {@link NodeWorkerTest.FakeLink}, the watch is given the clock.
 */
class FrozenCallerTest {
    private static final long LEASE = TimeUnit.SECONDS.toNanos(10);
    private static final long POLL_WAIT = TimeUnit.MILLISECONDS.toNanos(2500);

    /** A link that tells of the caller's stall as {@link NodeStarter} does, from its watch. */
    static final class StalledLink extends NodeWorkerTest.FakeLink {
        final SilenceWatch watch = new SilenceWatch(POLL_WAIT, LEASE);

        @Override
        public String callerStall() {
            return watch.callerStall();
        }
    }

    private final StalledLink link = new StalledLink();
    private final NodeWorkerTest.Heard heard = new NodeWorkerTest.Heard();
    private final NodeWorker worker = new NodeWorker(1, null, "node-a", 42, 7, 1, heard, link);

    @Test
    void aCallerFrozenPastItsLeaseDeclaredItsHealthyNodeSilentAsItResumed() {
        worker.poll();
        long sent = worker.oldestCallNanos();
        link.watch.check(List.of(worker), sent + TimeUnit.MILLISECONDS.toNanos(200));
        // Frozen for 20 s: the next check runs that late, before the answers waiting in the socket are read.
        long resumed = sent + TimeUnit.SECONDS.toNanos(20);
        link.watch.check(List.of(worker), resumed);
        assertThat(heard.events())
                .as("the caller's own stall is not the node's silence")
                .isEmpty();
        long now = runWatch(resumed, resumed + TimeUnit.SECONDS.toNanos(5));
        assertThat(heard.events()).isEmpty();
        // A node that stays silent for the limit after the caller resumed is lost, as before.
        runWatch(now, resumed + POLL_WAIT + LEASE + TimeUnit.SECONDS.toNanos(2));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss().mayStillRun()).isTrue();
    }

    /** {@return {@code to}} Runs the watch every 200 ms after {@code from} up to {@code to}, as its thread does. */
    private long runWatch(long from, long to) {
        for (long t = from; t - to < 0; t += TimeUnit.MILLISECONDS.toNanos(200)) {
            link.watch.check(List.of(worker), Math.min(t, to));
        }
        link.watch.check(List.of(worker), to);
        return to;
    }

    @Test
    void aSessionTheNodeEndedAfterTheCallersFreezeBlamedTheNodesProcess() {
        worker.poll();
        long now = System.nanoTime();
        link.watch.check(List.of(), now - TimeUnit.SECONDS.toNanos(20)); // the last check before the freeze
        link.watch.check(List.of(), now); // the first after it
        NodeWorkerTest.Call poll = link.last(true);
        poll.answer()
                .complete(new Wire.Out(Wire.GONE, poll.request().nonce)
                        .writeString("no such session on node 127.0.0.1:5811")
                        .seal(Secret.none()));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss().endedByNode()).isTrue();
        assertThat(heard.end.nodeLoss().mayStillRun()).isFalse();
        assertThat(heard.end.nodeLoss().detection())
                .startsWith("the node ended this caller's session: no such session on node 127.0.0.1:5811")
                .contains("this caller was stalled (paused or starved of CPU) for 20000 ms")
                .contains("10000 ms");
    }

    /**
     * Hazelcast's heartbeat check may see the silence before the watch runs after the caller's
     * stall: the loss says that the caller was stalled, not only that the node's heartbeat timed out.
     */
    @Test
    void aHeartbeatTimeoutAsTheCallerResumedBlamedTheNodeAlone() {
        link.watch.check(List.of(), System.nanoTime() - TimeUnit.SECONDS.toNanos(20)); // the last check before
        worker.poll();
        link.last(true)
                .answer()
                .completeExceptionally(new IllegalStateException("Heartbeat timed out to connection ClientConnection"));
        assertThat(heard.events()).containsExactly("ended");
        assertThat(heard.end.nodeLoss().detection())
                .startsWith("heartbeat timed out after 10000 ms (this caller was stalled (paused or starved of CPU)"
                        + " for 20");
    }

    /** After the pool closed its watch no longer runs: the time since its last check is no stall. */
    @Test
    void aStoppedWatchTellsOfNoStall() {
        link.watch.check(List.of(), System.nanoTime() - TimeUnit.SECONDS.toNanos(20));
        assertThat(link.watch.callerStall()).isNotNull();
        link.watch.stop();
        assertThat(link.watch.callerStall()).isNull();
    }

    /** A short stall (a busy machine's second) is no excuse to give: nothing is said of it. */
    @Test
    void aStallShorterThanHalfTheLeaseIsNotTold() {
        long now = System.nanoTime();
        link.watch.check(List.of(), now - TimeUnit.SECONDS.toNanos(2));
        link.watch.check(List.of(), now);
        assertThat(link.watch.callerStall()).isNull();
    }
}
