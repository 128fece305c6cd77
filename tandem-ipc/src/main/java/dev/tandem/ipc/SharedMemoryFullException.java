package dev.tandem.ipc;

import java.io.IOException;

/**
 * A segment could not be created because the file system of the segment directory has no room for
 * it: typically {@code /dev/shm} is full or small (a container's default is 64 MiB). Thrown by every
 * {@code create} of this package when the memory of a new segment cannot be reserved; nothing is
 * left behind. A segment that was created has all its memory reserved, so using it can never fault
 * for want of space later.
 *
 * <p>Free memory there (other programs' files), make it larger (for a container,
 * {@code docker run --shm-size=...}), or point {@code -Ddev.tandem.ipc.dir=PATH} at another
 * directory.
 */
public final class SharedMemoryFullException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final long requestedBytes;
    private final long freeBytes;

    SharedMemoryFullException(String directory, long requestedBytes, long freeBytes, String message) {
        super(message);
        this.directory = directory;
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
    }

    /** {@return the segment directory, such as {@code /dev/shm/tandem-1000}} */
    public String directory() {
        return directory;
    }

    /** {@return the size of the segment that could not be created, in bytes, header included} */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** {@return the bytes that were free for this user in the directory's file system when it failed} */
    public long freeBytes() {
        return freeBytes;
    }
}
