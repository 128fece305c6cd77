package dev.tandem.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The Tandem build a JVM runs, as far as the wire is concerned: a digest of the class files that
 * define every byte callers, nodes and workers exchange (the protocol's codecs, the worker's main
 * class, the cluster's messages). A node refuses a caller whose build differs: the node's launcher
 * would speak its own protocol to workers started from the caller's shipped jars.
 */
final class Build {
    /** The classes whose bytes make the id; their own class files are read, so any change shows. */
    private static final List<String> WIRE_CLASSES = List.of(
            "dev.tandem.protocol.FrameType",
            "dev.tandem.protocol.FrameReader",
            "dev.tandem.protocol.FrameWriter",
            "dev.tandem.protocol.MessageCodec",
            "dev.tandem.protocol.ValueCodec",
            "dev.tandem.protocol.ObjectCodec",
            "dev.tandem.protocol.ThrowableCodec",
            "dev.tandem.worker.WorkerMain",
            "dev.tandem.cluster.Wire",
            "dev.tandem.cluster.NodeCall",
            "dev.tandem.cluster.NodeService$SessionSpec");

    private static final String ID = compute();

    private Build() {}

    /** {@return the build id: the first 16 hex digits of the digest} */
    static String id() {
        return ID;
    }

    private static String compute() {
        MessageDigest d = ClassPathShipment.digest();
        for (String name : WIRE_CLASSES) {
            d.update(name.getBytes(StandardCharsets.UTF_8));
            try {
                Class<?> c = Class.forName(name, false, Build.class.getClassLoader());
                String file = name.substring(name.lastIndexOf('.') + 1) + ".class";
                try (InputStream in = c.getResourceAsStream(file)) {
                    if (in != null) {
                        d.update(in.readAllBytes());
                    }
                }
            } catch (ClassNotFoundException | IOException e) {
                d.update((byte) 0); // absent: part of the id too
            }
        }
        return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    }
}
