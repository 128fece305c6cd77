package evil;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/** Stands for a gadget class: counts every time deserialization brings one to life. */
public final class Gadget implements Serializable {
    /** Deserializations in this JVM. */
    public static final AtomicInteger DESERIALIZED = new AtomicInteger();

    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        DESERIALIZED.incrementAndGet();
    }
}
