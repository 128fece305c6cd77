package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The durations in what a user reads: a trial's first failure quoted "timed out after PT0.25S", Java's
 * Duration text.
 */
class TimeoutWordsTest {
    @Test
    void aTimeoutSaidPtZeroPointTwoFiveS() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TaskPool pool =
                Tandem.threads(1).taskTimeout(Duration.ofMillis(250)).start()) {
            Future<Boolean> f = pool.submit(() -> never.await(1, TimeUnit.MINUTES));
            Throwable t = catchThrowable(f::get);
            assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskTimeoutException.class);
            assertThat(t.getCause().getMessage())
                    .contains("timed out after 250 ms")
                    .doesNotContain("PT");
        } finally {
            never.countDown();
        }
    }
}
