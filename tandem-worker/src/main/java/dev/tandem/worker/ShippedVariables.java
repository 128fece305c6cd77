package dev.tandem.worker;

import dev.tandem.protocol.MessageCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Sets the top-level variables of a jshell wrapper class copied to this worker by the caller (see
 * {@code dev.tandem.JShellVariables}): the copied class's static initialiser calls
 * {@link #restore} first. Its values were written next to its class file, in
 * {@code <class>.statics} ({@link MessageCodec.JShellStatics}).
 *
 * <p>Public only because copied classes of another package call it; the module exports nothing,
 * and workers run on the class path. Thread-safe (class initialisation runs once).
 */
public final class ShippedVariables {
    private ShippedVariables() {}

    /**
     * Sets {@code wrapper}'s static fields to the values the caller copied.
     *
     * @param wrapper a jshell wrapper class, from its own static initialiser
     * @throws IllegalStateException if the values cannot be read or set (the class then fails to
     *     initialise, and the task that needed it with it, naming the cause)
     */
    public static void restore(Class<?> wrapper) {
        String resource = "/" + wrapper.getName().replace('.', '/') + ".statics";
        try (InputStream file = wrapper.getResourceAsStream(resource)) {
            if (file == null) {
                return;
            }
            for (Map.Entry<String, byte[]> v : MessageCodec.JShellStatics.decode(file.readAllBytes())
                    .values()
                    .entrySet()) {
                Field f = wrapper.getDeclaredField(v.getKey());
                f.setAccessible(true);
                try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(v.getValue()))) {
                    f.set(null, o.readObject());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the jshell variables of " + wrapper.getName(), e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot set the jshell variables of " + wrapper.getName() + ": " + e, e);
        }
    }
}
