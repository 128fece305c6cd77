package dev.tandem;

import dev.tandem.TaskSerializationException.Boundary;
import dev.tandem.protocol.BulkWriter;
import dev.tandem.protocol.DecodingFilter;
import dev.tandem.protocol.FrameTooLargeException;
import dev.tandem.protocol.FrameType;
import dev.tandem.protocol.HeapRoom;
import dev.tandem.protocol.ObjectCodec;
import dev.tandem.protocol.SharedArrayException;
import dev.tandem.protocol.WorkerLaunch;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Serializes tasks and the initializer in the calling thread, so that an unserializable task is
 * rejected at once by {@code submit}, naming its class. The classes a task carries are taught to
 * the pool's {@link DecodingFilter}, so that its result may use them. The bytes of a stateless task
 * class (see {@link StatelessTasks}) are encoded once and reused.
 *
 * <p>With the pool's {@link BulkLane}, the large primitive arrays and {@code ByteBuffer}s a task
 * carries are copied into shared memory here, and the task's frame carries only where they are: the
 * copy is made at {@code submit}, so the caller may change its arrays as soon as {@code submit}
 * returns. A task whose frame would exceed the protocol's limit, or whose data cannot fit in a
 * worker's heap, is refused here with a {@link TaskSerializationException} naming the sizes, the
 * limit and what raises it.
 *
 * <p>Thread-safe.
 */
final class TaskEncoder {
    /**
     * A serialized task.
     *
     * @param bytes the frame's payload
     * @param stateless whether its class has no state
     * @param leases the shared memory its arrays and buffers were copied into; released when the
     *     task's future is done
     */
    record Encoded(byte[] bytes, boolean stateless, List<BulkWriter.Lease> leases) {}

    /** The longest task payload: a frame less its header. */
    static final int MAX_TASK_BYTES = WorkerLaunch.MAX_FRAME_BYTES - FrameType.HEADER_AFTER_LENGTH;

    private final DecodingFilter filter;
    /** Checks that workers can load a class a task carries; throws TaskSerializationException if not. */
    private final Consumer<Class<?>> loadable;
    /** The shared-memory lane; {@linkplain BulkLane#off() off} keeps everything in the frame. */
    private final BulkLane lane;
    /** The longest task payload. */
    private final int maxTaskBytes;
    /** The bytes of stateless task classes, encoded once. */
    private final ConcurrentHashMap<Class<?>, byte[]> statelessBytes = new ConcurrentHashMap<>();

    TaskEncoder(DecodingFilter filter, Consumer<Class<?>> loadable, BulkLane lane) {
        this(filter, loadable, lane, MAX_TASK_BYTES);
    }

    /** @param maxTaskBytes the longest task payload; the protocol's limit but in tests */
    TaskEncoder(DecodingFilter filter, Consumer<Class<?>> loadable, BulkLane lane, int maxTaskBytes) {
        this.filter = filter;
        this.loadable = loadable;
        this.lane = Objects.requireNonNull(lane, "lane");
        this.maxTaskBytes = maxTaskBytes;
    }

    /**
     * Serializes a task.
     *
     * @throws TaskSerializationException naming the task and what could not be serialized
     */
    Encoded encode(Callable<?> callable) {
        TaskWrappers.refuseWrapper(callable);
        if (!(callable instanceof Serializable)) {
            throw notSerializable(callable, "Callable");
        }
        boolean stateless = StatelessTasks.isStateless(callable);
        byte[] bytes = stateless ? statelessBytes.get(callable.getClass()) : null;
        if (bytes != null) {
            return new Encoded(bytes, true, List.of());
        }
        ObjectCodec.Encoded encoded;
        try {
            encoded = ObjectCodec.encode(callable, this::classWritten, stateless ? null : lane.writer(), maxTaskBytes);
            if (stateless) {
                statelessBytes.putIfAbsent(callable.getClass(), encoded.bytes());
            }
        } catch (TaskSerializationException e) {
            throw e; // a class that workers cannot load, from classWritten
        } catch (FrameTooLargeException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(userTask(callable)) + " is " + e.getMessage(),
                    e);
        } catch (SharedArrayException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(userTask(callable)) + " cannot be sent: " + e.getMessage(),
                    e);
        } catch (NotSerializableException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(userTask(callable))
                            + " cannot be serialized: it refers to an object of class " + e.getMessage()
                            + ", which is not Serializable. Make that class Serializable, mark the field"
                            + " transient, or capture only serializable values in the task",
                    e);
        } catch (IOException | RuntimeException e) {
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(userTask(callable)) + " cannot be serialized: " + e,
                    e);
        }
        checkFits(callable, encoded);
        return new Encoded(encoded.bytes(), stateless, encoded.leases());
    }

    /**
     * Refuses a task whose data a worker's heap cannot hold: it would fail there anyway, after its
     * bytes were sent. Only when the workers' maximum heap is known, and only beyond it.
     */
    private void checkFits(Callable<?> callable, ObjectCodec.Encoded encoded) {
        long heap = lane.workerHeapBytes();
        long data = encoded.bytes().length + encoded.sharedBytes();
        if (heap > 0 && data > heap) {
            encoded.release();
            throw new TaskSerializationException(
                    Boundary.ENCODE_TASK_IN_CALLER,
                    ThreadTaskPool.describe(userTask(callable)) + " carries " + data + " bytes (" + HeapRoom.mib(data)
                            + ": " + HeapRoom.mib(encoded.sharedBytes()) + " of arrays and buffers through shared"
                            + " memory, " + HeapRoom.mib(encoded.bytes().length) + " serialized), more than a worker's"
                            + " heap of " + heap + " bytes (" + HeapRoom.mib(heap) + ") can hold; give workers a"
                            + " larger heap with jvmOptions(\"-Xmx<size>\"), or pass the data in pieces",
                    null);
        }
    }

    /** A class in a task's serialized form: results may hold it, and workers must be able to load it. */
    private void classWritten(Class<?> c) {
        filter.learn(c);
        loadable.accept(c);
    }

    /** {@return a task that runs {@code runnable} and returns {@code value}} */
    static <T> Callable<T> callable(Runnable runnable, T value) {
        TaskWrappers.refuseWrapper(runnable);
        if (!(runnable instanceof Serializable)) {
            throw notSerializable(runnable, "Runnable");
        }
        return new RunnableTask<>(runnable, value);
    }

    /** {@return the user's object inside a task: the Runnable of a wrapped one, else the task itself} */
    static Object userTask(Object task) {
        return task instanceof RunnableTask<?> r ? r.runnable() : task;
    }

    static TaskSerializationException notSerializable(Object task, String kind) {
        return new TaskSerializationException(
                Boundary.ENCODE_TASK_IN_CALLER,
                ThreadTaskPool.describe(task)
                        + " is a " + kind + " that is not Serializable, so it cannot be sent to a worker JVM;"
                        + " declare the lambda as dev.tandem.Task (pool.submit(() -> ...) does) or make the"
                        + " class implement java.io.Serializable",
                null);
    }

    /** {@return the initializer serialized as a Callable, or an empty array for none} */
    static byte[] initializer(WorkerInitializer initializer) {
        if (initializer == null) {
            return new byte[0];
        }
        try {
            return ObjectCodec.encode(new InitializerTask(initializer), null);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "the initializer cannot be serialized (" + e
                            + "): declare it as a lambda or a Serializable class and capture only serializable values",
                    e);
        }
    }

    /** Carries the initializer to the worker as a Callable, the only type the worker knows. */
    record InitializerTask(WorkerInitializer initializer) implements Callable<Void>, Serializable {
        @Override
        public Void call() throws Exception {
            initializer.initialize();
            return null;
        }
    }

    /** Adapts a serializable Runnable to a task that returns {@code value}. */
    record RunnableTask<T>(Runnable runnable, T value) implements Task<T> {
        @Override
        public T call() {
            runnable.run();
            return value;
        }
    }
}
