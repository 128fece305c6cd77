package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's fencing, without a node: a request that arrives after the caller's lease ran out
 * (late, or read by a frozen node as it resumes) neither renews the lease nor brings tasks in.
 */
class NodeSessionTest {
    /**
     * What broke: a poll that arrived after the lease reopened the session's gate, so a frozen node
     * that resumed and read a stale poll before its watch ended the session could start the tasks its
     * caller had already run elsewhere.
     */
    @Test
    void aPollAfterTheLeaseRanOutFencesTheSessionInsteadOfRenewingIt() throws Exception {
        NodeSession s = new NodeSession(1, "caller", 1, List.of(), 0); // a lease that has run out
        assertThat(s.leaseHolds()).isFalse();
        NodeSession.Polled polled = s.poll(1, 0);
        assertThat(polled.ended()).contains("fenced");
        assertThat(s.ended()).contains("fenced");
        assertThat(s.leaseHolds()).as("the poll did not renew the lease").isFalse();
    }

    @Test
    void aSubmitAfterTheLeaseRanOutIsRefused() throws Exception {
        NodeSession s = new NodeSession(2, "caller", 1, List.of(), 0);
        assertThat(s.submit(1, null, 0)).contains("fenced");
    }

    @Test
    void aPollWithinTheLeaseRenewsIt() throws Exception {
        NodeSession s = new NodeSession(3, "caller", 1, List.of(), 60_000_000_000L);
        NodeSession.Polled polled = s.poll(1, 0);
        assertThat(polled.ended()).isNull();
        assertThat(s.leaseHolds()).isTrue();
        assertThat(s.ended()).isNull();
    }
}
