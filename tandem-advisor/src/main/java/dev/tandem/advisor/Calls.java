package dev.tandem.advisor;

import dev.tandem.Task;
import dev.tandem.TaskFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * What crosses from the advisor to a worker and back during a trial: the {@link Call} that applies
 * the user's function to one input and times it where it runs, the {@link Sample} it returns, and the
 * result's bytes, decoded in the caller with the user's class loader. Stateless.
 */
final class Calls {
    private Calls() {}

    /** {@return the object that {@code bytes} serialize, resolving classes through {@code loader}} */
    static Object decode(byte[] bytes, ClassLoader loader) {
        try (ObjectInputStream in = new LoaderInputStream(new ByteArrayInputStream(bytes), loader)) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot decode the task's result in the caller: " + e, e);
        }
    }

    /**
     * The task the advisor submits: applies the user's function to one input and times it where it
     * runs. In isolated modes it serializes the result itself, so that the caller can decode it
     * with the user's class loader.
     */
    record Call(TaskFunction<Object, Object> fn, Object input, int index, boolean copyResult) implements Task<Sample> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Sample call() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            Object result = fn.apply(input);
            long end = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();
            boolean comparable = result != null && ProbeWorker.comparable(result);
            int hash = result == null ? 0 : Arrays.deepHashCode(new Object[] {result});
            return new Sample(
                    index,
                    start,
                    end,
                    c0 < 0 || c1 < 0 ? -1 : c1 - c0,
                    copyResult ? encode(result) : null,
                    hash,
                    comparable || result == null);
        }
    }

    /**
     * What a {@link Call} returns.
     *
     * @param index the input's index
     * @param startNanos {@code System.nanoTime()} when the task began, in the JVM that ran it
     * @param endNanos when it ended
     * @param cpuNanos CPU time of the task's thread, or -1
     * @param result the serialized result in isolated modes, else null
     * @param resultHash a hash of the result, to compare runs
     * @param comparable whether the hash reflects the value
     */
    record Sample(
            int index, long startNanos, long endNanos, long cpuNanos, byte[] result, int resultHash, boolean comparable)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** The user's function, its result serialized in the worker (for {@code map} in isolated modes). */
    record Encoded(TaskFunction<Object, Object> fn) implements TaskFunction<Object, Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object input) {
            return encode(fn.apply(input));
        }
    }

    static byte[] encode(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the task's result: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Resolves classes through the user's class loader. */
    private static final class LoaderInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
