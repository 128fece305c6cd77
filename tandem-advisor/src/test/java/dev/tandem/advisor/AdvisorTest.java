package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.Mode;
import dev.tandem.measure.Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known workloads get the right advice, end to end: probe, trials under every model, verdict. Each
 * run has an 8 s budget; the advisor bounds every trial, so none of these can hang.
 */
class AdvisorTest {
    private static final Advisor.Options QUICK =
            Advisor.Options.defaults().withTime(Duration.ofSeconds(8)).withInputs(2000);

    /**
     * The run of {@link Workloads.CpuBound} with {@link #QUICK}, made once for the two tests that check it
     * (each its own side of the same advice; the run takes the whole 8 s budget); null until then.
     */
    private static Advice cpuBound;

    @AfterEach
    void everyChildProcessIsGone() throws Exception {
        List<ProcessHandle> children = ProcessHandle.current().children().toList();
        CompletableFuture.allOf(children.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        assertThat(ProcessHandle.current().children().toList())
                .as("child processes left running")
                .isEmpty();
    }

    private static synchronized Advice cpuBound() {
        if (cpuBound == null) {
            cpuBound = advise(Workloads.CpuBound.class, QUICK);
        }
        return cpuBound;
    }

    private static Advice advise(Class<?> type, Advisor.Options options) {
        Advice advice = Advisor.advise(type, options);
        System.out.println(Terminal.render(advice));
        return advice;
    }

    /**
     * {@return the one line with which {@code tandem advise} refused {@code task} (8 s, 500 inputs, a report asked
     * for in {@code dir})} Asserts exit code 2, that line alone on stderr besides the "measuring" one, no verdict
     * and no report written.
     */
    private static String refusedInOneLine(Class<?> task, Path dir) {
        AdviseCommandTest.Run r = AdviseCommandTest.run(
                "",
                "--task",
                task.getName(),
                "--time",
                "8s",
                "--inputs",
                "500",
                "--report",
                dir.resolve("report").toString());
        assertThat(r.exit()).as("%s%n%s", r.out(), r.err()).isEqualTo(2);
        List<String> errors = r.err()
                .lines()
                .filter(l -> l.startsWith("tandem advise: ") && !l.startsWith("tandem advise: measuring "))
                .toList();
        assertThat(errors).hasSize(1);
        assertThat(r.out()).doesNotContain("VERDICT").doesNotContain("Use ");
        assertThat(dir.resolve("report").resolve("results.json")).doesNotExist();
        return errors.getFirst();
    }

    private static Advice.Trial trial(Advice advice, Predicate<Advice.Trial> which) {
        return advice.trials().stream()
                .filter(t -> t.ran() && which.test(t))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no such trial in " + advice.trials()));
    }

    private static void reasonsCoverTheSixAnglesWithNumbers(Advice advice) {
        assertThat(advice.verdict().reasons()).extracting(Advice.Reason::angle).containsExactly(Advice.Angle.values());
        assertThat(advice.verdict().reasons())
                .allSatisfy(r -> assertThat(r.text()).containsPattern("\\d"));
    }

    @Test
    void cpuBoundPureJavaGetsThreadsNotProcesses() {
        Advice advice = cpuBound();
        assertThat(advice.verdict().mode()).isEqualTo(Mode.THREADS);
        assertThat(advice.verdict().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        Advice.Trial map = trial(advice, t -> t.mode() == Mode.THREADS && t.batched());
        Advice.Trial oneByOne = trial(
                advice,
                t -> t.mode() == Mode.THREADS
                        && !t.batched()
                        && t.workers() == Runtime.getRuntime().availableProcessors());
        // map() is measured in windows like every trial, so it has a spread and is compared pair by pair; a
        // busy machine gives fewer, longer windows (none may be empty), never more
        assertThat(map.throughputSamples())
                .as("map's windows")
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(TrialOutcome.WINDOWS);
        if (advice.verdict().batch()) {
            assertThat(map.throughputSamples())
                    .as("the windows of a recommended map()")
                    .hasSizeGreaterThan(1);
            // map() is recommended only when it measured faster than one task per submit beyond the noise:
            // its windows apart from and above the other's, or so measured again side by side
            Stats batched = Stats.of(map.throughputSamples());
            Stats single = Stats.of(oneByOne.throughputSamples());
            boolean apart = batched.separatedFrom(single) && batched.median() > single.median();
            assertThat(apart
                            || advice.verdict().decision().stream()
                                    .anyMatch(d -> d.contains("side by side")
                                            && d.contains(map.label())
                                            && d.contains(oneByOne.label())))
                    .as(
                            "map recommended at %s (%s) against %s at %s (%s); decision %s",
                            map.throughput(),
                            map.throughputSamples(),
                            oneByOne.label(),
                            oneByOne.throughput(),
                            oneByOne.throughputSamples(),
                            advice.verdict().decision())
                    .isTrue();
            assertThat(advice.verdict().code()).contains(".map(");
        }
        assertThat(advice.verdict().summary()).contains("computes");
        assertThat(advice.probe().cpuShare()).isGreaterThan(0.5);
        assertThat(advice.trials()).anySatisfy(t -> assertThat(t.mode()).isEqualTo(Mode.PROCESSES));
        reasonsCoverTheSixAnglesWithNumbers(advice);
    }

    @Test
    void blockingIoWithHighConcurrencyGetsVirtualThreads() {
        Advice advice = advise(Workloads.BlockingIo.class, QUICK);
        assertThat(advice.verdict().mode()).isEqualTo(Mode.VIRTUAL_THREADS);
        assertThat(advice.probe().cpuShare()).isLessThan(0.5);
        assertThat(advice.verdict().reasons().get(1).text()).contains("waits");
        reasonsCoverTheSixAnglesWithNumbers(advice);
    }

    @Test
    void taskThatCallsSystemExitGetsProcessesAndNeverRunsInTheAdvisorsJvm() {
        Advice advice = advise(Workloads.Exiting.class, QUICK);
        assertThat(advice.probe().jvmEnded()).isTrue();
        assertThat(advice.probe().endedHow())
                .contains("System.exit(3)")
                .contains("call #4"); // input 3, the fourth call
        assertThat(advice.verdict().mode()).isEqualTo(Mode.PROCESSES);
        assertThat(advice.verdict().summary()).contains("System.exit(3)");
        assertThat(advice.trials())
                .filteredOn(t -> !t.mode().isolated())
                .allSatisfy(t -> assertThat(t.skipped()).contains("not run in the advisor's JVM"));
        assertThat(advice.verdict().reasons())
                .filteredOn(r -> r.angle() == Advice.Angle.FAILURE)
                .singleElement()
                .satisfies(r -> assertThat(r.text()).contains("System.exit"));
        // we are still here: the exits happened in the probe JVM and in worker JVMs
    }

    /**
     * A task that ends its JVM on every call: the probe sees it end its JVM, so no thread model runs it here (this
     * test's JVM would end), and every worker JVM of the isolated models dies on its first call. No model is
     * measured: exit code 2, one line saying so, and no recommendation (was: processes recommended "from the probe
     * alone").
     */
    @Test
    void aTaskThatEndsItsJvmOnEveryCallGetsNoRecommendation(@TempDir Path dir) {
        assertThat(refusedInOneLine(Workloads.ExitsEveryCall.class, dir))
                .asString()
                .contains("ends its JVM on every call and no model could be measured, so there is no recommendation")
                .contains("System.exit(7) during call #1")
                .containsPattern(
                        "; then processes\\(1\\)[^;]* completed no task: [^;]*WorkerLostException\\): make the task");
        // we are still here: no thread model ran the task in this JVM
    }

    @Test
    void leakingTaskGetsWorkerJvmsThatRecycle() {
        Advice advice = advise(Workloads.Leaky.class, QUICK);
        assertThat(advice.probe().retainedBytesPerCall()).isBetween(900L << 10, 1200L << 10);
        // a leak is contained per worker JVM, so a hybrid may hold several tasks: the faster of the two wins
        assertThat(advice.verdict().mode()).isIn(Mode.PROCESSES, Mode.HYBRID);
        assertThat(advice.verdict().code()).contains("maxTasksPerWorker(");
        assertThat(advice.verdict().summary()).contains("per call");
        assertThat(advice.trials())
                .filteredOn(t -> !t.mode().isolated() && t.ran())
                .allSatisfy(
                        t -> assertThat(t.notes()).anySatisfy(n -> assertThat(n).contains("capped")));
    }

    /**
     * A task whose results differ under several threads gets one thread (it cannot race with itself)
     * or one task per worker JVM, whichever measured faster; never several threads in one JVM.
     */
    @Test
    void taskThatRacesUnderThreadsGetsOneThreadOrOneTaskPerJvm() {
        Advice advice = advise(Workloads.Racy.class, QUICK);
        assertThat(advice.probe().deterministic()).isTrue();
        assertThat(advice.trials())
                .anySatisfy(t -> assertThat(t.resultsDiffering()).isPositive());
        Advice.Verdict v = advice.verdict();
        if (v.mode() == Mode.THREADS) {
            assertThat(v.label()).isEqualTo("threads(1)");
            assertThat(v.decision()).anySatisfy(d -> assertThat(d).contains("one thread cannot race with itself"));
        } else {
            assertThat(v.mode()).isEqualTo(Mode.PROCESSES);
            assertThat(v.summary()).contains("probably not thread-safe");
        }
    }

    /**
     * A task that never returns from one call in fifty: a thread cannot stop that call, a worker JVM can be killed,
     * so processes with a task timeout drawn from the calls that returned (ten times their median, at least 1 s).
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // the bounds stretch with a busy machine's pace; never for ever
    void taskThatSometimesNeverReturnsIsStoppedAndTheRunStaysWithinItsBounds() {
        Advice advice = advise(Workloads.HangsSometimes.class, QUICK);
        assertThat(advice.probe().endedHow())
                .contains("call #4, counting from 1, was still running")
                .contains("no progress for");
        assertThat(advice.probe().medianCallNanos()).isPositive();
        assertThat(advice.verdict().mode()).isEqualTo(Mode.PROCESSES);
        assertThat(advice.verdict().summary()).contains("a Java thread cannot be stopped");
        long timeoutMs = Math.max(1000, 10 * advice.probe().medianCallNanos() / 1_000_000);
        assertThat(advice.verdict().code()).contains(".taskTimeout(Duration.ofMillis(" + timeoutMs + "))");
        assertThat(advice.verdict().warnings())
                .noneSatisfy(w -> assertThat(w).contains("measurement of restarts"))
                .noneSatisfy(w -> assertThat(w).startsWith("no call returned before the probe's deadline"));
        assertThat(advice.trials())
                .filteredOn(t -> !t.mode().isolated())
                .allSatisfy(t -> assertThat(t.skipped()).isNotNull());
        // --time bounds the whole run: the advice states its wall time, and any overrun names the phase and why
        assertThat(advice.time().getFirst()).startsWith("measuring took ").contains("of its 8.00 s budget");
        if (advice.wallNanos() > advice.budgetNanos() + Budget.TOLERANCE_NANOS) {
            assertThat(advice.time())
                    .as("an overrun is explained")
                    .anySatisfy(n -> assertThat(n).containsAnyOf(" took ", " skipped: "));
        }
        assertThat(advice.time())
                .filteredOn(n -> n.startsWith("the probe took "))
                .allSatisfy(n -> assertThat(n).contains("a call did not return"));
        assertThat(Terminal.render(advice)).contains("time: measuring took ");
        // generous: the regression was 163 s for a 10 s budget
        assertThat(TimeUnit.NANOSECONDS.toSeconds(advice.wallNanos())).isLessThan(150);
    }

    /**
     * A task that never returns from any call: no model can run it, so exit code 2, one line saying so and no
     * recommendation, as for a task that ends its JVM on every call. Was: "Use processes(2)" with a
     * {@code taskTimeout(30000 ms)} drawn from nothing, which would have failed every task.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // the bounds stretch with a busy machine's pace; never for ever
    void aTaskThatNeverReturnsGetsNoRecommendation(@TempDir Path dir) {
        long t0 = System.nanoTime();
        String line = refusedInOneLine(Workloads.Hangs.class, dir);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertThat(line)
                .asString()
                // "never returned from a call ... then processes(1) ... completed no task", or on a busy machine whose
                // probe deadline took the budget "did not return from its first call ... then no trial ran": both
                // in NoModelRanTest
                .contains(" no model could be measured, so there is no recommendation")
                .contains("was still running, and the probe had made no progress for")
                .contains("): make the task return (");
        // generous: the regression was 163 s for a 10 s budget
        assertThat(seconds).isLessThan(150);
    }

    @Test
    void tinyTasksGetBatchingAdvice() {
        Advice advice = advise(Workloads.Tiny.class, QUICK.withInputs(200_000));
        if (advice.verdict().inconclusive()) {
            // at load 13.5 map's windows spread 6,686-141,473/s: no ranking, and the verdict must say so
            assertThat(advice.load().busy()).isTrue();
            assertThat(advice.verdict().summary())
                    .contains("inconclusive (machine busy)")
                    .contains("rerun on a quieter machine");
            return;
        }
        assertThat(advice.verdict().batch())
                .as(
                        "%s%nhow it was decided: %s",
                        Terminal.render(advice), advice.verdict().decision())
                .isTrue();
        assertThat(advice.verdict().mode()).isEqualTo(Mode.THREADS);
        assertThat(advice.verdict().code()).contains("pool.map(fn, inputs)");
        assertThat(advice.verdict().reasons())
                .filteredOn(r -> r.angle() == Advice.Angle.OVERHEAD)
                .singleElement()
                .satisfies(r -> assertThat(r.text()).contains("batched with map(): "));
    }

    @Test
    void missingClassSaysWhereToLook() {
        assertThatThrownBy(() -> Advisor.advise("com.acme.Nope", List.of(), QUICK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class com.acme.Nope not found")
                .hasMessageContaining("--classpath");
    }

    @Test
    void missingClassPathEntryIsNamed() {
        assertThatThrownBy(() -> Advisor.advise("com.acme.Nope", List.of(Path.of("/no/such/dir")), QUICK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/no/such/dir does not exist");
    }

    @Test
    void classThatIsNotATaskSaysWhatToImplement() {
        assertThatThrownBy(() -> Advisor.advise(Workloads.NotATask.class, QUICK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is neither a dev.tandem.Task nor a dev.tandem.advisor.Workload")
                .hasMessageContaining("implement Task<R>");
    }

    @Test
    void taskThatAlwaysThrowsSaysWhatItThrew() {
        assertThatThrownBy(() -> Advisor.advise(Workloads.AlwaysThrows.class, QUICK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threw on every one of its")
                .hasMessageContaining("IllegalStateException: database unreachable")
                .hasMessageContaining("fix the task");
    }

    @Test
    void optionsNameTheBadValue() {
        assertThatThrownBy(() -> QUICK.withTime(Duration.ofMillis(10)))
                .hasMessageContaining("time must be between 8s and 1h, was 10 ms");
        assertThatThrownBy(() -> QUICK.withInputs(0))
                .hasMessageContaining("inputs must be between 1 and 1,000,000, was 0");
    }

    @Test
    void underABusyMachineACpuBoundTaskStillGetsThreadsAndTheAdviceSaysTheMachineWasBusy() throws Exception {
        Advice advice;
        try (var _ = BusyMachine.burning(1)) {
            advice = advise(Workloads.CpuBound.class, QUICK);
        }
        assertThat(advice.load().othersCpus())
                .as("the burner, another program, took CPU: %s", advice.load().description())
                .isGreaterThan(0.5);
        assertThat(advice.load().busy()).isTrue();
        assertThat(advice.verdict().mode())
                .as(
                        "verdict %s; how it was decided: %s",
                        advice.verdict().summary(), advice.verdict().decision())
                .isEqualTo(Mode.THREADS);
        assertThat(advice.verdict().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(advice.verdict().summary()).contains("computes").contains("no GIL");
        assertThat(Terminal.render(advice)).contains("THE MACHINE WAS BUSY");
        assertThat(Report.html(advice)).contains("class=\"banner\"").contains("The machine was busy.");
    }

    @Test
    void underABusyMachineABlockingTaskStillGetsVirtualThreads() throws Exception {
        Advice advice;
        try (var _ = BusyMachine.burning(1)) {
            advice = advise(Workloads.BlockingIo.class, QUICK);
        }
        assertThat(advice.load().busy()).isTrue();
        assertThat(advice.verdict().mode())
                .as(
                        "verdict %s; how it was decided: %s",
                        advice.verdict().summary(), advice.verdict().decision())
                .isEqualTo(Mode.VIRTUAL_THREADS);
    }

    @Test
    void everyTrialRecordsItsSpreadAndTheLoadWhileItRan() {
        Advice advice = cpuBound();
        assertThat(advice.load()).isNotNull();
        assertThat(advice.trials()).filteredOn(Advice.Trial::ran).allSatisfy(t -> {
            // batched: one map() call per window, each bounded by its share of the time: on a busy machine a
            // window can overrun the ones after it, which then run nothing and give no sample. Not batched: a
            // window is never shorter than the longest stretch without a completion (a stall of a busy machine),
            // so fewer windows when there was one. Either way no sample is an empty window's 0/s.
            assertThat(t.throughputSamples())
                    .as(t.label())
                    .hasSizeBetween(1, TrialOutcome.WINDOWS)
                    .allSatisfy(x -> assertThat(x).isPositive());
            assertThat(t.load()).as(t.label()).isNotNull();
        });
        Advice.Trial faster = advice.trials().stream()
                .filter(t -> t.ran() && t.completed() > 0)
                .filter(t -> !Terminal.recommended(advice.verdict(), t))
                .filter(t -> t.throughput()
                        > advice.trials().stream()
                                .filter(x -> Terminal.recommended(advice.verdict(), x))
                                .mapToDouble(Advice.Trial::throughput)
                                .max()
                                .orElse(Double.MAX_VALUE))
                .findFirst()
                .orElse(null);
        if (faster != null) {
            // either passed over with its reason, or measured again side by side with the recommendation
            assertThat(advice.verdict().decision())
                    .as("%s measured faster than the recommendation", faster.label())
                    .anySatisfy(d -> assertThat(d)
                            .satisfiesAnyOf(
                                    x -> assertThat(x).startsWith(faster.label() + " measured"),
                                    x -> assertThat(x).contains(faster.label()).contains("side by side")));
        }
    }
}
