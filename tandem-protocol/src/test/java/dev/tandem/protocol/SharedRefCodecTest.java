package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.ipc.SharedByteArray;
import dev.tandem.ipc.SharedDoubleArray;
import dev.tandem.ipc.SharedLongArray;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shared arrays at the codec level ({@link SharedRef}): they leave the stream as their handle
 * whatever their size, come back as the same memory, and a worker's own array changes owner. Both
 * ends run in this JVM: the "worker" side is the one with {@link TaskShares}.
 */
class SharedRefCodecTest {
    private final BulkWriter writer = new BulkWriter(BulkWriter.DEFAULT_THRESHOLD, false);
    private final BulkReader reader = new BulkReader("raise it");

    @AfterEach
    void closeLane() {
        writer.close();
        reader.close();
    }

    record Holder(List<Object> values) implements Serializable {}

    @Test
    void aCallersArrayTravelsAsItsHandleWhateverItsSizeAndResolvesToTheSameMemory() throws Exception {
        try (SharedByteArray one = SharedByteArray.create(1);
                SharedLongArray large = SharedLongArray.create(32 << 20)) { // 256 MiB, never touched
            ObjectCodec.Encoded e = ObjectCodec.encode(new Holder(List.of(one, large)), null, writer, 1 << 20);
            assertThat(e.leases()).as("nothing is copied").isEmpty();
            assertThat(e.bytes().length).isLessThan(2048);
            TaskShares shares = TaskShares.inWorker();
            Holder inWorker = (Holder) ObjectCodec.decode(e.bytes(), null, null, reader, shares);
            // In one JVM the reader finds the array open (a worker JVM maps it for the task; the
            // pool's tests check that it unmaps it when the task ends).
            SharedLongArray attached = (SharedLongArray) inWorker.values().get(1);
            attached.set((32 << 20) - 1, 5);
            assertThat(large.get((32 << 20) - 1)).isEqualTo(5);
            ((SharedByteArray) inWorker.values().get(0)).set(0, (byte) 3);
            assertThat(one.get(0)).isEqualTo((byte) 3);
            shares.close();
            assertThat(large.get((32 << 20) - 1))
                    .as("the caller's array lives on")
                    .isEqualTo(5);
            // Back in the caller (no shares), its own array is the same object.
            Holder back = (Holder) ObjectCodec.decode(e.bytes(), null, null, reader);
            assertThat(back.values().get(1)).isSameAs(large);
        }
    }

    @Test
    void anArrayAWorkerReturnsIsHandedOverAndTheCallerAdoptsIt() throws Exception {
        SharedDoubleArray made = SharedDoubleArray.create(2);
        made.set(1, 2.5);
        Path file = Path.of(made.handle().path());
        TaskShares shares = TaskShares.inWorker();
        ObjectCodec.Encoded e = ValueCodec.encode(made, writer, 1 << 20, shares);
        shares.close();
        assertThat(file).as("the worker's close no longer deletes it").exists();
        SharedDoubleArray adopted = (SharedDoubleArray) ValueCodec.decode(e.bytes(), null, null, reader);
        assertThat(adopted.get(1)).isEqualTo(2.5);
        adopted.close();
        assertThat(file).as("the adopter's close does").doesNotExist();
    }

    @Test
    void aResultThatWasNotSentGivesItsArraysBackToTheWorker() throws Exception {
        SharedByteArray made = SharedByteArray.create(1);
        Path file = Path.of(made.handle().path());
        TaskShares shares = TaskShares.inWorker();
        ValueCodec.encode(made, writer, 1 << 20, shares);
        shares.resultNotSent();
        shares.close();
        assertThat(file).as("deleted with the task").doesNotExist();
    }

    @Test
    void aDirectBufferOverASharedArrayTravelsByReference() throws Exception {
        try (SharedByteArray array = SharedByteArray.create(1 << 20)) {
            ByteBuffer view = array.memory().asSlice(16, 100).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            ObjectCodec.Encoded e = ObjectCodec.encode(view, null, writer, 1 << 20);
            assertThat(e.leases()).isEmpty();
            TaskShares shares = TaskShares.inWorker();
            ByteBuffer inWorker = (ByteBuffer) ObjectCodec.decode(e.bytes(), null, null, reader, shares);
            assertThat(inWorker.capacity()).isEqualTo(100);
            assertThat(inWorker.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            inWorker.putInt(0, 0x01020304);
            assertThat(array.get(16)).isEqualTo((byte) 4);
            shares.close();
            // A plain direct buffer is copied as before.
            ByteBuffer plain = ByteBuffer.allocateDirect(10);
            ObjectCodec.Encoded copied = ObjectCodec.encode(plain, null, writer, 1 << 20);
            assertThat(ObjectCodec.decode(copied.bytes(), null, null, reader)).isNotSameAs(plain);
        }
    }

    @Test
    void aClosedArrayOrALaneThatIsOffFailsNamingWhatToDo() throws Exception {
        SharedLongArray closed = SharedLongArray.create(1);
        closed.close();
        assertThatThrownBy(() -> ObjectCodec.encode(closed, null, writer, 1 << 20))
                .isInstanceOf(SharedArrayException.class)
                .hasMessageContaining("is closed");
        try (SharedLongArray open = SharedLongArray.create(1)) {
            assertThatThrownBy(() -> ObjectCodec.encode(open, null, new BulkWriter(0, false), 1 << 20))
                    .isInstanceOf(SharedArrayException.class)
                    .hasMessageContaining("only to worker JVMs on this machine");
        }
    }

    @Test
    void theDecodingFilterAllowsWhatAReferenceResolvesTo() throws Exception {
        DecodingFilter filter = new DecodingFilter(List.of(), 40, 1000, 1000, 1 << 20);
        try (SharedLongArray array = SharedLongArray.create(1)) {
            ObjectCodec.Encoded e = ObjectCodec.encode(array, null, writer, 1 << 20);
            assertThat(ObjectCodec.decode(e.bytes(), null, filter, reader)).isSameAs(array);
        }
    }
}
