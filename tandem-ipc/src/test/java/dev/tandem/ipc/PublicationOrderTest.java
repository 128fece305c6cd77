package dev.tandem.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stress loops for publication order across processes: a writer process writes seven data
 * elements plainly and then a sequence with release; a reader process that acquires the sequence
 * must see every element of that round. The acknowledgement flows back the same way, so both
 * directions are checked in every round. (The queue and channel tests check the same for message
 * payloads: every message carries a checksum.)
 */
@ExtendWith(LitterCheck.class)
class PublicationOrderTest {
    @RegisterExtension
    final Children children = new Children();

    @Test
    @Timeout(120)
    void releaseAcquirePublishesPlainWritesAcrossProcesses() throws Exception {
        long rounds = 500_000;
        try (SharedLongArray array = SharedLongArray.create(16)) {
            String handle = Children.encode(array.handle());
            Children.Child reader = children.start("observe", handle, Long.toString(rounds));
            Children.Child writer = children.start("publish", handle, Long.toString(rounds));
            writer.awaitSuccess(100);
            reader.awaitSuccess(30);
        }
    }
}
