package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster mode's options as tandem-core checks them, without the cluster engine: misplaced
 * options, seeds, secrets, and the missing {@code tandem-cluster} artifact (not on this module's
 * class path).
 */
class ClusterOptionsTest {
    @Test
    void withoutTheClusterArtifactStartFailsNamingIt() {
        assertThatThrownBy(() -> Tandem.localCluster(1).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dev.tandem:tandem-cluster");
    }

    @Test
    void clusterOptionsAreRejectedOnOtherModesAndProcessOptionsAreKept() {
        assertThatThrownBy(() -> Tandem.processes(1).perNode(2, 1).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perNode")
                .hasMessageContaining("cluster");
        assertThatThrownBy(() -> Tandem.threads(1).jvmOptions("-Xmx64m").options())
                .isInstanceOf(IllegalArgumentException.class);
        PoolOptions o = Tandem.localCluster(2)
                .perNode(2, 3)
                .taskTimeout(Duration.ofSeconds(1))
                .jvmOptions("-Xmx64m")
                .options();
        assertThat(o.mode()).isEqualTo(Mode.CLUSTER);
        assertThat(o.parallelism()).isEqualTo(2 * 2 * 3);
        assertThat(o.cluster().local()).isTrue();
        assertThat(o.cluster().clusterName()).startsWith("tandem-local-");
    }

    @Test
    void aSeedThatIsNotLoopbackNeedsASecret() {
        assertThatThrownBy(() -> Tandem.cluster("10.0.0.5:5701").options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secretFile");
        assertThatThrownBy(() -> Tandem.cluster("no-port").options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host:port");
        assertThat(Tandem.cluster("127.0.0.1:5701").options().cluster().seeds()).containsExactly("127.0.0.1:5701");
    }

    @Test
    void aSeedWithAPortAbove65535WasAccepted() {
        for (String seed : List.of("127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1:99999", "::1:5701", "host:", ":5701")) {
            assertThatThrownBy(() -> Tandem.cluster(seed).options())
                    .as(seed)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("seed '" + seed + "': ");
        }
        assertThat(Tandem.cluster("127.0.0.1:65535", "[::1]:5701", "localhost:1")
                        .options()
                        .cluster()
                        .seeds())
                .containsExactly("127.0.0.1:65535", "[::1]:5701", "localhost:1");
        assertThatThrownBy(() -> Tandem.cluster("[2001:db8::5]:5701").options())
                .hasMessageContaining("is not a loopback address");
    }

    @Test
    void aSecretFileMustBeLongAndPrivate(@TempDir Path dir) throws IOException {
        Path shortOne = dir.resolve("short.key");
        Files.writeString(shortOne, "too short");
        Files.setPosixFilePermissions(shortOne, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() ->
                        Tandem.cluster("10.0.0.5:5701").secretFile(shortOne).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than 32");
        Path open = dir.resolve("open.key");
        Files.writeString(open, "0123456789abcdef0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(
                        () -> Tandem.cluster("10.0.0.5:5701").secretFile(open).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-------"));
        assertThat(Tandem.cluster("10.0.0.5:5701")
                        .secretFile(open)
                        .options()
                        .cluster()
                        .secretFile())
                .isEqualTo(open);
    }

    @Test
    void nodeFailureTimeoutAndMinNodesAreBounded() {
        assertThatThrownBy(() -> Tandem.localCluster(2).minNodes(3).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minNodes");
        assertThatThrownBy(() -> Tandem.localCluster(1)
                        .nodeFailureTimeout(Duration.ofMillis(10))
                        .options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nodeFailureTimeout");
    }
}
