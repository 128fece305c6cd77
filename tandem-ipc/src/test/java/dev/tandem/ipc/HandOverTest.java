package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.ipc.passing.ArrayPassing;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A shared array a pool's worker made and returned belongs to the caller that adopted it: neither
 * the worker's exit (its shutdown hook), nor its death and the sweep after it, deletes it; the
 * adopter's close does. One nobody adopted goes with its creator. Before the header's owner word,
 * the sweep judged a file by its creator alone.
 */
@ExtendWith(LitterCheck.class)
@Timeout(60)
class HandOverTest {
    @RegisterExtension
    final Children children = new Children();

    private SegmentHandle handOver(long adopter, String end) throws Exception {
        Children.Child child = children.start("hand-over", Long.toString(adopter), end);
        child.awaitSuccess(30);
        return Children.decode(Files.readString(child.stdout()).trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit", "halt"})
    void anAdoptedArrayOutlivesItsCreatorAndTheSweepUntilItsAdopterClosesIt(String end) throws Exception {
        SegmentHandle handle = handOver(ProcessHandle.current().pid(), end);
        Path file = Path.of(handle.path());
        assertThat(file).as("after its creator's %s", end).exists();
        SharedSegment.sweep();
        assertThat(file).as("after a sweep: its owner lives").exists();
        Object adopted = ArrayPassing.access().attach(handle, false, true);
        assertThat(((SharedLongArray) adopted).get(3)).isEqualTo(77);
        ArrayPassing.access().close(adopted);
        assertThat(file).as("the adopter's close deletes it").doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit", "halt"})
    void anArrayHandedOverButNeverAdoptedGoesWithItsCreator(String end) throws Exception {
        Path file = Path.of(handOver(0, end).path());
        SharedSegment.sweep();
        assertThat(file).as("after its creator's %s and a sweep", end).doesNotExist();
    }
}
