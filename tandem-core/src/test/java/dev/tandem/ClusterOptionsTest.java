package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * Was: {@code localCluster(0)} said "Tandem.cluster(seeds...) needs at least one seed, host:port", a call it
     * did not make; {@code cluster((String) null)} threw a bare "NullPointerException: null".
     */
    @Test
    void aLocalClusterOfNoNodesNamedTheWrongCallAndANullSeedWasABareNullPointerException() {
        for (int n : new int[] {0, -1, ClusterOptions.MAX_LOCAL_NODES + 1}) {
            assertThatThrownBy(() -> Tandem.localCluster(n).options())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Tandem.localCluster(" + n + "): a local cluster has 1 to 16 nodes; give n between 1"
                            + " and 16");
        }
        assertThatThrownBy(() -> Tandem.cluster((String) null).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Tandem.cluster(seeds...): seed 1 of 1 is null; give the host:port of a node");
        assertThatThrownBy(() -> Tandem.cluster("127.0.0.1:5701", null).options())
                .hasMessageStartingWith("Tandem.cluster(seeds...): seed 2 of 2 is null");
        assertThatThrownBy(() -> Tandem.cluster((String[]) null).options())
                .hasMessageStartingWith("Tandem.cluster(seeds...) was given a null array");
        assertThatThrownBy(() -> Tandem.cluster().options())
                .hasMessageStartingWith("Tandem.cluster() was given no seed; give the host:port of one or more nodes");
        assertThatThrownBy(() -> Tandem.cluster("127.0.0.1:5701").clusterName(null))
                .hasMessage("clusterName(name): name is null");
    }

    /**
     * Was: a start waited 30 s for a seed whose host does not resolve, then said "cannot connect ... Are nodes
     * running there" (without a secret file, that it "is not a loopback address, so the cluster needs a shared
     * secret").
     */
    @Test
    void aSeedThatDoesNotResolveWasWaitedForAndNotSaidSo(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Tandem.cluster("nosuchhost.invalid:5701").options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "seed 'nosuchhost.invalid:5701': its host nosuchhost.invalid does not resolve (no such host");
        assertThatThrownBy(
                        () -> Tandem.cluster("a.invalid:5701", "b.invalid:5701").options())
                .hasMessageStartingWith("no seed resolves: a.invalid:5701, b.invalid:5701");
        // one that resolves is enough: the other may be a node not up yet
        Path key = dir.resolve("cluster.key");
        Files.writeString(key, "0123456789abcdef".repeat(4) + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(Tandem.cluster("127.0.0.1:5701", "b.invalid:5701")
                        .secretFile(key)
                        .options()
                        .cluster()
                        .seeds())
                .hasSize(2);
    }

    /** Was: "holds 3 hex digits, 1 bytes of key". */
    @Test
    void aShortHexSecretCountedOneBytes() {
        assertThat(ClusterOptions.notASecret("abc".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("holds 3 hex digits, 1 byte of key: ");
        assertThat(ClusterOptions.notASecret("a".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("holds 1 hex digit, 0 bytes of key: ");
        assertThat(ClusterOptions.notASecret("abcd".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("holds 4 hex digits, 2 bytes of key: ");
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

    /** Was: 48 hex digits, 24 bytes of key, were taken as 48 bytes, over the 32 a secret needs. */
    @Test
    void aHexSecretOf48DigitsWasTakenFor48Bytes(@TempDir Path dir) throws IOException {
        Path hex = dir.resolve("hex.key");
        Files.writeString(hex, "0123456789abcdef".repeat(3) + "\n");
        Files.setPosixFilePermissions(hex, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ClusterOptions.checkSecretFile(hex))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 48 hex digits, 24 bytes of key: a hex secret needs at least 64 hex"
                        + " digits (32 bytes)");
        Files.writeString(hex, "0123456789abcdef".repeat(4) + "\n");
        ClusterOptions.checkSecretFile(hex);
    }

    /**
     * Was: the rules that a file is a secret at all lived in the CLI's own copy ({@code Secrets}), so a
     * caller's {@code secretFile(...)} took a file of notes; and a file not the user's was to be chmodded.
     */
    @Test
    void aFileOfTextWasTakenForASecret(@TempDir Path dir) throws IOException {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "my password is\nhunter2 hunter2 hunter2 hunter2\n");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ClusterOptions.checkSecretFile(notes))
                .hasMessageContaining("holds text (2 lines with spaces or line breaks), not a secret")
                .hasMessageContaining("do not change that file")
                .hasMessageNotContaining("chmod 600 " + notes);
        byte[] random = new byte[32];
        for (int i = 0; i < random.length; i++) {
            random[i] = (byte) (i * 37 + 11); // binary, with bytes that are spaces and line breaks in text
        }
        assertThat(ClusterOptions.notASecret(random)).isNull();
        assertThat(ClusterOptions.notASecret(
                        "c2VjcmV0IGJ1dCBiYXNlNjQgb2YgMzIgYnl0ZXMgISE=".getBytes(StandardCharsets.US_ASCII)))
                .isNull();
    }

    @Test
    void aSecretFileMustBeLongAndPrivate(@TempDir Path dir) throws IOException {
        Path shortOne = dir.resolve("short.key");
        Files.writeString(shortOne, "tooshort");
        Files.setPosixFilePermissions(shortOne, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() ->
                        Tandem.cluster("10.0.0.5:5701").secretFile(shortOne).options())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than 32");
        Path open = dir.resolve("open.key");
        Files.writeString(open, "0123456789abcdef".repeat(4));
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
