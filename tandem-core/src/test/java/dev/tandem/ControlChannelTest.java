package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9 §10: the control channel can be neither hijacked nor starved. The worker's secret is not
 * on its command line; connections nobody expects are closed at once; crash logs go to a private
 * folder.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlChannelTest {

    private static List<String> commandLine(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    private static String option(List<String> cmd, String prefix) {
        return cmd.stream()
                .filter(a -> a.startsWith(prefix))
                .map(a -> a.substring(prefix.length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + cmd));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theWorkersSecretIsNotOnItsCommandLine(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            List<String> cmd = commandLine(pool.workerPids().getFirst());
            assertThat(String.join(" ", cmd)).doesNotContain("token");
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void silentConnectionsNobodyExpectsAreClosedAtOnce(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            Path socket = Path.of(option(commandLine(pool.workerPids().getFirst()), "-Dtandem.socket="));
            List<SocketChannel> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                    silent.add(c);
                }
                for (SocketChannel c : silent) {
                    // blocks until the pool closes it: end of stream, not a held connection
                    assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                }
            } finally {
                for (SocketChannel c : silent) {
                    c.close();
                }
            }
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void crashLogsGoToAPrivateFolder(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            Path log = Path.of(option(commandLine(pool.workerPids().getFirst()), "-XX:ErrorFile="));
            Path folder = log.getParent();
            assertThat(Files.isSymbolicLink(folder)).isFalse();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rwx------");
            assertThat(folder).isNotEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        }
    }
}
