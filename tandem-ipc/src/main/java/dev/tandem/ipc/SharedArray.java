package dev.tandem.ipc;

import dev.tandem.ipc.passing.ArrayPassing;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the shared arrays have in common: one segment laid out by {@link ArrayDescriptor}, its
 * elements, their number, bounds checks, and the segment's lifecycle. Each subclass adds the typed
 * element access for its primitive, as {@code java.nio}'s buffers do.
 *
 * <p>The open arrays of this process are kept in {@link #OPEN}, so that a Tandem pool's codec can
 * pass them by reference ({@link ArrayPassing}): an array that comes back is the same object, and a
 * direct buffer over an array's elements travels as that array's handle.
 */
abstract sealed class SharedArray implements AutoCloseable permits SharedByteArray, SharedDoubleArray, SharedLongArray {
    /** The open arrays of this process: added when made, removed by {@link #close()}. */
    private static final Set<SharedArray> OPEN = ConcurrentHashMap.newKeySet();

    static {
        ArrayPassing.install(new Passing());
    }

    /** The elements; element {@code i} starts at byte {@code i * elementBytes}. */
    final MemorySegment elements;

    private final SharedSegment segment;

    private final long length;
    private final int elementBytes;
    /** Attached by a pool's codec for one task: closed when the task ends, never handed out again. */
    private volatile boolean lent;

    SharedArray(SharedSegment segment, int elementBytes) {
        this.segment = segment;
        this.elementBytes = elementBytes;
        this.elements = ArrayDescriptor.elements(segment.whole(), elementBytes);
        this.length = elements.byteSize() / elementBytes;
        OPEN.add(this);
    }

    static SharedSegment create(Kind kind, long length, int elementBytes) throws IOException {
        long size = ArrayDescriptor.segmentSize(length, elementBytes);
        return SharedSegment.create(
                kind, ArrayDescriptor.VERSION, size, whole -> ArrayDescriptor.initialize(whole, length, elementBytes));
    }

    static SharedSegment attach(SegmentHandle handle, Kind kind) throws IOException {
        return SharedSegment.attach(handle, kind, ArrayDescriptor.VERSION);
    }

    /** {@return the number of elements} */
    public long length() {
        return length;
    }

    /**
     * {@return the elements as memory, for bulk and vectorised access without a copy} Element
     * {@code i} is at byte offset {@code i} times the element size. Valid until {@link #close()}.
     */
    public MemorySegment memory() {
        return elements;
    }

    /** {@return a handle that another process can attach} */
    public SegmentHandle handle() {
        return segment.handle();
    }

    /**
     * Unmaps the array; if this process owns it (created it, or received it as the result of a
     * Tandem task that created it), also deletes it. Idempotent.
     */
    @Override
    public void close() {
        OPEN.remove(this);
        segment.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[length=" + length + ", "
                + segment.handle().path() + "]";
    }

    /** The pool codec's view of the shared arrays (see {@link ArrayPassing}). */
    private static final class Passing implements ArrayPassing.Access {
        @Override
        public boolean isSharedArray(Object value) {
            return value instanceof SharedArray;
        }

        @Override
        public SegmentHandle handleOf(Object value) throws IOException {
            SharedArray a = (SharedArray) value;
            SegmentHandle h = a.segment.handle();
            if (a.segment.isClosed()) {
                throw new IOException(a.getClass().getSimpleName() + " " + h.path() + " is closed: a task or result"
                        + " can carry only an open shared array; close it once the task's future is done (a worker"
                        + " returns its array without closing it: the caller then owns it)");
            }
            if (!Files.isRegularFile(Path.of(h.path()), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(a.getClass().getSimpleName() + " " + h.path() + " is stale: its creator closed"
                        + " it or died, so no other process can attach it; create a new array");
            }
            return h;
        }

        @Override
        public boolean handOver(Object value) {
            return ((SharedArray) value).segment.handOver();
        }

        @Override
        public void takeBack(Object value) {
            ((SharedArray) value).segment.takeBack();
        }

        @Override
        public Object open(String path) {
            for (SharedArray a : OPEN) {
                if (!a.lent
                        && !a.segment.isClosed()
                        && a.segment.handle().path().equals(path)) {
                    return a;
                }
            }
            return null;
        }

        @Override
        public Object attach(SegmentHandle handle, boolean lent, boolean adopt) throws IOException {
            SharedArray a = switch (Kind.named(handle.kind())) {
                case BYTE_ARRAY -> SharedByteArray.attach(handle);
                case LONG_ARRAY -> SharedLongArray.attach(handle);
                case DOUBLE_ARRAY -> SharedDoubleArray.attach(handle);
                default -> throw new IOException("protocol error: " + handle.path() + " is not a shared array");
            };
            a.lent = lent;
            if (adopt) {
                a.segment.adopt();
            }
            return a;
        }

        @Override
        public void close(Object array) {
            ((SharedArray) array).close();
        }

        @Override
        public ArrayPassing.View viewed(ByteBuffer buffer) {
            if (!buffer.isDirect() || OPEN.isEmpty()) {
                return null;
            }
            MemorySegment b = MemorySegment.ofBuffer(buffer);
            for (SharedArray a : OPEN) {
                long offset = b.address() - a.elements.address();
                if (!a.segment.isClosed() && offset >= 0 && offset + b.byteSize() <= a.elements.byteSize()) {
                    return new ArrayPassing.View(a, offset);
                }
            }
            return null;
        }

        @Override
        public ByteBuffer buffer(Object array, long offset, int length) {
            return ((SharedArray) array).elements.asSlice(offset, length).asByteBuffer();
        }
    }

    /** {@return the segment; for tests} */
    SharedSegment segment() {
        return segment;
    }

    /** {@return the byte offset of element {@code index}, checked} */
    final long offset(long index) {
        return Objects.checkIndex(index, length) * elementBytes;
    }

    /** {@return the byte offset of {@code count} elements from {@code index}, checked} */
    final long offset(long index, int count) {
        return Objects.checkFromIndexSize(index, count, length) * elementBytes;
    }
}
