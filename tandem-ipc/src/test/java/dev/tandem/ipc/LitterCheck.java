package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test class: no segment file created by this JVM or by a child it started is left in
 * the segment directory. Other programs' files (other test runs on the machine) are ignored.
 */
final class LitterCheck implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        assertThat(litter())
                .as("segment files left behind by %s", context.getDisplayName())
                .isEmpty();
    }

    static List<Path> litter() throws IOException {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> files = Files.list(SharedSegment.directory())) {
            return files.filter(file -> {
                        long creator =
                                SegmentDirectory.creatorOf(file.getFileName().toString());
                        long pid = ProcessIdentity.pid(creator);
                        return creator != 0 && (pid == self || Children.ALL_PIDS.contains(pid));
                    })
                    .toList();
        }
    }
}
