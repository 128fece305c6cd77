package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the stated requirements rule out the models in the caller's JVM, the models in worker JVMs run first. Was:
 * {@code --time 8s --heap-per-task 0.5g} ran threads(1), threads(2), virtual(8), threads(2)+map, skipped
 * processes(2) and hybrid(1x2) for budget, and then "no model that may run the task was measured".
 */
class IsolatedFirstTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static List<String> labels(Advisor.Options options) {
        List<Trials.Plan> plans = Trials.plan(RulesTest.probe(1, 5 * MS, 0), 2, 10_000);
        return Conductor.ordered(plans, options).stream()
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
}
