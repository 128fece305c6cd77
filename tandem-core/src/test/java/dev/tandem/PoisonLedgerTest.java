package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which tasks are poison: blamed only for deaths where they ran alone. */
class PoisonLedgerTest {
    @Test
    void aTaskThatKilledThresholdWorkersAloneIsPoison() {
        PoisonLedger ledger = new PoisonLedger(2);
        assertThat(ledger.onDeath(7, true)).isEqualTo(1);
        assertThat(ledger.isPoison(7)).isFalse();
        assertThat(ledger.onDeath(7, true)).isEqualTo(2);
        assertThat(ledger.isPoison(7)).isTrue();
        assertThat(ledger.isPoison(8)).isFalse();
    }

    @Test
    void bystandersOfAHybridDeathAreNotBlamed() {
        PoisonLedger ledger = new PoisonLedger(1);
        assertThat(ledger.onDeath(7, false)).isZero();
        assertThat(ledger.isPoison(7)).isFalse();
    }

    @Test
    void remembersABoundedNumberOfTasks() {
        PoisonLedger ledger = new PoisonLedger(1);
        for (long f = 0; f <= PoisonLedger.CAPACITY; f++) {
            ledger.onDeath(f, true);
        }
        assertThat(ledger.isPoison(0)).isFalse(); // the eldest went
        assertThat(ledger.isPoison(PoisonLedger.CAPACITY)).isTrue();
    }
}
