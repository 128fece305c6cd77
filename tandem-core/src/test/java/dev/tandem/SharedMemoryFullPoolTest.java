package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.ipc.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 §6: with {@code /dev/shm} of 3 MiB, {@code processes(2).transport(SHARED_MEMORY)} started
 * (its channels were sparse files), then a worker thread died of {@code InternalError} and futures
 * never completed. Now a channel's memory is reserved when it is made: a pool that does not fit
 * fails to start with a {@link WorkerStartException} naming the directory, its free bytes and
 * {@code transport(Transport.SOCKET)}; a replacement that does not fit fails the tasks, typed. The
 * caller runs in a child JVM whose segment directory is a 3 MiB tmpfs ({@link FullShmCaller}).
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SharedMemoryFullPoolTest {

    @Test
    void aFullShmFailsThePoolTypedAndNeverLeavesAFutureIncomplete(@TempDir Path temp) throws Exception {
        Path mount = Files.createDirectory(temp.resolve("shm"));
        Path segments = mount.resolve("segments");
        String output;
        TinyTmpfs tmpfs = TinyTmpfs.mount(mount, "3m");
        try {
            output = ChildCaller.run(List.of("-Xmx256m", "-Ddev.tandem.ipc.dir=" + segments), FullShmCaller.class, 240);
        } finally {
            tmpfs.close();
        }
        assertThat(output).contains("DONE").doesNotContain("HANG").doesNotContain("InternalError");
        for (String pool : List.of("processes(2)", "hybrid(2, 2)")) {
            assertThat(line(output, "START-FAILED " + pool))
                    .contains(segments.toString(), "bytes free", "--shm-size", "transport(Transport.SOCKET)");
        }
        assertThat(line(output, "ROUND-TRIPS "))
                .isEqualTo("ROUND-TRIPS " + List.of(716800, 716800, 716800, 716800, 716800, 716800, 716800, 716800));
        String replacement = line(output, "REPLACEMENT ");
        assertThat(replacement)
                .as("at least one task failed because its replacement worker found no room")
                .contains("PoolFailedException", segments.toString(), "bytes free", "transport(Transport.SOCKET)");
    }

    private static String line(String output, String start) {
        return output.lines()
                .filter(l -> l.startsWith(start))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in:\n" + output));
    }
}
