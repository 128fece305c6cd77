package dev.tandem.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.Mode;
import dev.tandem.Tandem;
import dev.tandem.TaskPool;
import dev.tandem.WorkerLostException;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The binder against a real {@link SimpleMeterRegistry}: every meter is registered with its tags,
 * and the values move as tasks run, wait, fail and as a worker dies and is restarted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskPoolMetricsTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void noWorkerIsLeftRunning() throws Exception {
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                p.destroyForcibly();
                left.add(p);
            }
        }
        assertThat(left).as("processes left running").isEmpty();
    }

    @Test
    void everyMeterIsRegisteredWithTheNameTheModeAndTheGivenTags() {
        try (TaskPool pool = Tandem.threads(1).start()) {
            new TaskPoolMetrics(pool, "crunch", Tags.of("app", "test")).bindTo(registry);
            assertThat(registry.getMeters().stream()
                            .map(m -> m.getId().getName())
                            .distinct())
                    .containsExactlyInAnyOrder(
                            "tandem.pool.workers",
                            "tandem.pool.queued",
                            "tandem.pool.running",
                            "tandem.tasks.submitted",
                            "tandem.tasks.completed",
                            "tandem.tasks.latency",
                            "tandem.workers.started",
                            "tandem.workers.deaths",
                            "tandem.workers.restarts",
                            "tandem.workers.recycled");
            assertThat(registry.getMeters())
                    .allSatisfy(m -> assertThat(m.getId().getTags())
                            .contains(Tag.of("name", "crunch"), Tag.of("mode", "threads"), Tag.of("app", "test")));
            assertThat(registry.find("tandem.tasks.completed").meters().stream()
                            .map(m -> m.getId().getTag("outcome")))
                    .containsExactlyInAnyOrder("succeeded", "failed", "timed_out", "cancelled", "lost");
            assertThat(registry.get("tandem.pool.queued").gauge().getId().getBaseUnit())
                    .isEqualTo("tasks");
        }
    }

    @Test
    void queueDepthRunningTasksAndLatencyMoveInAThreadPool() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        List<Future<Integer>> futures = new ArrayList<>();
        try (TaskPool pool = TaskPoolMetrics.monitor(registry, Tandem.threads(2).start(), "io")) {
            assertThat(gauge("tandem.pool.running")).isZero();
            for (int i = 0; i < 5; i++) {
                futures.add(pool.submit(() -> {
                    started.countDown();
                    return release.await(60, TimeUnit.SECONDS) ? 1 : 0;
                }));
            }
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(gauge("tandem.pool.running")).isEqualTo(2);
            assertThat(gauge("tandem.pool.queued")).isEqualTo(3);
            assertThat(gauge("tandem.pool.workers")).isEqualTo(2);
            assertThat(counter("tandem.tasks.submitted")).isEqualTo(5);
            release.countDown();
            for (Future<Integer> f : futures) {
                assertThat(f.get()).isEqualTo(1);
            }
        }
        assertThat(gauge("tandem.pool.running")).isZero();
        assertThat(gauge("tandem.pool.queued")).isZero();
        assertThat(completed("succeeded")).isEqualTo(5);
        FunctionTimer latency = registry.get("tandem.tasks.latency").functionTimer();
        assertThat(latency.count()).isEqualTo(5);
        assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(counter("tandem.workers.started")).isZero();
    }

    @Test
    void tasksAndWorkerDeathsMoveInAProcessPool() throws Exception {
        TaskPool pool = Tandem.processes(1).aotCache(false).start();
        try (pool) {
            TaskPoolMetrics.monitor(registry, pool, "isolated");
            assertThat(gauge("tandem.pool.workers")).isEqualTo(1);
            assertThat(counter("tandem.workers.started")).isEqualTo(1);
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(pool.submit(() -> n).get()).isEqualTo(n);
            }
            Future<Integer> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            catchThrowableOfType(ExecutionException.class, fails::get);
            assertThat(counter("tandem.workers.deaths")).isZero();
            Future<Integer> exits = pool.submit(() -> {
                System.exit(3);
                return 0;
            });
            ExecutionException e = catchThrowableOfType(ExecutionException.class, exits::get);
            assertThat(e.getCause()).isInstanceOf(WorkerLostException.class);
            // A death is counted, and its restart started, before the lost task's future fails.
            assertThat(counter("tandem.workers.deaths")).isEqualTo(1);
            assertThat(counter("tandem.workers.restarts")).isEqualTo(1);
            assertThat(completed("lost")).isEqualTo(1);
            assertThat(counter("tandem.tasks.submitted")).isEqualTo(5);
            assertThat(pool.submit(() -> 9).get()).isEqualTo(9);
            assertThat(counter("tandem.workers.started")).isEqualTo(2);
            assertThat(gauge("tandem.pool.workers")).isEqualTo(1);
        }
        assertThat(pool.mode()).isEqualTo(Mode.PROCESSES);
        assertThat(completed("succeeded")).isEqualTo(4);
        assertThat(completed("failed")).isEqualTo(1);
        assertThat(registry.get("tandem.tasks.latency").functionTimer().count()).isEqualTo(6);
        assertThat(counter("tandem.workers.deaths"))
                .as("the exits at close are planned")
                .isEqualTo(1);
        assertThat(gauge("tandem.pool.workers")).isZero();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private double completed(String outcome) {
        return registry.get("tandem.tasks.completed")
                .tag("outcome", outcome)
                .functionCounter()
                .count();
    }
}
