package dev.tandem.ipc;

import dev.tandem.ipc.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 §6: segments were sparse files, so a full {@code /dev/shm} let them be created and then
 * faulted ({@code SIGBUS}, an {@link InternalError} in whichever thread touched a page). Now every
 * kind reserves its memory at {@code create} or fails with {@link SharedMemoryFullException}. The
 * checks run in a child JVM whose segment directory is a 3 MiB tmpfs ({@link FullDirectory}).
 */
@ExtendWith(LitterCheck.class)
class SharedMemoryFullTest {
    @RegisterExtension
    final Children children = new Children();

    /** With posix_fallocate, and with its fallback that writes zeros. */
    @ParameterizedTest(name = "-Ddev.tandem.ipc.fallocate={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void aFullDirectoryFailsEveryKindAtCreateInsteadOfFaultingLater(boolean fallocate, @TempDir Path temp)
            throws Exception {
        Path mount = Files.createDirectory(temp.resolve("shm"));
        TinyTmpfs tmpfs = TinyTmpfs.mount(mount, "3m");
        try {
            children.startWith(
                            List.of(
                                    "-Ddev.tandem.ipc.dir=" + mount.resolve("segments"),
                                    "-Ddev.tandem.ipc.fallocate=" + fallocate),
                            "full-directory")
                    .awaitSuccess(90);
        } finally {
            tmpfs.close();
        }
    }
}
