package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.spi.Worker;
import dev.tandem.spi.WorkerListener;
import dev.tandem.spi.WorkerStarter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a cluster pool logs of a node lost (fresh user, session 16): each loss was "node ... died
 * unexpectedly: exit code unknown", for a frozen node too, then "INFO: restarting worker 2 at once";
 * a plain {@code close()} after a loss warned "worker 3 failed to start: the pool stopped while
 * starting a node session"; a pool left without nodes logged its failure three times, the last
 * with a 20-line stack. Now: one line per event, at a level that matches, the planned close none.
 * The nodes are the conductor seam's in-process fakes ({@link ConductorSeamTest.FakeWorker}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLossLogTest {
    private static volatile CountDownLatch running;

    @RegisterExtension
    final CapturedLog log = new CapturedLog(Level.INFO);

    /**
     * Node sessions as the cluster's starter opens them: the first at once; later ones wait for a
     * node until the pool abandons its starts (then fail as NodeStarter's do), or fail at once as a
     * pool left without nodes past its limit ({@link #gaveUp}).
     */
    static final class Nodes implements WorkerStarter {
        final ConductorSeamTest.FakeStarter first = new ConductorSeamTest.FakeStarter();
        final boolean giveUp;
        private RuntimeException gaveUp;
        private boolean abandoned;

        Nodes(boolean giveUp) {
            this.giveUp = giveUp;
        }

        @Override
        public synchronized Worker start(int id, WorkerListener listener) {
            if (first.started().isEmpty()) {
                return first.start(id, listener);
            }
            if (giveUp) {
                gaveUp = new WorkerStartException("no node of cluster 'c' could take a session for 70000 ms", null);
                throw gaveUp;
            }
            while (!abandoned) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            throw new WorkerStartException("the pool stopped while starting a node session", null);
        }

        @Override
        public synchronized void abandonStarts() {
            abandoned = true;
            notifyAll();
        }

        @Override
        public synchronized boolean gaveUp(RuntimeException failure) {
            return failure != null && failure == gaveUp;
        }

        @Override
        public void close() {}
    }

    /** Loses the pool's only node while it runs a task; returns that task's failure. */
    private static Throwable loseTheNode(ProcessTaskPool pool, Nodes nodes) throws Exception {
        running = new CountDownLatch(1);
        Future<Boolean> f = pool.submit(() -> {
            running.countDown();
            return new CountDownLatch(1).await(1, TimeUnit.MINUTES);
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        nodes.first.started().getFirst().lose(true);
        return Assertions.catchThrowableOfType(ExecutionException.class, f::get).getCause();
    }

    private static ProcessTaskPool pool(Nodes nodes) {
        return ConductorSeamTest.pool(Tandem.cluster("127.0.0.1:5701").perNode(1, 1), nodes);
    }

    @Test
    void aNodeLossSaidDiedUnexpectedlyWithNoExitCodeThenRestartingAndTheCloseWarnedOfAFailedStart() throws Exception {
        Nodes nodes = new Nodes(false);
        ProcessTaskPool pool = pool(nodes);
        try (pool) {
            assertThat(loseTheNode(pool, nodes)).isInstanceOf(NodeLostException.class);
        }
        List<LogRecord> lines = of(pool);
        assertThat(lines)
                .map(LogRecord::getMessage)
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .endsWith(" was lost (its connection closed); it held 1 task and had completed 0 tasks")
                        .doesNotContain("died")
                        .doesNotContain("exit code"));
        assertThat(lines.getFirst().getLevel()).isEqualTo(Level.WARNING);
    }

    @Test
    void aPoolLeftWithoutNodesLoggedItsFailureThreeTimesWithAStack() throws Exception {
        Nodes nodes = new Nodes(true);
        ProcessTaskPool pool = pool(nodes);
        try (pool) {
            loseTheNode(pool, nodes);
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS))
                    .as("the pool failed")
                    .isTrue();
        }
        List<LogRecord> lines = of(pool);
        assertThat(lines)
                .filteredOn(r -> r.getLevel() == Level.WARNING)
                .singleElement()
                .satisfies(r -> assertThat(r.getMessage()).contains("was lost"));
        assertThat(lines)
                .filteredOn(r -> r.getMessage().contains("could take a session"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                    assertThat(r.getThrown())
                            .as("the user gets the exception, with its stack")
                            .isNull();
                });
        assertThat(lines).hasSize(2);
    }

    private List<LogRecord> of(TaskPool pool) {
        String prefix = "Tandem pool " + ((AbstractTaskPool) pool).events.poolId + " (";
        return log.startingWith(prefix);
    }
}
