package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node's own arguments ({@code Node.main}, which {@code Tandem.localCluster} and {@code tandem node}
 * use) are checked as {@code tandem node} checks them: each names the option and the value as given.
 */
class NodeSettingsTest {

    @Test
    void aJoinAddressWithAPortAbove65535WasAccepted() {
        for (String join : List.of("127.0.0.1:70000", "garbage", "host:", ":5701")) {
            assertThatThrownBy(() -> Node.parse(new String[] {"--join", join}))
                    .as(join)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--join '" + join + "': ");
        }
        assertThat(Node.parse(new String[] {"--join", "127.0.0.1:5702,[::1]:5703"})
                        .join())
                .containsExactly("127.0.0.1:5702", "[::1]:5703");
    }

    @Test
    void aNumberThatIsNotANumberFailedWithABareNumberFormatException() {
        assertThatThrownBy(() -> Node.parse(new String[] {"--port", "57o1"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--port takes a whole number, was '57o1'");
        assertThatThrownBy(() -> Node.parse(new String[] {"--max-processes", "many"}))
                .hasMessage("--max-processes takes a whole number, was 'many'");
    }

    @Test
    void outOfRangeValuesNameTheirOption() {
        assertThatThrownBy(() -> Node.parse(new String[] {"--port", "0"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> Node.parse(new String[] {"--max-processes", "0"}))
                .hasMessageContaining("--max-processes");
        assertThatThrownBy(() -> Node.parse(new String[] {"--cluster-name", " "}))
                .hasMessageContaining("--cluster-name");
        assertThatThrownBy(() -> Node.parse(new String[] {"--bogus", "1"})).hasMessage("unknown option: --bogus");
        assertThatThrownBy(() -> Node.parse(new String[] {"--port"})).hasMessage("--port needs a value");
    }
}
