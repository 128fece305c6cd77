package dev.tandem.lab;

import dev.tandem.Task;
import dev.tandem.ipc.SegmentHandle;
import dev.tandem.ipc.SharedByteArray;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Hands data to a worker JVM through shared memory instead of the task channel: the data lives in a
 * {@link SharedByteArray} of {@code dev.tandem.ipc}, and the task carries only its
 * {@link SegmentHandle}; the worker attaches the same pages and reads them in place.
 *
 * <p>This is the one class the sharing experiment uses for shared memory: it only calls
 * {@link #create}, {@link #write}, {@link #sumTask} and {@link #close}. Not thread-safe; the segment
 * is deleted by {@link #close()}.
 */
final class SharedMemoryHandoff implements AutoCloseable {
    private final SharedByteArray array;

    private SharedMemoryHandoff(SharedByteArray array) {
        this.array = array;
    }

    /** Creates a shared array of {@code length} bytes. */
    static SharedMemoryHandoff create(long length) throws IOException {
        return new SharedMemoryHandoff(SharedByteArray.create(length));
    }

    /** Copies {@code data} into the shared array (the producer writing its data where consumers can see it). */
    void write(byte[] data) {
        array.copyFrom(data, 0, 0, data.length);
    }

    /** {@return a task that sums the shared bytes in whichever JVM runs it} */
    Task<Long> sumTask() {
        return new SumShared(array.handle());
    }

    @Override
    public void close() {
        array.close();
    }

    /** Attaches the shared array, sums it in place, detaches. */
    record SumShared(SegmentHandle handle) implements Task<Long> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() {
            try (SharedByteArray a = SharedByteArray.attach(handle)) {
                return Checksum.sum(a.memory());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The work every hand-off variant does with the data: read every byte once. */
    static final class Checksum {
        private Checksum() {}

        static long sum(MemorySegment s) {
            long n = s.byteSize();
            long words = n / 8;
            long acc = 0;
            for (long i = 0; i < words; i++) {
                acc += s.get(ValueLayout.JAVA_LONG_UNALIGNED, i * 8);
            }
            for (long i = words * 8; i < n; i++) {
                acc += s.get(ValueLayout.JAVA_BYTE, i);
            }
            return acc;
        }

        static long sum(byte[] data) {
            return sum(MemorySegment.ofArray(data));
        }
    }
}
