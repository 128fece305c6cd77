package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The inputs of a map window, on an injected clock. */
class TimedInputsTest {
    @Test
    void aNextAfterHasNextSaidTrueReturnsEvenPastTheDeadline() {
        // AdvisorTest.tinyTasksGetBatchingAdvice at load 15: map failed the trial with NoSuchElementException
        AtomicLong now = new AtomicLong(0);
        TimedInputs in = new TimedInputs(List.of("a", "b"), 10, 100, now::get);
        assertThat(in.hasNext()).isTrue();
        now.set(500); // the reader was descheduled past the deadline between hasNext and next
        assertThat(in.next()).isEqualTo("a");
        assertThat(in.hasNext()).as("the deadline ends the inputs at hasNext").isFalse();
    }

    @Test
    void givesTheFirstNInputsCyclingAndThenRefuses() {
        TimedInputs in = new TimedInputs(List.of("a", "b"), 5, Long.MAX_VALUE, () -> 0);
        List<Object> seen = new ArrayList<>();
        in.forEachRemaining(seen::add);
        assertThat(seen).containsExactly("a", "b", "a", "b", "a");
        assertThatThrownBy(in::next).isInstanceOf(NoSuchElementException.class).hasMessageContaining("all 5");
    }
}
