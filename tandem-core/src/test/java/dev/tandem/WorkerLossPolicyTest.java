package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.spi.WorkerEnd;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What becomes of a task whose worker died unplanned: retried, failed, or poison; see {@link WorkerLossPolicy}. */
class WorkerLossPolicyTest {
    private static final WorkerEnd EXIT = WorkerEnd.local(1, 3, null, "exit code 3", "", null, null);
    private static final WorkerEnd SIGKILL = WorkerEnd.local(1, 137, "SIGKILL", "killed", "", null, null);
    private static final WorkerEnd SIGTERM = WorkerEnd.local(1, 143, "SIGTERM", "terminated", "", null, null);
    private static final WorkerEnd SIGSEGV = WorkerEnd.local(1, 139, "SIGSEGV", "crash", "", null, null);
    private static final WorkerEnd NODE_LOST = new WorkerEnd(
            1, null, null, "lost", "", null, null, new WorkerEnd.NodeLoss("10.0.0.6:5701", "connection closed", false));

    private final AtomicLong now = new AtomicLong();

    private WorkerLossPolicy policy(int retries, int threshold) {
        return new WorkerLossPolicy(retries, threshold, now::get);
    }

    @Test
    void aTaskIsRetriedAsOftenAsAskedThenFails() {
        WorkerLossPolicy p = policy(2, 100);
        assertThat(p.judge(() -> 7, 1, 1, EXIT).fate()).isEqualTo(WorkerLossPolicy.Fate.RETRY);
        assertThat(p.judge(() -> 7, 2, 1, EXIT).fate()).isEqualTo(WorkerLossPolicy.Fate.RETRY);
        assertThat(p.judge(() -> 7, 3, 1, EXIT).fate()).isEqualTo(WorkerLossPolicy.Fate.FAIL);
    }

    @Test
    void deathsItCouldCauseItselfMakeATaskPoisonAtTheThreshold() {
        WorkerLossPolicy p = policy(5, 2);
        assertThat(p.judge(() -> 7, 1, 1, EXIT))
                .isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.RETRY, 1));
        assertThat(p.judge(() -> 7, 2, 1, SIGSEGV))
                .isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.POISON, 2));
        assertThat(p.isPoison(7)).isTrue();
        assertThat(p.isPoison(8)).isFalse();
    }

    /**
     * Issue 9 (poison blame): a worker killed by another process's {@code kill -9} (or the OOM
     * killer, for another program) while it ran one task was counted against that task; with a
     * threshold of 1 the task, and every identical one, was refused for 10 minutes.
     */
    @Test
    void aKillFromOutsideIsBlamedOnlyWhenItRepeats() {
        WorkerLossPolicy p = policy(0, 1);
        WorkerLossPolicy.Verdict first = p.judge(() -> 7, 1, 1, SIGKILL);
        assertThat(first).isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.FAIL, 0));
        assertThat(p.isPoison(7)).isFalse();
        WorkerLossPolicy.Verdict second = p.judge(() -> 7, 1, 1, SIGTERM);
        assertThat(second)
                .as("the second kill from outside blames both")
                .isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.POISON, 2));
    }

    @Test
    void deathsWithSeveralTasksRunningOrOfANodeBlameNone() {
        WorkerLossPolicy p = policy(0, 1);
        assertThat(p.judge(() -> 7, 1, 2, EXIT)).isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.FAIL, 0));
        assertThat(p.judge(
                        () -> {
                            throw new AssertionError("a lost node needs no fingerprint");
                        },
                        1,
                        1,
                        NODE_LOST))
                .isEqualTo(new WorkerLossPolicy.Verdict(WorkerLossPolicy.Fate.FAIL, 0));
        assertThat(p.isPoison(7)).isFalse();
    }

    @Test
    void aTaskThatRanThroughIsCleared() {
        WorkerLossPolicy p = policy(0, 2);
        p.judge(() -> 7, 1, 1, EXIT);
        assertThat(p.deaths(7)).isEqualTo(1);
        p.onCompleted(() -> 7);
        assertThat(p.deaths(7)).isZero();
    }
}
