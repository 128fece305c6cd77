package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which tasks are poison: blamed only for deaths where they ran alone, and not for ever. */
class PoisonLedgerTest {
    private final AtomicLong now = new AtomicLong(-TimeUnit.HOURS.toNanos(1)); // nanoTime may be negative

    private PoisonLedger ledger(int threshold) {
        return new PoisonLedger(threshold, now::get);
    }

    @Test
    void aTaskThatKilledThresholdWorkersAloneIsPoison() {
        PoisonLedger ledger = ledger(2);
        assertThat(ledger.onDeath(7, true)).isEqualTo(1);
        assertThat(ledger.isPoison(7)).isFalse();
        assertThat(ledger.onDeath(7, true)).isEqualTo(2);
        assertThat(ledger.isPoison(7)).isTrue();
        assertThat(ledger.isPoison(8)).isFalse();
    }

    @Test
    void bystandersOfAHybridDeathAreNotBlamed() {
        PoisonLedger ledger = ledger(1);
        assertThat(ledger.onDeath(7, false)).isZero();
        assertThat(ledger.isPoison(7)).isFalse();
    }

    @Test
    void remembersABoundedNumberOfTasks() {
        PoisonLedger ledger = ledger(1);
        for (long f = 0; f <= PoisonLedger.CAPACITY; f++) {
            ledger.onDeath(f, true);
        }
        assertThat(ledger.isPoison(0)).isFalse(); // the eldest went
        assertThat(ledger.isPoison(PoisonLedger.CAPACITY)).isTrue();
    }

    /**
     * Issue 9 (robustness §3): a task whose worker was SIGKILLed from outside three times stayed
     * PoisonTaskException for the rest of the pool's life.
     */
    @Test
    void anInnocentVictimIsForgivenTenMinutesAfterItsLastDeath() {
        PoisonLedger ledger = ledger(3);
        long minute = TimeUnit.MINUTES.toNanos(1);
        ledger.onDeath(7, true);
        now.addAndGet(9 * minute);
        ledger.onDeath(7, true);
        ledger.onDeath(7, true);
        assertThat(ledger.isPoison(7)).isTrue();
        now.addAndGet(10 * minute - 1);
        assertThat(ledger.isPoison(7))
                .as("remembered until 10 min after its last death")
                .isTrue();
        now.addAndGet(1);
        assertThat(ledger.isPoison(7)).isFalse();
        assertThat(ledger.deaths(7)).isZero();
        assertThat(ledger.onDeath(7, true)).as("counting starts again").isEqualTo(1);
    }

    /** Issue 9 (robustness §3): a task that failed transiently (System.exit while a flag file existed). */
    @Test
    void aTaskThatRanToItsEndOnceIsCleared() {
        PoisonLedger ledger = ledger(3);
        ledger.onDeath(7, true);
        ledger.onDeath(7, true);
        ledger.onDeath(8, true);
        ledger.onCompleted(() -> 7);
        assertThat(ledger.deaths(7)).isZero();
        assertThat(ledger.deaths(8)).isEqualTo(1);
        assertThat(ledger.onDeath(7, true)).isEqualTo(1);
    }

    @Test
    void anEmptyLedgerDoesNotComputeFingerprints() {
        PoisonLedger ledger = ledger(3);
        ledger.onCompleted(() -> {
            throw new AssertionError("the fingerprint was computed for nothing");
        });
        assertThat(ledger.deaths(7)).isZero();
    }

    /** Issue 9 (poison blame): one SIGKILL from outside is not the task's doing; a second one is. */
    @Test
    void aSignalFromOutsideIsBlamedOnlyWhenItRepeats() {
        PoisonLedger ledger = ledger(1);
        assertThat(ledger.onDeath(7, true, true)).isZero();
        assertThat(ledger.isPoison(7)).isFalse();
        assertThat(ledger.onDeath(7, true, true)).isEqualTo(2);
        assertThat(ledger.isPoison(7)).isTrue();
        assertThat(ledger.onDeath(8, true, false))
                .as("an exit is blamed at once")
                .isEqualTo(1);
        assertThat(PoisonLedger.outsideSignal("SIGKILL")).isTrue();
        assertThat(PoisonLedger.outsideSignal("SIGTERM")).isTrue();
        assertThat(PoisonLedger.outsideSignal("SIGSEGV")).isFalse();
        assertThat(PoisonLedger.outsideSignal(null)).isFalse();
    }
}
