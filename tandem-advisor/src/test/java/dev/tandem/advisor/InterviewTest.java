package dev.tandem.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.measure.Json;
import dev.tandem.measure.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tandem advise --interactive, driven through its prompts with an injected input stream. */
class InterviewTest {
    private static final long US = 1_000;

    private static AdviseCommandTest.Run answer(String... lines) {
        return AdviseCommandTest.run(String.join("\n", lines) + "\n", "--interactive");
    }

    @Test
    void mostlyWaitingTasksManyAtOnceGetVirtualThreads() {
        AdviseCommandTest.Run r = answer("5", "20ms", "2000", "0", "n", "n", "n", "n", "none");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("1. Of a task's time")
                .contains("9. Longest acceptable latency")
                .contains("VERDICT: Use virtual threads: 2,000 mostly waiting tasks")
                .contains("starting a virtual thread took 2.00 µs here against 60.0 µs for a platform thread");
    }

    /** Was: "about 23,700,000/s" on 2 cores for a 1 µs task, more than the cores can hand tasks over. */
    @Test
    void anEstimateExceededWhatTheCoresCanDo() {
        AdviseCommandTest.Run r = answer("1", "1us", "1000", "0", "n", "n", "n", "n", "none");
        assertThat(r.exit()).isZero();
        int cores = Runtime.getRuntime().availableProcessors();
        Matcher about = Pattern.compile("VERDICT: .*?would complete about ([0-9,.]+) tasks/s")
                .matcher(r.out());
        assertThat(about.find()).as(r.out()).isTrue();
        double estimate = Double.parseDouble(about.group(1).replace(",", ""));
        // no model hands over an empty task in less than the fastest round trip measured (15 µs, threads(1))
        assertThat(estimate).isLessThanOrEqualTo(cores * 1e9 / (15 * US) * 1.01);
        assertThat(r.out()).contains("capped at what " + cores + (cores == 1 ? " core" : " cores") + " can do");
    }

    /** Was: "1 tasks in flight" and "a 604,800 s task". */
    @Test
    void oneTaskWasPluralAndAWeekReadInSeconds() {
        AdviseCommandTest.Run r = answer("100", "168h", "1", "0", "n", "n", "n", "n", "none");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("1 task in flight")
                .doesNotContain("1 tasks")
                .doesNotContain("604,800");
        assertThat(r.out()).contains("7 d");
    }

    @Test
    void defaultsDescribeCpuBoundJavaAndGetThreadsPerCore() {
        AdviseCommandTest.Run r = answer("", "", "", "", "", "", "", "", "");
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(r.out())
                .contains("VERDICT: Use threads(" + cores + "): CPU-bound Java runs on every core")
                .contains("40.0 MiB per worker");
    }

    @Test
    void crashRiskGetsProcessesWithTheMeasuredRestartCost() {
        AdviseCommandTest.Run r = answer("100", "50ms", "2", "0", "n", "y", "n", "n", "");
        assertThat(r.out())
                .contains("VERDICT: Use processes(")
                .contains("a task can end its JVM")
                .contains("replaces just that worker, which takes about 300 ms here");
    }

    /** Was: with answers piped in, nothing echoed them and the nine prompts ran together on one line. */
    @Test
    void answersThatDoNotComeFromATerminalArePrintedAfterTheirPrompts() {
        AdviseCommandTest.Run r = answer("5", "20ms", "2000", "0", "n", "n", "n", "n", "none");
        assertThat(r.out())
                .contains("[100] 5\n2. How long does one task take")
                .contains("[10ms] 20ms\n3. How many tasks")
                .contains("["
                        + Questionnaire.keepBusyDefault(
                                0.05, Runtime.getRuntime().availableProcessors()) + "] 2000\n4. ");
        AdviseCommandTest.Run cut = answer("5");
        assertThat(cut.out()).contains("[10ms] (end of input)");
        assertThat(cut.exit()).isEqualTo(2);
    }

    /** Was: the code recycled workers after 1000 tasks and nothing said where that number came from. */
    @Test
    void leakRiskRecyclesWorkersAndSaysTheBoundIsAGuessToReplaceByAMeasurement() {
        AdviseCommandTest.Run r = answer("100", "50ms", "2", "0", "n", "n", "y", "n", "");
        assertThat(r.out())
                .contains("leaks and heap caps are contained per worker JVM")
                .contains(".maxTasksPerWorker(" + Interview.RECYCLE_GUESS + ")")
                .contains(
                        "The " + Interview.RECYCLE_GUESS + " in the code below is a starting point, not a measurement")
                .contains("tandem advise --task YourTask measures the leak and computes N");
    }

    @Test
    void tinyTasksGetBatching() {
        AdviseCommandTest.Run r = answer("100", "2us", "", "", "", "", "", "", "");
        assertThat(r.out()).contains("batch tasks this short with map()").contains("pool.map(fn, inputs)");
    }

    @Test
    void sharedDataIsPricedWithTheMeasuredCopyRate() {
        AdviseCommandTest.Run r = answer("100", "5ms", "", "200m", "y", "n", "y", "n", "");
        assertThat(r.out())
                .contains("Do not copy the 200 MiB that tasks share into each worker (about 600 ms per worker")
                .contains(
                        "put it in a dev.tandem.ipc.SharedByteArray (or SharedLongArray, SharedDoubleArray for numbers)")
                .contains("about 8.00 ms for all of it here")
                .contains("Isolation and shared mutable state pull apart");
    }

    @Test
    void aBadAnswerIsAskedAgain() {
        AdviseCommandTest.Run r = answer("150", "90", "", "", "", "", "", "", "", "");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("'150' is not valid here: expected a percentage from 0 to 100");
    }

    /** Was: 99999999999999 tasks in flight was cut to an int, 276447231, and advised on. */
    @Test
    void tasksInFlightBeyondAnIntAreRefusedNotCutShort() {
        AdviseCommandTest.Run r = answer("", "", "99999999999999", "", "", "", "", "", "", "", "");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("'99999999999999' is not valid here: expected a number of tasks from 1 to 1,000,000")
                .doesNotContain("276447231");
        assertThat(Questionnaire.inFlight("1000000")).isEqualTo(1_000_000);
        assertThatThrownBy(() -> Questionnaire.inFlight("1000001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Questionnaire.inFlight("0")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Was: 100g of shared data on a machine with less memory was taken and priced as if it fit. */
    @Test
    void sharedDataBeyondTheMachinesMemoryIsAskedAgain() {
        AdviseCommandTest.Run r = answer("", "", "", "100000g", "", "", "", "", "", "", "");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("'100000g' is not valid here: expected at most this machine's memory");
    }

    @Test
    void inputEndingEarlyNamesTheQuestion() {
        AdviseCommandTest.Run r = answer("50");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("input ended before an answer to: 2. How long does one task take");
    }

    @Test
    void threeBadAnswersGiveUpWithTheExpectedForm() {
        AdviseCommandTest.Run r = answer("x", "y", "z");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no valid answer to: 1.").contains("last answer 'z'; expected a number");
    }

    /** Was: "'30' is not valid here: expected '30' has no unit; write it like 30ms or 30s": the problem twice. */
    @Test
    void aBadDurationWasReAskedWithTheProblemGivenAsTheExpectedForm() {
        AdviseCommandTest.Run r = answer("", "30", "9999999999999999999s", "1m30s", "", "", "", "", "", "", "");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(" '30' has no unit; write it like 30ms or 30s.")
                .contains(" '9999999999999999999s' is not valid here: expected a duration up to 168h (a week).")
                .doesNotContain("expected '");
        AdviseCommandTest.Run gaveUp = answer("", "30", "x", "9999999999999999999s");
        assertThat(gaveUp.exit()).isEqualTo(2);
        assertThat(gaveUp.err())
                .contains("(last answer '9999999999999999999s'; expected a duration up to 168h (a week))")
                .doesNotContain("expected '")
                .doesNotContain("is not a duration");
    }

    /**
     * Was: 50 % CPU, 1 h tasks, 1,000,000 in flight and a crash risk gave processes(2) on 2 cores, said the
     * tasks "compute" and "gain nothing from more threads", while 10 % gave processes(8); and the rate read
     * "about 0.000556/s".
     */
    @Test
    void halfWaitingTasksGotOneProcessPerCoreAndWereCalledComputing() {
        int cores = Runtime.getRuntime().availableProcessors();
        AdviseCommandTest.Run r = answer("50", "1h", "1000000", "", "", "y", "", "", "");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("VERDICT: Use processes(" + Math.min(2 * cores, 4 * cores) + ")")
                .contains("Tasks compute 50% of the time and wait the rest, so " + cores + " cores serve about "
                        + 2 * cores + " tasks at once")
                .contains("about " + 2 * cores + " at once keep the " + cores + " cores busy")
                .doesNotContain("Tasks compute:")
                .doesNotContain("computing tasks gain nothing")
                .containsPattern("about [0-9.,]+ tasks/h, an estimate")
                .doesNotContainPattern("0\\.000[0-9]+/s");
        AdviseCommandTest.Run computing = answer("100", "1h", "1000000", "", "", "y", "", "", "");
        assertThat(computing.out())
                .contains("VERDICT: Use processes(" + cores + ")")
                .contains("Tasks compute:");
    }

    @Test
    void theMachineCostsAreMeasuredNotAssumed() {
        CostProbe.Costs c = CostProbe.measure();
        assertThat(c.threadStartNanos()).isPositive();
        assertThat(c.virtualStartNanos()).isPositive();
        assertThat(c.threadRoundTripNanos()).isPositive();
        assertThat(c.copyNanosPerMiB()).isPositive();
        assertThat(c.processError()).isNull();
        assertThat(c.processStartNanos())
                .isGreaterThan(c.processRoundTripNanos())
                .isPositive();
        assertThat(c.workerRssBytes()).isGreaterThan(1L << 20);
    }

    @Test
    void sharedDataReadByThreadsStaysInPlaceAndNamesTandemsSharedArraysForLater() {
        AdviseCommandTest.Run r = answer("100", "5ms", "", "200m", "n", "n", "n", "n", "");
        assertThat(r.out())
                .contains("VERDICT: Use threads(")
                .contains("Threads read the 200 MiB in place")
                .contains("SharedByteArray");
    }

    @Test
    void noLineOfTheAnswerHoldsOnlyASemicolonOrOtherPunctuation() {
        List<String[]> answers = List.of(
                new String[] {"", "", "", "", "", "", "", "", ""},
                new String[] {"5", "20ms", "2000", "0", "n", "n", "n", "n", "none"},
                new String[] {"100", "5ms", "", "200m", "y", "n", "y", "n", ""},
                new String[] {"100", "50ms", "2", "0", "n", "y", "n", "n", ""},
                new String[] {"100", "2us", "", "", "", "", "", "", ""},
                new String[] {"50", "10ms", "8", "1g", "y", "y", "y", "y", "50ms"},
                new String[] {"1", "2s", "100000", "64k", "n", "n", "y", "n", "1ms"},
                new String[] {"0", "20ms", "2000", "0", "n", "n", "n", "n", "none"},
                new String[] {"0.2", "1s", "", "0", "n", "y", "n", "n", "none"});
        for (String[] a : answers) {
            AdviseCommandTest.Run r = answer(a);
            assertThat(r.exit()).isZero();
            for (String line : r.raw().split("\n")) {
                assertThat(line.strip())
                        .as("a line of the answer to %s", String.join("|", a))
                        .doesNotMatch("[;,.:!?]+");
            }
        }
    }

    private static Advice.MachineLoad load(double others) {
        return new Advice.MachineLoad(
                1.5,
                2,
                9.1,
                9.4,
                others,
                0,
                others >= 0.5,
                "load average 9.1 to 9.4 on 2 CPUs; other processes used " + others + " CPUs");
    }

    private static CostProbe.Figure figure(String what, double others, double... samples) {
        List<Double> list = Arrays.stream(samples).boxed().toList();
        Stats st = Stats.of(list);
        return new CostProbe.Figure(what, list, st.median(), st.q1(), st.q3(), st.tooWide(), load(others));
    }

    /**
     * Costs measured with samples and load: the round trips of threads and virtual threads spread from
     * 5 µs to 40 µs, too wide to rank a 20 µs task's models by.
     */
    private static CostProbe.Costs measured(double others) {
        List<CostProbe.Figure> figures = List.of(
                figure(CostProbe.THREAD_START, others, 55e3, 60e3, 61e3, 62e3, 65e3),
                figure(CostProbe.ROUND_TRIP_THREADS, others, 5e3, 6e3, 15e3, 39e3, 40e3),
                figure(CostProbe.ROUND_TRIP_VIRTUAL, others, 5e3, 7e3, 16e3, 38e3, 40e3),
                figure(CostProbe.ROUND_TRIP_PROCESSES, others, 44e3, 45e3, 45e3, 46e3, 47e3));
        return new CostProbe.Costs(
                60 * US,
                2 * US,
                15 * US,
                16 * US,
                300_000 * US,
                45 * US,
                40L << 20,
                3_000 * US,
                40 * US,
                null,
                figures,
                load(others));
    }

    @Test
    void interactiveRecordsTheLoadOfItsMeasurementsAndOpensWithTheBusyBannerInPrintAndReport(@TempDir Path dir)
            throws Exception {
        Path report = dir.resolve("r");
        AdviseCommandTest.Run r = AdviseCommandTest.run(
                measured(1.4),
                String.join("\n", "100", "5ms", "", "0", "n", "n", "n", "n", "") + "\n",
                "--interactive",
                "--report",
                report.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Load while measuring: load average 9.1 to 9.4 on 2 CPUs; other processes used 1.4 CPUs")
                .contains("THE MACHINE WAS BUSY: load average 9.1 to 9.4")
                .contains("CPUs other programs took during each measurement: start a platform thread 1.4")
                .contains(
                        "Noise (too few samples, or the spread is wider than half the median): round trip, threads(1) IQR");
        String html = Files.readString(report.resolve("index.html"));
        assertThat(html).contains("class=\"banner\"").contains("The machine was busy.");
        JsonNode json = Json.MAPPER.readTree(report.resolve("results.json").toFile());
        assertThat(json.path("load").path("othersCpus").asDouble()).isEqualTo(1.4);
        assertThat(json.path("costs").path("figures")).hasSize(4);
        assertThat(json.path("costs")
                        .path("figures")
                        .get(1)
                        .path("load")
                        .path("busy")
                        .asBoolean())
                .isTrue();
        assertThat(json.path("costs").path("figures").get(1).path("noise").asBoolean())
                .isTrue();
    }

    @Test
    void interactiveVerdictRestingOnFiguresTakenOnABusyMachineIsInconclusive(@TempDir Path dir) throws Exception {
        // a 20 µs CPU-bound task: threads(2) or virtual threads depends on round trips whose spreads overlap
        Path report = dir.resolve("r");
        AdviseCommandTest.Run r = AdviseCommandTest.run(
                measured(1.4),
                String.join("\n", "100", "20us", "", "0", "n", "n", "n", "n", "") + "\n",
                "--interactive",
                "--report",
                report.toString());
        assertThat(r.out())
                .contains("VERDICT: Use ")
                .contains("inconclusive (machine busy): ")
                .contains("rerun on a quieter machine")
                .contains("are not told apart by this machine's costs");
        JsonNode json = Json.MAPPER.readTree(report.resolve("results.json").toFile());
        assertThat(json.path("verdict").path("inconclusive").asBoolean()).isTrue();
    }

    @Test
    void interactiveVerdictOnAQuietMachineIsNotInconclusiveUnlessItsFiguresAreNoise() {
        String answers = String.join("\n", "100", "20us", "", "0", "n", "n", "n", "n", "") + "\n";
        // quiet, but the round trips are noise: inconclusive, and says so
        assertThat(AdviseCommandTest.run(measured(0.1), answers, "--interactive")
                        .out())
                .contains("inconclusive (noisy measurement): ")
                .doesNotContain("THE MACHINE WAS BUSY");
        // a 5 ms task: the round trips' spreads cannot change the choice, so it stands even on a busy machine
        assertThat(AdviseCommandTest.run(
                                measured(1.4),
                                String.join("\n", "100", "5ms", "", "0", "n", "n", "n", "n", "") + "\n",
                                "--interactive")
                        .out())
                .contains("VERDICT: Use threads(")
                .doesNotContain("inconclusive (")
                .doesNotContain("are not told apart");
    }

    @Test
    void interactiveSharedDataAdviceNamesTandemsZeroCopyArraysForProcessesAndThreads() {
        // worker JVMs (a leak risk): the shared array, attached without a copy, not a copy per worker
        AdviseCommandTest.Run procs = answer("100", "5ms", "", "200m", "n", "n", "y", "n", "");
        assertThat(procs.out())
                .containsPattern("VERDICT: Use (processes|hybrid)\\(")
                .contains("Do not copy the 200 MiB")
                .contains("dev.tandem.ipc.SharedByteArray")
                .contains("without a copy");
        // threads: in place, with the shared arrays named for a later move to processes
        AdviseCommandTest.Run threads = answer("100", "5ms", "", "200m", "n", "n", "n", "n", "");
        assertThat(threads.out()).contains("Threads read the 200 MiB in place").contains("shares it without a copy");
    }

    @Test
    void underABusyMachineTheMeasuredCostsRecordTheLoadOfEachMeasurement() throws Exception {
        CostProbe.Costs c;
        try (var _ = BusyMachine.burning(1)) {
            c = CostProbe.measure();
        }
        assertThat(c.load()).isNotNull();
        assertThat(c.load().othersCpus())
                .as("the burner, another program, took CPU: %s", c.load().description())
                .isGreaterThan(0.5);
        assertThat(c.busy()).isTrue();
        assertThat(c.figures())
                .extracting(CostProbe.Figure::what)
                .contains(CostProbe.ROUND_TRIP_THREADS, CostProbe.ROUND_TRIP_VIRTUAL, CostProbe.ROUND_TRIP_PROCESSES);
        assertThat(c.figures()).allSatisfy(f -> {
            assertThat(f.load()).as(f.what()).isNotNull();
            assertThat(f.samples()).as(f.what()).isNotEmpty();
        });
        assertThat(c.figure(CostProbe.ROUND_TRIP_THREADS).samples()).hasSize(5);
    }

    /**
     * Was: a SharedByteArray advised whatever the costs said, also when attaching measured slower than copying
     * (a busy machine): then it is not advised, and both numbers say why.
     */
    @Test
    void sharedMemoryWasAdvisedWhenAttachingMeasuredSlowerThanCopying() {
        long ms = 1_000_000;
        CostProbe.Costs slowAttach = new CostProbe.Costs(
                60_000, 2_000, 15_000, 20_000, 300 * ms, 45_000, 40L << 20, 3 * ms, 5 * ms, null, List.of(), null);
        AdviseCommandTest.Run isolated = AdviseCommandTest.run(
                slowAttach,
                String.join("\n", "100", "5ms", "", "200m", "n", "n", "y", "n", "") + "\n",
                "--interactive");
        assertThat(isolated.out())
                .contains("attaching a SharedByteArray measured 5.00 ms per MiB here, no faster than serializing a copy"
                        + " (3.00 ms per MiB), so shared memory is not advised")
                .contains("into each worker once, with an initializer")
                .doesNotContain("put it in a dev.tandem.ipc.SharedByteArray");
        AdviseCommandTest.Run threads = AdviseCommandTest.run(
                slowAttach,
                String.join("\n", "100", "5ms", "", "200m", "n", "n", "n", "n", "") + "\n",
                "--interactive");
        assertThat(threads.out())
                .contains("Threads read the 200 MiB in place")
                .contains("no faster than serializing a copy")
                .doesNotContain("shares it without a copy");
    }

    /** Was: "processes(8) now, processes(n) later is one line" for a verdict of processes. */
    @Test
    void aProcessesVerdictSaidProcessesNowAndProcessesLater() {
        AdviseCommandTest.Run crash = answer("100", "5ms", "", "", "", "y", "", "", "");
        assertThat(crash.out()).containsPattern("VERDICT: Use processes\\(");
        AdviseCommandTest.Run computing = answer("100", "5ms", "", "", "", "", "", "", "");
        for (AdviseCommandTest.Run r : List.of(crash, computing)) {
            assertThat(r.out())
                    .doesNotContainPattern("processes\\(\\d+\\) now, processes\\(n\\) later")
                    .containsPattern(
                            "moving from (processes\\(\\d+\\) to threads|threads\\(\\d+\\) to processes)\\(n\\)"
                                    + " later is one line");
        }
    }

    /**
     * Was: a task at 0 % CPU (one that only waits) had its share taken as 1 %, so 2 cores "served about 200 tasks
     * at once" and 2,000 waiting virtual threads were estimated as if 200 ran: a tenth of their rate; and Enter at
     * "how many in flight" gave it the cores' count, as for a computing task.
     */
    @Test
    void aTaskAtZeroPercentCpuWasCappedAtAHundredTasksPerCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        AdviseCommandTest.Run r = answer("0", "20ms", "2000", "0", "n", "n", "n", "n", "none");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("VERDICT: Use virtual threads")
                .contains("Tasks only wait (0% CPU), so the cores set no bound on how many run at once: all 2,000"
                        + " tasks in flight do")
                .contains("Assumed: what the tasks wait on serves all of them at once")
                .doesNotContain("serve about " + 100 * cores + " tasks");
        Matcher about = Pattern.compile("VERDICT: .*?would complete about ([0-9,.]+) tasks/s")
                .matcher(r.out());
        assertThat(about.find()).as(r.out()).isTrue();
        double rate = Double.parseDouble(about.group(1).replace(",", ""));
        long virtualRoundTrip = AdviseCommandTest.COSTS.virtualRoundTripNanos();
        double expected = Math.min(2000 * 1e9 / (20e6 + virtualRoundTrip), cores * 1e9 / virtualRoundTrip);
        assertThat(rate).isCloseTo(expected, Percentage.withPercentage(1));
        // at 0 % the cores give no default for the tasks in flight: an empty answer is asked again
        AdviseCommandTest.Run empty = answer("0", "20ms", "", "500", "0", "n", "n", "n", "n", "none");
        assertThat(empty.exit()).as(empty.err()).isZero();
        assertThat(empty.out())
                .contains("the cores set no number: only you can say")
                .contains("This question has no default: type an answer.")
                .contains("500 tasks in flight");
        AdviseCommandTest.Run none = answer("0", "20ms", "", "", "");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no valid answer to: 3.").contains("it has no default");
    }

    /** Was: 0.2 % CPU was read as 1 % (100 tasks per core) and printed as "0%"; 100 % keeps one task per core. */
    @Test
    void aTaskNearZeroPercentCpuWasReadAsOnePercent() {
        int cores = Runtime.getRuntime().availableProcessors();
        AdviseCommandTest.Run r = answer("0.2", "1s", "", "0", "n", "y", "n", "n", "none");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("[" + 500 * cores + "] ")
                .contains("Tasks compute 0.2% of the time and wait the rest, so " + cores + " cores serve about "
                        + String.format(Locale.ROOT, "%,d", 500 * cores) + " tasks at once")
                .contains("99.8% of their time waiting")
                .contains("about " + String.format(Locale.ROOT, "%,d", 500 * cores) + " at once keep the " + cores
                        + " cores busy");
        assertThat(Questionnaire.keepBusyDefault(0, 2)).isNull();
        assertThat(Questionnaire.keepBusyDefault(1, 2)).isEqualTo("2");
        assertThat(Questionnaire.keepBusyDefault(0.5, 2)).isEqualTo("4");
        assertThat(Questionnaire.keepBusyDefault(0.3, 2)).isEqualTo("7");
        assertThat(Questionnaire.keepBusyDefault(1e-300, 2)).isEqualTo(Integer.toString(Questionnaire.MAX_IN_FLIGHT));
        assertThat(Interview.fill(new Interview.Answers(0, 1, 1_000_000, 0, false, false, false, false, 0), 2))
                .isEqualTo(1_000_000);
        assertThat(Interview.fill(new Interview.Answers(1, 1, 1_000_000, 0, false, false, false, false, 0), 2))
                .isEqualTo(2);
        assertThat(Interview.fill(new Interview.Answers(1e-300, 1, 5, 0, false, false, false, false, 0), 2))
                .isEqualTo(5);
        assertThat(Interview.share(0.002)).isEqualTo("0.2%");
        assertThat(Interview.share(0.998)).isEqualTo("99.8%");
        assertThat(Interview.share(0.5)).isEqualTo("50%");
        assertThat(Interview.share(0)).isEqualTo("0%");
        // "NaN" parses as a number: it is no percentage
        AdviseCommandTest.Run nan = answer("NaN", "", "", "", "", "", "", "", "", "");
        assertThat(nan.out()).contains("'NaN' is not valid here: expected a percentage from 0 to 100");
    }

    /** Was: "(about 200/s, estimated ...)": whose rate, the task's required one or a measured one? */
    @Test
    void anEstimatedRateDidNotSayWhoseItWas() {
        AdviseCommandTest.Run r = answer("100", "5ms", "", "", "", "", "", "", "");
        assertThat(r.out())
                .containsPattern("\\(threads\\(\\d+\\) would complete about [0-9,.]+ tasks/s, an estimate from this"
                        + " machine's costs, not a measurement of your task")
                .doesNotContainPattern("\\(about [0-9,.]+/s");
    }
}
