package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 3 producer processes and 2 consumer processes move 1,000,000 items through one queue. Consumers
 * count each item in a shared tally before acknowledging it, so a count of 2 would be a double
 * delivery and a 0 a loss.
 */
@ExtendWith(LitterCheck.class)
class QueueProcessTest {
    private static final int ITEMS = 1_000_000;
    private static final int PRODUCERS = 3;

    @RegisterExtension
    final Children children = new Children();

    @Test
    @Timeout(120)
    void everyItemIsDeliveredExactlyOnce() throws Exception {
        Outcome outcome = run(false);
        assertThat(outcome.orphans()).isEmpty();
        for (int i = 0; i < ITEMS; i++) {
            if (outcome.tally()[i] != 1) {
                throw new AssertionError("item " + i + " was delivered " + outcome.tally()[i] + " times");
            }
        }
    }

    @Test
    @Timeout(120)
    void itemsInFlightAtAKilledConsumerAreReportedNotLost() throws Exception {
        Outcome outcome = run(true);
        // The victim was killed holding one message: taken and counted, not acknowledged.
        assertThat(outcome.orphans()).containsExactly(outcome.victimHeld());
        int lost = 0;
        int doubled = 0;
        for (int i = 0; i < ITEMS; i++) {
            long count = outcome.tally()[i];
            boolean reported = outcome.orphans().contains((long) i);
            if (count == 0 && !reported) {
                lost++;
            } else if (count > 1) {
                doubled++;
            }
        }
        assertThat(lost).as("items neither delivered nor reported").isZero();
        assertThat(doubled).as("items delivered twice").isZero();
        System.out.println("killed consumer: orphans reported " + outcome.orphans());
    }

    record Outcome(long[] tally, Set<Long> orphans, long victimHeld) {}

    private Outcome run(boolean killOneConsumer) throws Exception {
        try (SharedQueue queue = SharedQueue.create(1024, 16);
                SharedLongArray tally = SharedLongArray.create(ITEMS);
                SharedCounter done = SharedCounter.create();
                SharedQueue progress = SharedQueue.create(4, 16)) {
            String q = Children.encode(queue.handle());
            List<Children.Child> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                producers.add(children.start(
                        "produce",
                        q,
                        Long.toString((long) p * ITEMS / PRODUCERS),
                        Long.toString((long) (p + 1) * ITEMS / PRODUCERS)));
            }
            String[] consumerArgs = {
                q, Children.encode(tally.handle()), Children.encode(done.handle()), Children.encode(progress.handle())
            };
            Children.Child survivor =
                    children.start("consume", consumerArgs[0], consumerArgs[1], consumerArgs[2], consumerArgs[3], "-1");
            Children.Child victim = children.start(
                    "consume",
                    consumerArgs[0],
                    consumerArgs[1],
                    consumerArgs[2],
                    consumerArgs[3],
                    killOneConsumer ? "100000" : "-1");
            long victimHeld = -1;
            if (killOneConsumer) {
                byte[] held = progress.take(Duration.ofSeconds(60));
                assertThat(held)
                        .as("the victim consumer reported the message it holds")
                        .isNotNull();
                victimHeld = IpcChild.parse(held);
                victim.kill();
            }
            for (Children.Child producer : producers) {
                producer.awaitSuccess(90);
            }
            done.set(1);
            survivor.awaitSuccess(60);
            if (!killOneConsumer) {
                victim.awaitSuccess(60);
            }
            Set<Long> orphans = new HashSet<>();
            for (byte[] orphan : queue.takeOrphans()) {
                orphans.add(IpcChild.parse(orphan));
            }
            assertThat(queue.size()).isZero();
            long[] counts = new long[ITEMS];
            tally.copyTo(0, counts, 0, ITEMS);
            return new Outcome(counts, orphans, victimHeld);
        }
    }
}
