package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(LitterCheck.class)
class ChannelTest {
    @RegisterExtension
    final Children children = new Children();

    @Test
    @Timeout(30)
    void framesKeepBoundariesOrderAndContentInOneJvm() throws Exception {
        try (SharedChannel a = SharedChannel.create(4096);
                SharedChannel b = SharedChannel.attach(a.handle())) {
            assertThat(a.awaitPeer(Duration.ofSeconds(1))).isTrue();
            assertThat(a.peerPid()).isEqualTo(ProcessHandle.current().pid());
            int frames = 200;
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < frames; i++) {
                        assertThat(a.send(ChannelFrames.frame(i), Duration.ofSeconds(10)))
                                .isTrue();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < frames; i++) {
                ChannelFrames.check(i, b.receive(Duration.ofSeconds(10)));
            }
            sender.get(10, TimeUnit.SECONDS);
            assertThat(b.send(new byte[] {1, 2}, Duration.ofSeconds(1))).isTrue();
            assertThat(a.receive(Duration.ofSeconds(1))).containsExactly(1, 2);
        }
    }

    @Test
    @Timeout(30)
    void awaitReadableReportsReadinessWithoutReceiving() throws Exception {
        SharedChannel a = SharedChannel.create(4096);
        SharedChannel b = SharedChannel.attach(a.handle());
        try {
            assertThat(b.awaitReadable(0, TimeUnit.SECONDS)).isFalse();
            assertThat(b.awaitReadable(30, TimeUnit.MILLISECONDS)).isFalse();
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try {
                    return b.awaitReadable(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            waiting.await();
            assertThat(a.send(new byte[] {7}, Duration.ofSeconds(1))).isTrue();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
            // Readiness consumed nothing: the frame is still there, and readiness ends with it.
            assertThat(b.awaitReadable(0, TimeUnit.SECONDS)).isTrue();
            assertThat(b.receive(Duration.ofSeconds(1))).containsExactly(7);
            assertThat(b.awaitReadable(0, TimeUnit.SECONDS)).isFalse();
            // A closed peer makes a receive return at once (with EOFException): that is readiness too.
            a.close();
            assertThat(b.awaitReadable(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> b.receive(Duration.ofSeconds(1))).isInstanceOf(EOFException.class);
        } finally {
            b.close();
            a.close();
        }
    }

    @Test
    @Timeout(30)
    void aLongStreamWriteTravelsInPiecesNotAsOneFrame() throws Exception {
        try (SharedChannel a = SharedChannel.create(4096);
                SharedChannel b = SharedChannel.attach(a.handle())) {
            byte[] data = new byte[10_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    a.outputStream().write(data, 0, data.length);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (received.size() < data.length) {
                byte[] frame = b.receive(Duration.ofSeconds(10));
                // a quarter of the ring at most, so the reader never holds the whole write at once
                assertThat(frame).isNotNull().hasSizeLessThanOrEqualTo(1024);
                received.write(frame);
            }
            writer.get(10, TimeUnit.SECONDS);
            assertThat(received.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    @Timeout(30)
    void timeoutsAndClose() throws Exception {
        try (SharedChannel a = SharedChannel.create(4096)) {
            assertThat(a.awaitPeer(Duration.ofMillis(20))).isFalse();
            SharedChannel b = SharedChannel.attach(a.handle());
            assertThatThrownBy(() -> SharedChannel.attach(a.handle()))
                    .hasMessageContaining("already has its second end");
            assertThat(a.receive(Duration.ofMillis(60))).isNull();
            // Fill the ring: a send then times out.
            byte[] big = new byte[1000];
            int sent = 0;
            while (a.send(big, Duration.ofMillis(30))) {
                sent++;
            }
            assertThat(sent).isBetween(2, 4);
            // Close with a frame in flight: the peer reads it, then EOF.
            b.send(new byte[] {7}, Duration.ofSeconds(1));
            b.close();
            assertThat(a.receive(Duration.ofSeconds(1))).containsExactly(7);
            assertThatThrownBy(() -> a.receive(Duration.ofSeconds(5))).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> a.send(big, Duration.ofSeconds(5))).isInstanceOf(EOFException.class);
        }
    }

    @Test
    @Timeout(30)
    void closeWakesThisProcessesWaiter() throws Exception {
        SharedChannel a = SharedChannel.create(4096);
        try {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    a.receive(Duration.ofSeconds(20));
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            a.close();
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class);
        } finally {
            a.close();
        }
    }

    @Test
    @Timeout(60)
    void echoAcrossProcesses() throws Exception {
        try (SharedChannel channel = SharedChannel.create(1 << 16)) {
            children.start("echo", Children.encode(channel.handle()));
            assertThat(channel.awaitPeer(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 500; i++) {
                assertThat(channel.send(ChannelFrames.frame(i), Duration.ofSeconds(10)))
                        .isTrue();
                ChannelFrames.check(i, channel.receive(Duration.ofSeconds(10)));
            }
        }
    }

    @Test
    @Timeout(60)
    void fullDuplexStreamAcrossProcesses() throws Exception {
        int frames = 3000;
        try (SharedChannel channel = SharedChannel.create(1 << 16)) {
            Children.Child peer = children.start("stream", Children.encode(channel.handle()), Integer.toString(frames));
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < frames; i++) {
                        assertThat(channel.send(ChannelFrames.frame(i), Duration.ofSeconds(30)))
                                .isTrue();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < frames; i++) {
                ChannelFrames.check(i, channel.receive(Duration.ofSeconds(30)));
            }
            sender.get(30, TimeUnit.SECONDS);
            peer.awaitSuccess(30);
        }
    }

    @Test
    @Timeout(60)
    void peerDeathIsReportedAfterItsLastFrame() throws Exception {
        try (SharedChannel channel = SharedChannel.create(4096)) {
            Children.Child peer = children.start("send-and-die", Children.encode(channel.handle()));
            assertThat(peer.await(30)).isEqualTo(9);
            assertThat(channel.receive(Duration.ofSeconds(5))).containsExactly(42);
            long start = System.nanoTime();
            assertThatThrownBy(() -> channel.receive(Duration.ofSeconds(20)))
                    .isInstanceOf(PeerDiedException.class)
                    .satisfies(e -> assertThat(((PeerDiedException) e).pid())
                            .isEqualTo(peer.process().pid()));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    @Timeout(60)
    void parkingFallbackWorksAcrossProcesses() throws Exception {
        try (SharedChannel channel = SharedChannel.create(1 << 16)) {
            children.startWith(List.of("-Ddev.tandem.ipc.futex=false"), "echo", Children.encode(channel.handle()));
            assertThat(channel.awaitPeer(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 300; i++) {
                assertThat(channel.send(ChannelFrames.frame(i), Duration.ofSeconds(10)))
                        .isTrue();
                ChannelFrames.check(i, channel.receive(Duration.ofSeconds(10)));
            }
        }
    }
}
