package dev.tandem.ipc;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names a shared-memory segment so that another process can attach it: a task carries it to a
 * worker JVM (it is {@link Serializable}), which passes it to the matching {@code attach} method,
 * such as {@link SharedQueue#attach(SegmentHandle)}.
 *
 * <p>A handle is only a name: it grants nothing that the file system would not (segment files are
 * readable and writable by their owner only), and it goes stale when the segment's creator closes
 * it or dies. Immutable and thread-safe.
 *
 * @param kind what the segment holds, such as {@code "queue"}; checked on attach
 * @param path the absolute path of the segment's file
 * @param size the segment's size in bytes, header included; checked on attach
 */
public record SegmentHandle(String kind, String path, long size) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks the components. */
    public SegmentHandle {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Kind.named(kind);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute, was " + path);
        }
        if (size < SegmentDescriptor.LENGTH) {
            throw new IllegalArgumentException("size must be >= " + SegmentDescriptor.LENGTH + ", was " + size);
        }
    }
}
