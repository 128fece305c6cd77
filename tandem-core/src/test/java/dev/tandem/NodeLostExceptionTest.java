package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a node's loss reads: the task, the node, how it was seen, and whether the task may still run. */
class NodeLostExceptionTest {
    /**
     * Was: "worker 2 (pid 28538) on node 127.0.0.1:46164 died while running task #3: node … was lost":
     * the pid was the node's, and no worker of the caller had died.
     */
    @Test
    void aNodeLossNamesTheTaskAndTheNodeNotAWorkerThatDied() {
        NodeLostException e = new NodeLostException(2, 28538, "task #3", "127.0.0.1:46164", "connection closed", false);
        assertThat(e.getMessage())
                .startsWith("task #3 was sent to node 127.0.0.1:46164, which was lost (connection closed); the node's"
                        + " process is gone, and the task with it")
                .contains("session 2 with that node, whose pid was 28538")
                .doesNotContain("died")
                .doesNotStartWith("worker");
        assertThat(e.node()).contains("127.0.0.1:46164");
        assertThat(e.workerId()).isEqualTo(2);
        assertThat(e.detection()).isEqualTo("connection closed");
        assertThat(e.mayStillRun()).isFalse();
        assertThat(e).isInstanceOf(WorkerLostException.class);
    }

    @Test
    void aFrozenNodesTaskMayStillRunAndSaysWhatBecomesOfIt() {
        NodeLostException e = new NodeLostException(1, 7, "task #9", "10.0.0.6:5701", "heartbeat timed out", true);
        assertThat(e.getMessage()).contains("may still be running there").contains("its result dropped");
        assertThat(e.mayStillRun()).isTrue();
    }

    /**
     * Was: a caller frozen 20 s, whose healthy node ended its session (its lease ran out), read "the
     * node's process is gone, and the task with it": the node ran on, and had stopped the task.
     */
    @Test
    void aSessionTheNodeEndedSaidTheNodesProcessWasGone() {
        NodeLostException e = new NodeLostException(
                3,
                15523,
                "task #4",
                "127.0.0.1:5811",
                "the node ended this caller's session: no such session",
                false,
                true);
        assertThat(e.getMessage())
                .contains("which was lost (the node ended this caller's session: no such session)")
                .contains("the node stopped the task as it ended the session")
                .doesNotContain("process is gone");
        assertThat(e.mayStillRun()).isFalse();
    }
}
