package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reader of the shared-memory lane keeps the segments it read mapped for the next value (it
 * used to map and unmap a segment for every value, paying a page fault per 64 KiB of data each
 * time), never reads a file through a mapping of another, and reports a heap too full for a value as
 * a copy failure whichever way it checks the heap.
 */
class BulkReaderTest {
    private static final long THRESHOLD = 64 << 10;
    private final BulkReader reader = new BulkReader("raise it");

    @AfterEach
    void closeReader() {
        reader.close();
    }

    private static byte[] filled(int n, int value) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) value);
        return a;
    }

    /** Was: every value mapped its segment anew, and unmapped it after the copy. */
    @Test
    void aSegmentStaysMappedForTheNextValueAndIsUnmappedOnceIdle() throws Exception {
        try (BulkWriter writer = new BulkWriter(THRESHOLD, false)) {
            BulkWriter.Lease first = writer.put(filled(200_000, 1));
            assertThat((byte[]) reader.take(first.entry())).isEqualTo(filled(200_000, 1));
            first.release();
            BulkWriter.Lease second = writer.put(filled(200_000, 2));
            assertThat(second.entry().path())
                    .as("the writer reused its segment")
                    .isEqualTo(first.entry().path());
            assertThat((byte[]) reader.take(second.entry())).isEqualTo(filled(200_000, 2));
            assertThat(reader.mapped())
                    .as("one mapping, kept from the first value")
                    .isEqualTo(1);
            assertThat(reader.trim(BulkReader.MAPPING_IDLE_NANOS))
                    .as("just used: kept")
                    .isTrue();
            assertThat(reader.trim(0)).as("unmapped").isFalse();
            assertThat(reader.mapped()).isZero();
            second.release();
        }
    }

    @Test
    void aFileReplacedUnderAMappedNameIsReadFromTheNewFile() throws Exception {
        try (BulkWriter a = new BulkWriter(THRESHOLD, false);
                BulkWriter b = new BulkWriter(THRESHOLD, false)) {
            BulkWriter.Lease old = a.put(filled(100_000, 1));
            assertThat((byte[]) reader.take(old.entry())).isEqualTo(filled(100_000, 1));
            BulkWriter.Lease other = b.put(filled(100_000, 2));
            BulkEntry e = other.entry();
            Files.move(
                    Path.of(e.path()),
                    Path.of(old.entry().path()),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            BulkEntry renamed =
                    new BulkEntry(old.entry().path(), e.offset(), e.sequence(), e.kind(), e.length(), (byte) 0);
            assertThat(renamed.sequence())
                    .as("both first writes: only the file tells them apart")
                    .isEqualTo(old.entry().sequence());
            assertThat((byte[]) reader.take(renamed)).isEqualTo(filled(100_000, 2));
        }
    }

    @Test
    void aValueMarkedReadThroughTheReadersMappingGivesItsSegmentBack() throws Exception {
        try (BulkWriter results = new BulkWriter(THRESHOLD, true)) {
            BulkWriter.Lease first = results.put(filled(100_000, 1));
            assertThat(results.awaitsReader()).as("written, not read").isTrue();
            reader.take(first.entry());
            assertThat(results.awaitsReader()).as("copied out but not marked").isTrue();
            reader.markRead(List.of(first.entry()));
            assertThat(results.awaitsReader()).as("marked read").isFalse();
            BulkWriter.Lease second = results.put(filled(100_000, 2));
            assertThat(second.entry().path())
                    .as("reused")
                    .isEqualTo(first.entry().path());
            reader.markRead(List.of(first.entry())); // a stale mark: the segment holds another value now
            assertThat(results.awaitsReader())
                    .as("the stale mark did not release the new value")
                    .isTrue();
        }
    }

    /**
     * A reader where an OutOfMemoryError is not fatal (a caller's JVM) no longer runs a full
     * collection before each large value (G1 shrank the heap after it, and the next values grew it
     * again into fresh memory); a value that cannot fit still fails as a copy failure naming the sizes.
     */
    @Test
    void aReaderThatLetsTheAllocationMakeRoomReportsAFullHeapNamingTheSizes() throws Exception {
        BulkReader lenient = new BulkReader("raise it", false);
        long max = Runtime.getRuntime().maxMemory();
        int n = (int) (max * 0.45);
        try (BulkWriter writer = new BulkWriter(THRESHOLD, false)) {
            BulkWriter.Lease lease = writer.put(new byte[n]);
            assertThat(HeapRoom.mayFit(n)).as("alone it would fit").isTrue();
            byte[] live = new byte[n];
            assertThatThrownBy(() -> lenient.take(lease.entry()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(String.valueOf((long) n))
                    .hasMessageContaining("do not fit in the heap")
                    .hasMessageContaining("raise it")
                    .hasCauseInstanceOf(OutOfMemoryError.class);
            assertThat(live).hasSize(n);
            lease.release();
        } finally {
            lenient.close();
        }
    }
}
