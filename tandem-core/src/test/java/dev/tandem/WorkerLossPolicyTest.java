package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.spi.WorkerEnd;
import java.util.List;
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

    // ---------------------------------------------------------------- sorting what a dead worker held

    private static List<String> sorted(WorkerLossPolicy.Sorting<String> s) {
        return s.order().stream().map(e -> e.task() + ":" + e.role()).toList();
    }

    @Test
    void anUnplannedDeathLosesWhatRanAndPutsBackWhatWasHeldAheadLastFirst() {
        WorkerLossPolicy.Sorting<String> s = WorkerLossPolicy.sort(List.of("a", "b", "c", "d"), 2, false, null, null);
        assertThat(s.running()).isEqualTo(2);
        assertThat(sorted(s)).containsExactly("d:UNSTARTED", "c:UNSTARTED", "b:LOST", "a:LOST");
    }

    @Test
    void aKillAimedAtOneTaskFailsItAndPutsItsBystandersBack() {
        WorkerLossPolicy.Sorting<String> s = WorkerLossPolicy.sort(List.of("a", "b", "c"), 2, true, "b", null);
        assertThat(sorted(s)).containsExactly("c:UNSTARTED", "b:AIMED", "a:BYSTANDER");
    }

    @Test
    void aPlannedDeathAimedAtNoTaskFailsEveryRunningOne() {
        WorkerLossPolicy.Sorting<String> s = WorkerLossPolicy.sort(List.of("a", "b", "c"), 2, true, null, null);
        assertThat(sorted(s)).containsExactly("c:UNSTARTED", "b:AIMED", "a:AIMED");
    }

    @Test
    void aLostNodeMayHaveStartedEveryTaskItWasSentButNotTheOnesNeverSent() {
        WorkerEnd.NodeLoss loss = new WorkerEnd.NodeLoss("10.0.0.6:5701", "connection closed", true).unstarted(1);
        WorkerLossPolicy.Sorting<String> s = WorkerLossPolicy.sort(List.of("a", "b", "c", "d"), 2, false, null, loss);
        assertThat(s.running())
                .as("more than its slots: any it was sent may have started")
                .isEqualTo(3);
        assertThat(sorted(s)).containsExactly("d:UNSTARTED", "c:LOST", "b:LOST", "a:LOST");
    }

    @Test
    void aPlannedDeathOfANodeIgnoresItsLossAndKeepsTheSlotsCount() {
        WorkerEnd.NodeLoss loss = new WorkerEnd.NodeLoss("10.0.0.6:5701", "connection closed", true);
        WorkerLossPolicy.Sorting<String> s = WorkerLossPolicy.sort(List.of("a", "b", "c"), 1, true, "a", loss);
        assertThat(s.running()).isEqualTo(1);
        assertThat(sorted(s)).containsExactly("c:UNSTARTED", "b:UNSTARTED", "a:AIMED");
    }

    @Test
    void moreUnstartedThanHeldOrAnEmptyWindowSortsNothingAsRunning() {
        WorkerEnd.NodeLoss loss = new WorkerEnd.NodeLoss("n", "gone", false).unstarted(5);
        assertThat(WorkerLossPolicy.sort(List.of("a"), 1, false, null, loss).running())
                .isZero();
        assertThat(WorkerLossPolicy.<String>sort(List.of(), 2, false, null, null)
                        .order())
                .isEmpty();
    }
}
