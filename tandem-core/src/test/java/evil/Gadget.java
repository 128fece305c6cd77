package evil;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/** Stands for a gadget class: counts every time deserialization brings one to life. */
public final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Deserializations in this JVM. */
    public static final AtomicInteger DESERIALIZED = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        DESERIALIZED.incrementAndGet();
    }
}
