package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the stated requirements rule out the models in the caller's JVM, the models in worker JVMs run first. Was:
 * {@code --time 8s --heap-per-task 0.5g} ran threads(1), threads(2), virtual(8), threads(2)+map, skipped
 * processes(2) and hybrid(1x2) for budget, and then "no model that may run the task was measured". The probe's
 * findings rule models out as well: a task that leaks ran four thread models first and skipped the two it allows.
 */
class IsolatedFirstTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static List<String> labels(Advisor.Options options) {
        return labels(RulesTest.probe(1, 5 * MS, 0), options);
    }

    private static List<String> labels(Advice.Probe probe, Advisor.Options options) {
        List<Trials.Plan> plans = Trials.plan(probe, 2, 10_000);
        return Conductor.ordered(plans, probe, options, RulesTest.MACHINE).stream()
                .map(Trials.Plan::label)
                .toList();
    }

    @Test
    void withHeapPerTaskTheBudgetWentToThreadModelsThatCannotBeRecommended() {
        assertThat(labels(Advisor.Options.defaults().withHeapPerTask(512L << 20)))
                .startsWith("threads(1)", "processes(2)", "hybrid(1x2)")
                .contains("threads(2)", "virtual(8)", "threads(2)+map");
        assertThat(labels(Advisor.Options.defaults().withIsolate(true)))
                .startsWith("threads(1)", "processes(2)", "hybrid(1x2)");
    }

    @Test
    void withoutRequirementsTheOrderIsThePlans() {
        assertThat(labels(Advisor.Options.defaults()))
                .isEqualTo(Trials.plan(RulesTest.probe(1, 5 * MS, 0), 2, 10_000).stream()
                        .map(Trials.Plan::label)
                        .toList());
    }

    /**
     * Was: {@code --task ext.Spawner --time 12s} (its heap grew 24.8 KiB per call in the probe) ran threads(1),
     * threads(2), threads(52) and virtual(208), then skipped processes(2) and hybrid(1x52), the only models it allows.
     */
    @Test
    void aLeakTheProbeFoundSpentTheBudgetOnThreadModelsItRulesOut() {
        // a call that waits (4% CPU) for 23 ms and retains 24.8 KiB
        Advice.Probe leaks = RulesTest.probe(0.04, 23 * MS, 25_400);
        List<String> order = labels(leaks, Advisor.Options.defaults());
        assertThat(order).first().isEqualTo("threads(1)");
        List<String> isolated = Trials.plan(leaks, 2, 10_000).stream()
                .filter(p -> p.mode().isolated())
                .map(Trials.Plan::label)
                .toList();
        assertThat(isolated).isNotEmpty();
        // every model in worker JVMs comes before every other model in the caller's JVM
        assertThat(order.subList(1, 1 + isolated.size())).containsExactlyInAnyOrderElementsOf(isolated);
        assertThat(order)
                .hasSameElementsAs(Trials.plan(leaks, 2, 10_000).stream()
                        .map(Trials.Plan::label)
                        .toList());
    }
}
