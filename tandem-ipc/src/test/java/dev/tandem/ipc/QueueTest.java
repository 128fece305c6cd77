package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue inside one JVM, and its recovery paths driven white-box with a dead process's identity. */
@ExtendWith(LitterCheck.class)
class QueueTest {
    @RegisterExtension
    final Children children = new Children();

    @Test
    void offerAndPollReturnStatus() throws IOException {
        try (SharedQueue queue = SharedQueue.create(4, 8)) {
            assertThat(queue.poll()).isNull();
            for (int i = 0; i < 4; i++) {
                assertThat(queue.offer(new byte[] {(byte) i})).isEqualTo(SharedQueue.OFFERED);
            }
            assertThat(queue.offer(new byte[] {9})).isEqualTo(SharedQueue.FULL);
            assertThat(queue.size()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(queue.poll()).containsExactly((byte) i);
            }
            assertThat(queue.poll()).isNull();
            assertThat(queue.offer(new byte[0])).isEqualTo(SharedQueue.OFFERED);
            assertThat(queue.poll()).isEmpty();
            assertThatThrownBy(() -> queue.offer(new byte[9]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxMessageBytes 8");
        }
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> SharedQueue.create(3, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be a power of two between 2 and 16777216, was 3");
        assertThatThrownBy(() -> SharedQueue.create(4, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(20)
    void blockingCallsTimeOut() throws Exception {
        try (SharedQueue queue = SharedQueue.create(2, 8)) {
            long start = System.nanoTime();
            assertThat(queue.take(Duration.ofMillis(120))).isNull();
            assertThat(System.nanoTime() - start)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(120).toNanos());
            assertThat(queue.put(new byte[1], Duration.ofMillis(10))).isTrue();
            assertThat(queue.put(new byte[1], Duration.ofMillis(10))).isTrue();
            assertThat(queue.put(new byte[1], Duration.ofMillis(120))).isFalse();
        }
    }

    @Test
    @Timeout(20)
    void takeIsWokenByAPutFromAnotherAttachment() throws Exception {
        try (SharedQueue consumer = SharedQueue.create(8, 8);
                SharedQueue producer = SharedQueue.attach(consumer.handle());
                ExecutorService executor = Executors.newSingleThreadExecutor()) {
            Future<byte[]> taken = executor.submit(() -> consumer.take(Duration.ofSeconds(10)));
            assertThat(producer.put(new byte[] {5}, Duration.ofSeconds(1))).isTrue();
            assertThat(taken.get()).containsExactly(5);
        }
    }

    @Test
    @Timeout(60)
    void manyThreadsDeliverEachItemOnce() throws Exception {
        int items = 200_000;
        int producers = 3;
        int consumers = 3;
        AtomicLongArray seen = new AtomicLongArray(items);
        try (SharedQueue creator = SharedQueue.create(256, 16);
                ExecutorService executor = Executors.newFixedThreadPool(producers + consumers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int from = p * items / producers;
                int to = (p + 1) * items / producers;
                futures.add(executor.submit(() -> {
                    try (SharedQueue queue = SharedQueue.attach(creator.handle())) {
                        for (int i = from; i < to; i++) {
                            assertThat(queue.put(IpcChild.item(i), Duration.ofSeconds(30)))
                                    .isTrue();
                        }
                    }
                    return null;
                }));
            }
            AtomicLong remaining = new AtomicLong(items);
            for (int c = 0; c < consumers; c++) {
                futures.add(executor.submit(() -> {
                    try (SharedQueue queue = SharedQueue.attach(creator.handle())) {
                        while (remaining.get() > 0) {
                            byte[] message = queue.take(Duration.ofMillis(50));
                            if (message != null) {
                                seen.incrementAndGet((int) IpcChild.parse(message));
                                remaining.decrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        for (int i = 0; i < items; i++) {
            assertThat(seen.get(i)).as("deliveries of item %d", i).isEqualTo(1);
        }
    }

    /** A process that is surely dead: a child that ran and was reaped. */
    private long deadIdentity() throws Exception {
        Children.Child child = children.start("noop");
        child.awaitSuccess(30);
        return ProcessIdentity.of(child.process().pid(), Optional.empty());
    }

    private static long participant(SharedQueue unused, int maxMessage, int index) {
        return QueueDescriptor.participantOffset(maxMessage, index);
    }

    private static long slot(int maxMessage, long pos, int capacity) {
        return QueueDescriptor.slotsOffset(maxMessage)
                + (pos & (capacity - 1)) * QueueDescriptor.slotStride(maxMessage);
    }

    @Test
    @Timeout(60)
    void consumerThatDiedHoldingAClaimIsReportedAndItsSlotFreed() throws Exception {
        long dead = deadIdentity();
        try (SharedQueue queue = SharedQueue.create(2, 16)) {
            SharedSegment raw = SharedSegment.attach(queue.handle(), Kind.QUEUE, QueueDescriptor.VERSION);
            try {
                MemorySegment m = raw.whole();
                assertThat(queue.offer(IpcChild.item(7))).isEqualTo(SharedQueue.OFFERED);
                assertThat(queue.offer(IpcChild.item(8))).isEqualTo(SharedQueue.OFFERED);
                // Participant 5 is the dead process; it claimed position 0 and died before moving it.
                int index = 5;
                Atomics.setLongVolatile(m, participant(queue, 16, index), dead);
                Atomics.setLongVolatile(m, slot(16, 0, 2), QueueDescriptor.consumerClaim(index, 0));
                Atomics.setLongVolatile(m, QueueDescriptor.HEAD_OFFSET, 1);
                // The ring is full; a put must recover the slot (within a slice) and succeed.
                assertThat(queue.put(IpcChild.item(9), Duration.ofSeconds(5))).isTrue();
                List<byte[]> orphans = queue.takeOrphans();
                assertThat(orphans).hasSize(1);
                assertThat(IpcChild.parse(orphans.get(0))).isEqualTo(7);
                assertThat(queue.takeOrphans()).isEmpty();
                assertThat(IpcChild.parse(queue.poll())).isEqualTo(8);
                assertThat(IpcChild.parse(queue.poll())).isEqualTo(9);
                assertThat(Atomics.getLongVolatile(m, participant(queue, 16, index)))
                        .isZero();
            } finally {
                raw.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void consumerThatDiedWithALeaseIsReported() throws Exception {
        long dead = deadIdentity();
        try (SharedQueue queue = SharedQueue.create(4, 16)) {
            SharedSegment raw = SharedSegment.attach(queue.handle(), Kind.QUEUE, QueueDescriptor.VERSION);
            try {
                MemorySegment m = raw.whole();
                int index = 3;
                long entry = participant(queue, 16, index);
                byte[] message = IpcChild.item(42);
                MemorySegment.copy(
                        message, 0, m, ValueLayout.JAVA_BYTE, entry + QueueDescriptor.PARTICIPANT_PAYLOAD, 16);
                Atomics.setIntPlain(m, entry + QueueDescriptor.PARTICIPANT_LEASE_LENGTH, 16);
                Atomics.setLongVolatile(m, entry + QueueDescriptor.PARTICIPANT_LEASE, 1);
                Atomics.setLongVolatile(m, entry, dead);
                List<byte[]> orphans = queue.takeOrphans();
                assertThat(orphans).hasSize(1);
                assertThat(IpcChild.parse(orphans.get(0))).isEqualTo(42);
            } finally {
                raw.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void producerThatDiedHoldingAClaimIsSkipped() throws Exception {
        long dead = deadIdentity();
        try (SharedQueue queue = SharedQueue.create(4, 16)) {
            SharedSegment raw = SharedSegment.attach(queue.handle(), Kind.QUEUE, QueueDescriptor.VERSION);
            try {
                MemorySegment m = raw.whole();
                int index = 9;
                Atomics.setLongVolatile(m, participant(queue, 16, index), dead);
                // The dead producer claimed position 0 and died before publishing it.
                Atomics.setLongVolatile(m, slot(16, 0, 4), QueueDescriptor.producerClaim(index, 0));
                Atomics.setLongVolatile(m, QueueDescriptor.TAIL_OFFSET, 1);
                assertThat(queue.offer(IpcChild.item(1))).isEqualTo(SharedQueue.OFFERED);
                assertThat(queue.poll())
                        .as("blocked behind the dead producer's claim")
                        .isNull();
                byte[] taken = queue.take(Duration.ofSeconds(5));
                assertThat(IpcChild.parse(taken)).isEqualTo(1);
                assertThat(queue.producerDrops()).isEqualTo(1);
                assertThat(queue.takeOrphans()).isEmpty();
            } finally {
                raw.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void deadParticipantWithoutALeaseIsFreedWithoutAnOrphan() throws Exception {
        long dead = deadIdentity();
        try (SharedQueue queue = SharedQueue.create(4, 16)) {
            SharedSegment raw = SharedSegment.attach(queue.handle(), Kind.QUEUE, QueueDescriptor.VERSION);
            try {
                int index = 4;
                Atomics.setLongVolatile(raw.whole(), participant(queue, 16, index), dead);
                assertThat(queue.takeOrphans()).isEmpty();
                assertThat(Atomics.getLongVolatile(raw.whole(), participant(queue, 16, index)))
                        .isZero();
            } finally {
                raw.close();
            }
        }
    }
}
