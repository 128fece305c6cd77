package dev.tandem.ipc.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to stand for a full {@code /dev/shm}: {@code mount -t tmpfs}
 * needs root (or {@code CAP_SYS_ADMIN}), which the development machines and CI have. Where it is
 * missing the test fails, saying so, rather than skipping: a skipped test would hide the kind of
 * fault it guards. Unmounted by {@link #close()}.
 */
public final class TinyTmpfs implements AutoCloseable {
    private final Path mountPoint;

    private TinyTmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code size} at {@code mountPoint}, an existing empty directory.
     *
     * @param mountPoint where to mount it
     * @param size as mount(8) takes it, such as {@code 3m}
     * @return the mounted file system; close it to unmount
     * @throws IOException if mount cannot be run
     * @throws InterruptedException if interrupted while mounting
     */
    public static TinyTmpfs mount(Path mountPoint, String size) throws IOException, InterruptedException {
        String output = run(
                List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", mountPoint.toString()));
        if (output != null) {
            throw new AssertionError("cannot mount a " + size + " tmpfs at " + mountPoint + " to simulate a full"
                    + " /dev/shm; this test needs root or CAP_SYS_ADMIN (it runs as "
                    + System.getProperty("user.name") + "): " + output);
        }
        return new TinyTmpfs(mountPoint);
    }

    /** {@return null on success, else what the command printed and its exit code} */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish in 30 s";
        }
        return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ": " + out.strip();
    }

    @Override
    public void close() throws IOException {
        try {
            String failed = run(List.of("umount", mountPoint.toString()));
            if (failed != null && run(List.of("umount", "-l", mountPoint.toString())) != null) {
                throw new AssertionError("cannot unmount " + mountPoint + ": " + failed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        }
    }
}
