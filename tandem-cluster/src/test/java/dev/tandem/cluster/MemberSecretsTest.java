package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Which members a caller uses, by the secret fingerprint each announces: a node of another secret, or
 * none, is never sent anything while it is still a member (it refuses to serve and stops itself as it
 * joins), and the caller says so once.
 */
class MemberSecretsTest {
    private static final Secret MINE = Secret.of(
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII),
            "the secret file mine.key");
    private static final Secret OTHER = Secret.of(
            "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII),
            "the secret file other.key");

    private static Member member(int port, String fingerprint) throws UnknownHostException {
        Map<String, String> attributes = new HashMap<>();
        if (fingerprint != null) {
            attributes.put(HazelcastSettings.FINGERPRINT, fingerprint);
        }
        return new MemberImpl.Builder(new Address("127.0.0.1", port))
                .uuid(UUID.randomUUID())
                .attributes(attributes)
                .build();
    }

    @Test
    void aFingerprintTellsSecretsApartWithoutShowingThem() {
        assertThat(MINE.fingerprint())
                .isNotEqualTo(OTHER.fingerprint())
                .hasSize(32)
                .doesNotContain("0123456789");
        assertThat(Secret.none().fingerprint()).isEqualTo(Secret.NO_SECRET);
        assertThat(Secret.of(MINE.fingerprint().getBytes(StandardCharsets.US_ASCII), "x")
                        .fingerprint())
                .isNotEqualTo(MINE.fingerprint());
    }

    @Test
    void aCallerUsesOnlyMembersOfItsSecretAndSaysOnceOfEachOther() throws Exception {
        MemberSecrets secrets = new MemberSecrets(MINE, "c");
        Member same = member(5701, MINE.fingerprint());
        Member none = member(5702, Secret.NO_SECRET);
        Member other = member(5703, OTHER.fingerprint());
        Member stranger = member(5704, null);
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("dev.tandem.cluster");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        try {
            assertThat(secrets.usable(same)).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(secrets.usable(none)).isFalse();
                assertThat(secrets.usable(other)).isFalse();
                assertThat(secrets.usable(stranger)).isFalse();
            }
        } finally {
            log.removeHandler(h);
        }
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .contains("node 127.0.0.1:5702 of cluster 'c' refused this caller's secret (the secret file mine.key)")
                .contains("started without a --secret-file");
        assertThat(lines.get(1)).contains("started with another --secret-file");
        assertThat(lines.get(2)).contains("not a node of this Tandem build");
        assertThat(new MemberSecrets(Secret.none(), "c").mismatch(same))
                .contains("give this caller the same file (secretFile(path))");
    }
}
