package dev.tandem.ipc;

import java.io.IOException;

/**
 * The process at the other end of a {@link SharedChannel} died without closing it: whatever it had
 * sent was received first, nothing more will come, and what is sent now is never read.
 */
public final class PeerDiedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long pid;

    PeerDiedException(long pid, String message) {
        super(message);
        this.pid = pid;
    }

    /** {@return the pid of the process that died} */
    public long pid() {
        return pid;
    }
}
