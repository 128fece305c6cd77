package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How a caller calls a node ({@link NodeCalls#submit}), against a Hazelcast member and client in
 * this JVM: a burst of calls never waits on the calling thread, and an answer is handled on the
 * thread that received it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeCallsTest {
    /** Opened by the burst test once it has sent its calls; the member's tasks wait for it. */
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    private HazelcastInstance member;
    private HazelcastInstance client;

    /** A task that waits on the member (this JVM) until the test releases it, then answers {@code n}. */
    record Held(int n) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() throws InterruptedException {
            RELEASE.await();
            return n;
        }
    }

    /** A task that answers at once. */
    record Quick(int n) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() {
            return n;
        }
    }

    @BeforeAll
    void start() {
        String name = "tandem-calls-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        int port = 5900 + ThreadLocalRandom.current().nextInt(2000);
        Config cfg = new Config().setClusterName(name);
        HazelcastSettings.common().forEach(cfg::setProperty);
        cfg.getJetConfig().setEnabled(false);
        cfg.getMetricsConfig().setEnabled(false);
        cfg.getNetworkConfig().setPort(port).setPortAutoIncrement(true).setPortCount(100);
        cfg.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = cfg.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
        cfg.getExecutorConfig("held").setPoolSize(4);
        member = Hazelcast.newHazelcastInstance(cfg);
        ClientConfig cc = new ClientConfig().setClusterName(name);
        HazelcastSettings.common().forEach(cc::setProperty);
        cc.getMetricsConfig().setEnabled(false);
        cc.getNetworkConfig()
                .addAddress("127.0.0.1:"
                        + member.getCluster().getLocalMember().getAddress().getPort());
        client = HazelcastClient.newHazelcastClient(cc);
    }

    @AfterAll
    void stop() {
        RELEASE.countDown();
        if (client != null) {
            client.shutdown();
        }
        if (member != null) {
            member.shutdown();
        }
    }

    /**
     * What broke: the caller sent its requests with {@code submitToMember}, which Hazelcast runs
     * synchronously once every 100 calls made less than 10 ms apart: the 100th SUBMIT or poll of a
     * burst blocked the caller's thread (its conductor, or the thread handling the previous answer)
     * for a whole round trip to the node.
     */
    @Test
    void aBurstOfCallsToANodeNeverWaitsForAnAnswerOnTheCallingThread() throws Exception {
        IExecutorService exec = client.getExecutorService("held");
        Member m = client.getCluster().getMembers().iterator().next();
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        CountDownLatch sent = new CountDownLatch(1);
        Thread burst = Thread.ofPlatform().name("burst").start(() -> {
            for (int i = 0; i < 250; i++) {
                answers.add(NodeCalls.submit(exec, new Held(i), m, Runnable::run));
            }
            sent.countDown();
        });
        try {
            assertThat(sent.await(60, TimeUnit.SECONDS))
                    .as("the burst's calls returned while no answer could come (one waited for its answer)")
                    .isTrue();
            burst.join();
            assertThat(answers).hasSize(250).noneMatch(CompletableFuture::isDone);
        } finally {
            RELEASE.countDown();
            burst.join(TimeUnit.SECONDS.toMillis(60));
        }
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i);
        }
    }

    /**
     * What broke: Hazelcast's callbacks ran on the common fork-join pool, so each answer (a poll's
     * replies, a SUBMIT's acknowledgement) cost one thread wake-up more before the caller's
     * conductor saw it.
     */
    @Test
    void anAnswerIsHandledOnTheThreadThatReceivedItNotOnTheCommonPool() throws Exception {
        IExecutorService exec = client.getExecutorService("quick");
        Member m = client.getCluster().getMembers().iterator().next();
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Thread> handler =
                    NodeCalls.submit(exec, new Quick(i), m, Runnable::run).thenApply(x -> Thread.currentThread());
            assertThat(handler.get(60, TimeUnit.SECONDS)).isNotInstanceOf(ForkJoinWorkerThread.class);
        }
    }

    /**
     * What broke: the executor proxy's future ({@code IExecutorDelegatingFuture}) listened to each
     * call on the common fork-join pool, so every answer woke a common-pool thread of the caller's
     * (29-38 us of its CPU per empty-task round trip on a 2-CPU machine), although Tandem's handling
     * ran on the thread that received the answer. {@link NodeCalls.Direct} sends the same request
     * without that future.
     */
    @Test
    void answersOfDirectCallsWakeNoCommonPoolThread() throws Exception {
        NodeCalls.Direct direct = NodeCalls.Direct.of(client);
        assertThat(direct).as("a Hazelcast client is called directly").isNotNull();
        Member m = client.getCluster().getMembers().iterator().next();
        int calls = 200;
        for (int i = 0; i < 20; i++) { // warm-up: the first calls create the executor on the member
            assertThat(direct.submit("quick", new Quick(i), m).get(60, TimeUnit.SECONDS))
                    .isEqualTo(i);
        }
        long before = ForkJoinPool.commonPool().getStealCount();
        for (int i = 0; i < calls; i++) {
            CompletableFuture<Thread> handler =
                    direct.submit("quick", new Quick(i), m).thenApply(x -> Thread.currentThread());
            assertThat(handler.get(60, TimeUnit.SECONDS)).isNotInstanceOf(ForkJoinWorkerThread.class);
        }
        long ran = ForkJoinPool.commonPool().getStealCount() - before;
        assertThat(ran)
                .as("tasks the common pool ran during %d direct calls (the proxy's future costs one each)", calls)
                .isLessThan(calls / 4);
    }

    /** A direct call's failure is the invocation's own exception, as through the proxy. */
    @Test
    void aDirectCallToAMemberThatIsNotInTheClusterFailsWithHazelcastsException() {
        NodeCalls.Direct direct = NodeCalls.Direct.of(client);
        Member m = client.getCluster().getMembers().iterator().next();
        Member gone =
                new MemberImpl.Builder(m.getAddress()).uuid(UUID.randomUUID()).build();
        CompletableFuture<Integer> f = direct.submit("quick", new Quick(1), gone);
        assertThat(f)
                .failsWithin(60, TimeUnit.SECONDS)
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(TargetNotMemberException.class);
    }
}
