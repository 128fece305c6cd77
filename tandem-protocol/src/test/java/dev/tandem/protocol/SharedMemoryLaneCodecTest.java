package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.ipc.SharedSegment;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared-memory lane at the codec level: large primitive arrays and buffers leave the stream
 * and come back equal, small ones stay in it, reuse of a segment is detected, and sizes are bounded.
 */
class SharedMemoryLaneCodecTest {
    private static final long THRESHOLD = 64 << 10;
    private final BulkWriter writer = new BulkWriter(THRESHOLD, false);
    private final BulkReader reader = new BulkReader("raise it");

    @AfterEach
    void closeWriter() {
        writer.close();
        reader.close();
    }

    record Holder(List<Object> values) implements Serializable {}

    private Object roundTrip(Object value) throws Exception {
        ObjectCodec.Encoded e = ObjectCodec.encode(value, null, writer, Integer.MAX_VALUE - 8);
        try {
            return ObjectCodec.decode(e.bytes(), null, null, reader);
        } finally {
            e.release();
        }
    }

    @Test
    void everyPrimitiveArrayKindComesBackEqualAndLeavesTheStream() throws Exception {
        int n = 100_000;
        byte[] bytes = new byte[n];
        short[] shorts = new short[n];
        char[] chars = new char[n];
        int[] ints = new int[n];
        long[] longs = new long[n];
        float[] floats = new float[n];
        double[] doubles = new double[n];
        boolean[] booleans = new boolean[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) i;
            shorts[i] = (short) (i * 7);
            chars[i] = (char) (i * 3);
            ints[i] = i * 31;
            longs[i] = (long) i << 33;
            floats[i] = i / 3f;
            doubles[i] = i / 7.0;
            booleans[i] = i % 3 == 0;
        }
        List<Object> all = List.of(bytes, shorts, chars, ints, longs, floats, doubles, booleans);
        ObjectCodec.Encoded e = ObjectCodec.encode(new Holder(all), null, writer, Integer.MAX_VALUE - 8);
        assertThat(e.leases()).hasSize(8);
        assertThat(e.bytes().length)
                .as("only the table and the references are in the payload")
                .isLessThan(4096);
        Holder back = (Holder) ObjectCodec.decode(e.bytes(), null, null, reader);
        e.release();
        assertThat((byte[]) back.values().get(0)).isEqualTo(bytes);
        assertThat((short[]) back.values().get(1)).isEqualTo(shorts);
        assertThat((char[]) back.values().get(2)).isEqualTo(chars);
        assertThat((int[]) back.values().get(3)).isEqualTo(ints);
        assertThat((long[]) back.values().get(4)).isEqualTo(longs);
        assertThat((float[]) back.values().get(5)).isEqualTo(floats);
        assertThat((double[]) back.values().get(6)).isEqualTo(doubles);
        assertThat((boolean[]) back.values().get(7)).isEqualTo(booleans);
    }

    @Test
    void smallArraysStayInThePayload() throws Exception {
        ObjectCodec.Encoded e = ObjectCodec.encode(new int[100], null, writer, Integer.MAX_VALUE - 8);
        assertThat(e.leases()).isEmpty();
        assertThat(e.bytes()[0]).as("a plain serialization stream").isEqualTo((byte) 0xAC);
        assertThat((int[]) ObjectCodec.decode(e.bytes(), null, null)).hasSize(100);
    }

    @Test
    void oneArrayReferencedTwiceComesBackAsOneArray() throws Exception {
        long[] shared = new long[50_000];
        Holder back = (Holder) roundTrip(new Holder(new ArrayList<>(List.of(shared, shared))));
        assertThat(back.values().get(0)).isSameAs(back.values().get(1));
    }

    @Test
    void buffersKeepTheirKindOrderReadOnlyFlagAndOnlyTheirRemainingBytes() throws Exception {
        for (int size : new int[] {100, 200_000}) {
            ByteBuffer heap = ByteBuffer.allocate(size + 10).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < heap.capacity(); i++) {
                heap.put(i, (byte) i);
            }
            heap.position(5).limit(size + 5);
            ByteBuffer direct = ByteBuffer.allocateDirect(size).order(ByteOrder.BIG_ENDIAN);
            direct.put(size - 1, (byte) 42);
            ByteBuffer readOnly = ByteBuffer.allocate(size).asReadOnlyBuffer();
            Holder back = (Holder) roundTrip(new Holder(List.of(heap, direct, readOnly)));
            ByteBuffer h = (ByteBuffer) back.values().get(0);
            assertThat(h.isDirect()).isFalse();
            assertThat(h.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(h.position()).isZero();
            assertThat(h.remaining()).isEqualTo(size);
            assertThat(h.get(0)).as("the first remaining byte").isEqualTo((byte) 5);
            assertThat(heap.position()).as("the sender's buffer is not moved").isEqualTo(5);
            ByteBuffer d = (ByteBuffer) back.values().get(1);
            assertThat(d.isDirect()).isTrue();
            assertThat(d.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
            assertThat(d.get(size - 1)).isEqualTo((byte) 42);
            assertThat(((ByteBuffer) back.values().get(2)).isReadOnly()).isTrue();
        }
    }

    @Test
    void aReadOfASegmentReusedSinceFailsInsteadOfReturningOtherData() throws Exception {
        byte[] first = new byte[200_000];
        Arrays.fill(first, (byte) 1);
        ObjectCodec.Encoded e = ObjectCodec.encode(first, null, writer, Integer.MAX_VALUE - 8);
        e.release(); // the task ended (cancelled, say) before a worker read it
        byte[] second = new byte[200_000];
        ObjectCodec.Encoded reuse = ObjectCodec.encode(second, null, writer, Integer.MAX_VALUE - 8);
        assertThat(reuse.leases().getFirst().entry().path())
                .as("the free segment was reused")
                .isEqualTo(e.leases().getFirst().entry().path());
        assertThatThrownBy(() -> ObjectCodec.decode(e.bytes(), null, null, reader))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reused");
        assertThat((byte[]) ObjectCodec.decode(reuse.bytes(), null, null, reader))
                .isEqualTo(second);
        reuse.release();
    }

    @Test
    void aWriterReclaimedByItsReaderReusesASegmentOnlyOnceItWasMarkedRead() throws Exception {
        try (BulkWriter results = new BulkWriter(THRESHOLD, true)) {
            ObjectCodec.Encoded a = ObjectCodec.encode(new byte[100_000], null, results, Integer.MAX_VALUE - 8);
            ObjectCodec.Encoded b = ObjectCodec.encode(new byte[100_000], null, results, Integer.MAX_VALUE - 8);
            assertThat(b.leases().getFirst().entry().path())
                    .as("not yet read: a second segment")
                    .isNotEqualTo(a.leases().getFirst().entry().path());
            BulkReader.release(BulkTable.entries(a.bytes()));
            ObjectCodec.Encoded c = ObjectCodec.encode(new byte[100_000], null, results, Integer.MAX_VALUE - 8);
            assertThat(c.leases().getFirst().entry().path())
                    .as("read and marked: reused")
                    .isEqualTo(a.leases().getFirst().entry().path());
            assertThat(results.paths()).hasSize(2);
        }
    }

    /** Was: a fresh segment looked read (0 == 0) to a second thread while the first still wrote it. */
    @Test
    void concurrentWritersReclaimedByTheirReaderNeverShareASegment() throws Exception {
        try (BulkWriter results = new BulkWriter(THRESHOLD, true)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int t = 0; t < 4; t++) {
                byte mark = (byte) (t + 1);
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            byte[] value = new byte[100_000 + 4096 * (i % 3)];
                            Arrays.fill(value, mark);
                            ObjectCodec.Encoded e = ValueCodec.encode(value, results, Integer.MAX_VALUE - 8);
                            byte[] back = (byte[]) ValueCodec.decode(e.bytes(), null, null, reader);
                            BulkReader.release(BulkTable.entries(e.bytes()));
                            if (!Arrays.equals(back, value)) {
                                throw new AssertionError("thread " + mark + " read another thread's bytes");
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void closingTheWriterDeletesItsSegmentsAndTrimDeletesFreeOnes() throws Exception {
        ObjectCodec.Encoded e = ObjectCodec.encode(new byte[100_000], null, writer, Integer.MAX_VALUE - 8);
        Path file = Path.of(e.leases().getFirst().entry().path());
        assertThat(file).exists();
        assertThat(writer.trim(0)).as("leased: kept").isTrue();
        assertThat(file).exists();
        e.release();
        assertThat(writer.trim(0)).as("free: deleted").isFalse();
        assertThat(file).doesNotExist();
        ObjectCodec.Encoded again = ObjectCodec.encode(new byte[100_000], null, writer, Integer.MAX_VALUE - 8);
        writer.close();
        assertThat(Path.of(again.leases().getFirst().entry().path())).doesNotExist();
    }

    @Test
    void aPayloadOverTheLimitFailsNamingItsSizeAndTheLimit() {
        assertThatThrownBy(() -> ObjectCodec.encode("x".repeat(5000), null, writer, 1000))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.limit()).isEqualTo(1000);
                    assertThat(e.size()).isGreaterThan(1000);
                    assertThat(e.getMessage())
                            .contains("over the limit of 1000 bytes")
                            .contains("shared memory");
                });
        assertThat(writer.paths()).isEmpty();
    }

    @Test
    void largeArraysDoNotCountAgainstTheFrameLimit() throws Exception {
        ObjectCodec.Encoded e = ObjectCodec.encode(new double[1 << 20], null, writer, 4096);
        assertThat(e.sharedBytes()).isEqualTo(8L << 20);
        e.release();
    }

    @Test
    void aTableThatNamesAFileOutsideTheSegmentDirectoryIsRefused() throws Exception {
        Path outside = Files.createTempFile("not-a-segment", ".bin");
        try {
            Files.write(outside, new byte[4096]);
            BulkEntry e = new BulkEntry(outside.toString(), 0, 0, BulkEntry.KIND_BYTES, 10, (byte) 0);
            assertThatThrownBy(() -> reader.take(e))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(SharedSegment.directory().toString());
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void valuesFromSharedMemoryFailWhenNoReaderMayTakeThem() throws Exception {
        ObjectCodec.Encoded e = ObjectCodec.encode(new byte[100_000], null, writer, Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> ObjectCodec.decode(e.bytes(), null, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("shared-memory");
        e.release();
    }

    @Test
    void aLargeByteArrayResultTravelsThroughSharedMemoryAndASmallOneCompactly() throws Exception {
        ObjectCodec.Encoded large = ValueCodec.encode(new byte[100_000], writer, Integer.MAX_VALUE - 8);
        assertThat(large.leases()).hasSize(1);
        assertThat((byte[]) ValueCodec.decode(large.bytes(), null, null, reader))
                .hasSize(100_000);
        large.release();
        ObjectCodec.Encoded small = ValueCodec.encode(new byte[10], writer, Integer.MAX_VALUE - 8);
        assertThat(small.leases()).isEmpty();
        assertThat(small.bytes()).hasSize(11);
    }

    @Test
    void chunkedBytesCopyOnceIntoAnArrayOfTheExactSize() throws IOException {
        ChunkedBytes out = new ChunkedBytes(Long.MAX_VALUE);
        byte[] expected = new byte[3_000_000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i * 13);
        }
        out.write(expected, 0, 1000);
        for (int i = 1000; i < 2000; i++) {
            out.write(expected[i]);
        }
        out.write(expected, 2000, expected.length - 2000);
        assertThat(out.size()).isEqualTo(expected.length);
        assertThat(out.toByteArray()).isEqualTo(expected);
    }

    @Test
    void aMalformedTableIsAProtocolError() {
        byte[] payload = {BulkTable.MARK, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> BulkTable.parse(payload)).isInstanceOf(IOException.class);
        assertThat(BulkTable.entries(payload)).isEmpty();
    }
}
