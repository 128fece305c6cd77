package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a hostile worker could send back cannot exhaust the caller. */
class DecodingFilterTest {
    private static final DecodingFilter FILTER =
            new DecodingFilter(List.of(), 40, 10_000_000, Integer.MAX_VALUE - 8, 1 << 30);

    @Test
    void aHugeDeclaredArrayInATinyPayloadIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] bytes = ObjectCodec.encode(new long[] {7L}, null);
        // the array length is the int just before the 8 bytes of its one element
        int at = bytes.length - 8 - 4;
        byte[] hostile = bytes.clone();
        hostile[at] = 0x10; // 2^28 longs: 2 GiB
        assertThatThrownBy(() -> ObjectCodec.decode(hostile, null, FILTER)).isInstanceOf(InvalidClassException.class);
        assertThat((long[]) decode(bytes)).containsExactly(7L);
    }

    @Test
    void deeplyNestedHashSetsAreRefusedByDepth() throws IOException {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 60; i++) { // the "SerialDOS" shape: decoding time doubles per level
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("x" + i);
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        byte[] bytes = ObjectCodec.encode(root, null);
        assertThatThrownBy(() -> ObjectCodec.decode(bytes, null, FILTER)).isInstanceOf(InvalidClassException.class);
    }

    @Test
    void classesNeitherAllowedNorLearnedAreRefusedAndLearnedOnesPass() throws IOException {
        byte[] bytes = ObjectCodec.encode(new Payload(3), null);
        assertThatThrownBy(() -> ObjectCodec.decode(bytes, null, FILTER)).isInstanceOf(InvalidClassException.class);
        DecodingFilter learning = new DecodingFilter(List.of(), 40, 1000, 1000, 1 << 20);
        learning.learn(Payload.class);
        assertThat(decode(bytes, learning)).isEqualTo(new Payload(3));
    }

    @Test
    void aMalformedExceptionDescriptionIsAnErrorNotACrash() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeInt(0);
            d.writeByte(1);
            d.writeInt(Integer.MAX_VALUE); // a class name longer than anything sent
        }
        assertThatThrownBy(() -> ThrowableCodec.decode(
                        b.toByteArray(), null, FILTER, (name, message) -> new RuntimeException(message)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void anExceptionWhoseMethodsThrowIsStillDescribed() throws IOException {
        Throwable decoded = ThrowableCodec.decode(
                ThrowableCodec.encode(new Unspeakable()),
                null,
                FILTER,
                (name, message) -> new RuntimeException(name + ": " + message));
        assertThat(decoded).hasMessageContaining(Unspeakable.class.getName());
    }

    private static Object decode(byte[] bytes) throws IOException {
        return decode(bytes, FILTER);
    }

    private static Object decode(byte[] bytes, DecodingFilter filter) throws IOException {
        try {
            return ObjectCodec.decode(bytes, null, filter);
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }

    /** A value class of a package the filter has not learned. */
    record Payload(int n) implements Serializable {}

    /** An exception whose every method a description needs throws, and that cannot be serialized. */
    static final class Unspeakable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings("unused")
        private final transient Object notSerializable = new Object();

        @Override
        public String getMessage() {
            throw new IllegalStateException("no message");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new IllegalStateException("no stack");
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("no cause");
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new NotSerializableException("Unspeakable");
        }
    }
}
