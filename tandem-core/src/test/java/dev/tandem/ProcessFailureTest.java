package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import evil.EvilException;
import evil.Gadget;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every way a worker JVM can fail, one test each: the failing task gets a typed, descriptive error,
 * every other task is untouched, and the pool stays usable. Each test has a hard timeout; worker
 * output reaches this test's stdout prefixed with the worker id, and {@link NoStrayProcesses} fails a
 * test that leaves a process behind.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessFailureTest {
    /** The transport of this run; {@link ProcessFailureOverSharedMemoryTest} runs every test again over shared memory. */
    Transport transport() {
        return Transport.SOCKET;
    }

    Tandem.Builder processes(int n) {
        return Tandem.processes(n).transport(transport());
    }

    Tandem.Builder hybrid(int p, int t) {
        return Tandem.hybrid(p, t).transport(transport());
    }

    private static Throwable causeOf(Future<?> f) {
        ExecutionException e = Assertions.assertThrows(ExecutionException.class, f::get);
        return e.getCause();
    }

    @Test
    void systemExitFailsOnlyItsTaskWithTheExitCode() throws Exception {
        try (TaskPool pool = processes(2).start()) {
            Future<Integer> exits = pool.submit(() -> {
                System.exit(3);
                return 0;
            });
            Throwable cause = causeOf(exits);
            assertThat(cause).isInstanceOf(WorkerLostException.class);
            WorkerLostException lost = (WorkerLostException) cause;
            assertThat(lost.exitCode()).hasValue(3);
            assertThat(lost.task()).contains("task #");
            assertThat(lost.hint()).contains("System.exit(3)");
            assertThat(lost.getMessage()).contains("pid " + lost.pid());
            assertThat(pool.submit(() -> 5).get()).isEqualTo(5);
            assertThat(pool.workerPids()).doesNotContain(lost.pid());
        }
    }

    @Test
    void haltAndSigkillAreNamed() throws Exception {
        try (TaskPool pool = processes(1).start();
                RunningSignal signal = new RunningSignal()) {
            WorkerLostException halted = (WorkerLostException) causeOf(pool.submit(() -> {
                Runtime.getRuntime().halt(7);
                return 0;
            }));
            assertThat(halted.exitCode()).hasValue(7);

            RunningSignal.Signal s = signal.signal();
            Future<Integer> victim = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0;
            });
            signal.awaitRunning(30);
            long pid = pool.workerPids().getFirst();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            WorkerLostException killed = (WorkerLostException) causeOf(victim);
            assertThat(killed.pid()).isEqualTo(pid);
            assertThat(killed.exitCode()).hasValue(137);
            assertThat(killed.signal()).hasValue("SIGKILL");
            assertThat(killed.hint()).contains("OOM killer");
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @Test
    void outOfMemoryEndsTheWorkerWithAHint() throws Exception {
        try (TaskPool pool = processes(1).jvmOptions("-Xmx32m").start()) {
            Throwable cause = causeOf(pool.submit(() -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 20]);
                }
            }));
            assertThat(cause).isInstanceOf(WorkerLostException.class).hasMessageContaining("OutOfMemoryError");
            assertThat(((WorkerLostException) cause).hint()).contains("-Xmx");
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @Test
    void stackOverflowFailsOnlyTheTask() throws Exception {
        try (TaskPool pool = processes(1).start()) {
            long pid = pool.workerPids().getFirst();
            assertThat(causeOf(pool.submit(() -> recurse(0)))).isInstanceOf(StackOverflowError.class);
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }

    static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    @SuppressWarnings("restricted")
    void nativeCrashIsReportedWithTheCrashLog() throws Exception {
        try (TaskPool pool = processes(1).forwardOutput(false).start()) {
            Throwable cause =
                    causeOf(pool.submit(() -> MemorySegment.NULL.reinterpret(8).get(ValueLayout.JAVA_LONG, 0)));
            assertThat(cause).isInstanceOf(WorkerLostException.class);
            WorkerLostException lost = (WorkerLostException) cause;
            assertThat(lost.hint()).contains("native crash");
            assertThat(lost.crashLog()).isPresent();
            Files.deleteIfExists(Path.of(lost.crashLog().orElseThrow()));
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @Test
    void aResultSentBeforeTheDeathIsStillDelivered() throws Exception {
        try (TaskPool pool = processes(1).start()) {
            Future<Integer> first = pool.submit(() -> 1);
            Future<Integer> dies = pool.submit(() -> {
                System.exit(9);
                return 0;
            });
            Future<Integer> after = pool.submit(() -> 3);
            assertThat(first.get()).isEqualTo(1);
            assertThat(causeOf(dies)).isInstanceOf(WorkerLostException.class);
            assertThat(after.get()).isEqualTo(3);
        }
    }

    @Test
    void aHybridWorkerThatDiesFailsAllOfItsRunningTasksByName() throws Exception {
        try (TaskPool pool = hybrid(1, 3).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            List<Future<Integer>> sleepers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                sleepers.add(pool.submit(() -> {
                    s.running();
                    RunningSignal.blockUntilStopped();
                    return 0;
                }));
            }
            signal.awaitRunning(30);
            signal.awaitRunning(30);
            Future<Integer> killer = pool.submit(() -> {
                Runtime.getRuntime().halt(5);
                return 0;
            });
            Set<String> named = new HashSet<>();
            for (Future<Integer> f : List.of(sleepers.get(0), sleepers.get(1), killer)) {
                WorkerLostException lost = (WorkerLostException) causeOf(f);
                assertThat(lost.exitCode()).hasValue(5);
                named.add(lost.task());
            }
            assertThat(named).hasSize(3);
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
        }
    }

    @Test
    void aTaskThatKeepsKillingWorkersBecomesPoison() throws Exception {
        try (TaskPool pool =
                processes(1).retriesOnWorkerLoss(5).poisonThreshold(2).start()) {
            Task<Integer> killer = () -> {
                Runtime.getRuntime().halt(1);
                return 0;
            };
            Throwable cause = causeOf(pool.submit(killer));
            assertThat(cause).isInstanceOf(PoisonTaskException.class).hasCauseInstanceOf(WorkerLostException.class);
            assertThat(((PoisonTaskException) cause).workersKilled()).isEqualTo(2);
            assertThat(cause).hasMessageContaining("it was running in 2 workers that died");
            // an identical task fails at once, without being sent to (and killing) a worker, and
            // does not claim to have run (issue 12: "tasks that never ran")
            Throwable again = causeOf(pool.submit(killer));
            assertThat(again)
                    .isInstanceOf(PoisonTaskException.class)
                    .hasNoCause()
                    .hasMessageContaining("it is identical to a task that was running in 2 workers that died")
                    .hasMessageNotContaining("it was running");
            assertThat(((PoisonTaskException) again).workersKilled()).isEqualTo(2);
            assertThat(pool.submit(() -> 4).get()).isEqualTo(4);
        }
    }

    /**
     * Issue 9 (poison blame): a worker SIGKILLed by another process while it ran one task made that
     * task poison (with a threshold of 1: it and every identical task were refused for 10 minutes),
     * though the task could not have caused it. A kill from outside now counts only if it repeats.
     */
    @Test
    void aKillFromOutsideMakesItsTaskPoisonOnlyWhenItRepeats() throws Exception {
        try (TaskPool pool = processes(1).poisonThreshold(1).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            Task<Integer> victim = () -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0;
            };
            Future<Integer> first = pool.submit(victim);
            signal.awaitRunning(30);
            ProcessHandle.of(pool.workerPids().getFirst()).orElseThrow().destroyForcibly();
            assertThat(causeOf(first)).isInstanceOf(WorkerLostException.class);

            Future<Integer> second = pool.submit(victim); // the same bytes: refused at once before
            signal.awaitRunning(30);
            ProcessHandle.of(pool.workerPids().getFirst()).orElseThrow().destroyForcibly();
            Throwable cause = causeOf(second);
            assertThat(cause).isInstanceOf(PoisonTaskException.class);
            assertThat(((PoisonTaskException) cause).workersKilled()).isEqualTo(2);
            assertThat(causeOf(pool.submit(victim))).isInstanceOf(PoisonTaskException.class);
            assertThat(pool.submit(() -> 4).get()).isEqualTo(4);
        }
    }

    @Test
    void beyondTheRestartLimitThePoolFailsLoudly() throws Exception {
        try (TaskPool pool = processes(1).restartLimit(2, Duration.ofMinutes(5)).start()) {
            for (int i = 0; i < 3; i++) {
                int code = 10 + i; // distinct tasks, so none is poison
                Future<Integer> f = pool.submit(() -> {
                    Runtime.getRuntime().halt(code);
                    return 0;
                });
                Throwable cause = causeOf(f);
                if (i < 2) {
                    assertThat(cause).isInstanceOf(WorkerLostException.class);
                } else {
                    assertThat(cause).isInstanceOf(WorkerLostException.class);
                }
            }
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> pool.submit(() -> 1))
                    .isInstanceOf(PoolFailedException.class)
                    .hasMessageContaining("3 times in")
                    .hasMessageContaining("over the restart limit of 2 (restartLimit)");
        }
    }

    @Test
    void aTimeoutKillsOnlyTheRunawaysWorker() throws Exception {
        try (TaskPool pool = processes(2).taskTimeout(Duration.ofSeconds(3)).start();
                RunningSignal signal = new RunningSignal()) {
            RunningSignal.Signal s = signal.signal();
            Future<Integer> runaway = pool.submit(() -> {
                s.running();
                while (true) {
                    Thread.onSpinWait();
                }
            });
            signal.awaitRunning(30);
            List<Long> before = pool.workerPids();
            Future<Integer> fine = pool.submit(() -> 7);
            assertThat(fine.get()).isEqualTo(7);
            assertThat(causeOf(runaway)).isInstanceOf(TaskTimeoutException.class);
            // exactly one of the two original workers was replaced
            assertThat(pool.submit(() -> 8).get()).isEqualTo(8);
            List<Long> after = pool.workerPids();
            assertThat(after.stream().filter(before::contains)).hasSize(1);
        }
    }

    @Test
    void aLateReplyForATimedOutTaskCompletesNothingElse() throws Exception {
        try (TaskPool pool = hybrid(1, 2).taskTimeout(Duration.ofSeconds(2)).start()) {
            long pid = pool.workerPids().getFirst();
            Future<Integer> slow = pool.submit(() -> {
                try {
                    RunningSignal.blockUntilStopped();
                    return 0;
                } catch (InterruptedException e) {
                    return -1; // the late reply, sent after the deadline failed the future
                }
            });
            assertThat(causeOf(slow)).isInstanceOf(TaskTimeoutException.class);
            for (int i = 0; i < 50; i++) {
                int n = i;
                assertThat(pool.submit(() -> n).get()).isEqualTo(n);
            }
            // a hybrid worker is asked to interrupt first; this task obeyed, so nobody was killed
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }

    /** An exception that breaks everything a reply needs from it. */
    static final class Unspeakable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("no message");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new IllegalStateException("no stack");
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new NotSerializableException("not this one");
        }
    }

    @Test
    void anExceptionThatCannotBeDescribedStillFailsItsTaskAndNothingHangs() throws Exception {
        try (TaskPool pool = hybrid(1, 2).start()) {
            List<Future<Integer>> after = new ArrayList<>();
            Future<Integer> broken = pool.submit(() -> {
                throw new Unspeakable();
            });
            for (int i = 0; i < 8; i++) {
                int n = i;
                after.add(pool.submit(() -> n));
            }
            assertThat(causeOf(broken))
                    .isInstanceOf(RemoteTaskException.class)
                    .hasMessageContaining(Unspeakable.class.getName());
            for (int i = 0; i < 8; i++) {
                assertThat(after.get(i).get()).isEqualTo(i);
            }
        }
    }

    @Test
    void aRecycledWorkersCrashIsStillACrashThatIsRetried() throws Exception {
        Path marker = Files.createTempFile("tandem-crashed-once", "");
        Files.delete(marker);
        String path = marker.toString();
        try (TaskPool pool =
                processes(1).maxTasksPerWorker(1).retriesOnWorkerLoss(2).start()) {
            String result = pool.submit(() -> {
                        Path m = Path.of(path);
                        if (!Files.exists(m)) {
                            Files.createFile(m);
                            Runtime.getRuntime().halt(9); // the first attempt dies
                        }
                        return "ok on retry";
                    })
                    .get();
            assertThat(result).isEqualTo("ok on retry");
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @Test
    void cancelKillsTheWorkerOnlyIfItStillRunsThatTask() throws Exception {
        try (TaskPool pool = processes(1).start();
                RunningSignal signal = new RunningSignal()) {
            Future<Integer> done = pool.submit(() -> 1);
            assertThat(done.get()).isEqualTo(1);
            long pid = pool.workerPids().getFirst();
            assertThat(done.cancel(true)).isFalse();
            assertThat(pool.workerPids()).containsExactly(pid);

            RunningSignal.Signal s = signal.signal();
            Future<Integer> running = pool.submit(() -> {
                s.running();
                RunningSignal.blockUntilStopped();
                return 0;
            });
            signal.awaitRunning(30);
            assertThat(running.cancel(true)).isTrue();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
            assertThat(pool.workerPids()).doesNotContain(pid);
        }
    }

    @Test
    void whatTasksPrintCannotCorruptTheProtocolAndIsPrefixed() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TaskPool pool = processes(1).start()) {
            String value = pool.submit(() -> {
                        System.out.println("hello from the task");
                        try (FileOutputStream raw = new FileOutputStream(FileDescriptor.out)) {
                            // bytes that would look like a frame header on a stdout-based protocol
                            raw.write(new byte[] {0, 0, 0, 9, 7, 0, 0, 0, 0, 0, 0, 0, 1, '\n'});
                        }
                        return "fine";
                    })
                    .get();
            assertThat(value).isEqualTo("fine");
            assertThat(pool.submit(() -> 11).get()).isEqualTo(11);
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("[worker 1] hello from the task");
    }

    @Test
    void theCallerRefusesClassesAWorkerWasNeverSent() throws Exception {
        int before = Gadget.DESERIALIZED.get();
        try (TaskPool pool = processes(1).start()) {
            Throwable cause = causeOf(pool.submit(() -> new ArrayList<>(List.of(new Gadget()))));
            assertThat(cause).isInstanceOf(TaskSerializationException.class).hasMessageContaining("decoding filter");
            assertThat(((TaskSerializationException) cause).boundary())
                    .isEqualTo(TaskSerializationException.Boundary.DECODE_RESULT_IN_CALLER);
            assertThat(Gadget.DESERIALIZED.get()).isEqualTo(before);

            Throwable deep = causeOf(pool.submit(() -> {
                Object o = null;
                for (int i = 0; i < 5000; i++) {
                    o = new Object[] {o};
                }
                return o;
            }));
            assertThat(deep).isInstanceOf(TaskSerializationException.class);

            // an exception of an unknown class arrives as a faithful stand-in
            Throwable evil = causeOf(pool.submit(() -> {
                throw new EvilException("from the worker");
            }));
            assertThat(evil).isInstanceOf(RemoteTaskException.class).hasMessage("evil.EvilException: from the worker");
            assertThat(((RemoteTaskException) evil).remoteClassName()).isEqualTo("evil.EvilException");
            assertThat(evil.getStackTrace())
                    .extracting(StackTraceElement::getClassName)
                    .anyMatch(c -> c.startsWith("dev.tandem.ProcessFailureTest"));
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
        try (TaskPool pool = processes(1).allowClasses("evil.*").start()) {
            assertThat(pool.submit(Gadget::new).get()).isInstanceOf(Gadget.class);
        }
    }

    @Test
    void anUnserializableTaskIsRejectedAtSubmitNamingTheClass() throws Exception {
        try (TaskPool pool = processes(1).start()) {
            Thread notSerializable = Thread.currentThread();
            assertThatThrownBy(() -> pool.submit(() -> notSerializable.getName()))
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("java.lang.Thread")
                    .hasMessageContaining("Serializable")
                    .satisfies(e -> assertThat(((TaskSerializationException) e).boundary())
                            .isEqualTo(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER));
            Callable<Integer> plain = () -> 1;
            assertThatThrownBy(() -> pool.submit(plain))
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("dev.tandem.Task");
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @Test
    void failuresToCopyInTheWorkerNameTheirBoundary() throws Exception {
        try (TaskPool pool = processes(1).start()) {
            Throwable result = causeOf(pool.submit(() -> new Object()));
            assertThat(result).isInstanceOf(TaskSerializationException.class);
            assertThat(((TaskSerializationException) result).boundary())
                    .isEqualTo(TaskSerializationException.Boundary.ENCODE_RESULT_IN_WORKER);

            long callerPid = ProcessHandle.current().pid();
            Throwable decode = causeOf(pool.submit(new RefusesToLeave(callerPid)));
            assertThat(decode).isInstanceOf(TaskSerializationException.class);
            assertThat(((TaskSerializationException) decode).boundary())
                    .isEqualTo(TaskSerializationException.Boundary.DECODE_TASK_IN_WORKER);
            assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    static String procStat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until {@code w} exited, at most {@code bound} nanoseconds after {@code since}, and fails
     * naming its state if it did not. An orphan that exited is a zombie until init reaps it, and a
     * zombie still counts as alive for ProcessHandle, so this waits for the exit event in slices and
     * accepts the zombie state.
     */
    static void awaitExitOrZombie(ProcessHandle w, long since, long bound) throws Exception {
        while (!exitedOrZombie(w)) {
            long left = bound - (System.nanoTime() - since);
            if (left <= 0) {
                throw new AssertionError("worker " + w.pid() + " still running " + bound / 1_000_000
                        + " ms after its caller died: " + procStat(w.pid()));
            }
            try {
                w.onExit().get(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look again
            }
        }
    }

    static boolean exitedOrZombie(ProcessHandle p) {
        String stat = procStat(p.pid());
        int close = stat.lastIndexOf(')');
        return !p.isAlive()
                || stat.isEmpty()
                || (close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z');
    }

    /** A task that cannot be deserialized anywhere but in the JVM that made it. */
    record RefusesToLeave(long homePid) implements Task<Integer> {
        RefusesToLeave {
            if (ProcessHandle.current().pid() != homePid) {
                throw new IllegalStateException("this task cannot leave pid " + homePid);
            }
        }

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void aWorkerThatCannotStartReportsTheJvmsErrorAndTheCommand() {
        assertThatThrownBy(
                        () -> processes(1).jvmOptions("-XX:+NoSuchTandemOption").start())
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("Unrecognized VM option")
                .hasMessageContaining("command:")
                .hasMessageContaining("-XX:+NoSuchTandemOption");
    }

    @Test
    void aFailingInitializerStopsTheStart() {
        assertThatThrownBy(() -> processes(1)
                        .initializer(() -> {
                            throw new IllegalStateException("no database");
                        })
                        .start())
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("no database");
    }

    @Test
    void workersAreRecycledAfterMaxTasks() throws Exception {
        try (TaskPool pool = processes(1).maxTasksPerWorker(3).start()) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 9; i++) {
                pids.add(pool.submit(() -> ProcessHandle.current().pid()).get());
            }
            assertThat(pids).hasSize(3);
        }
    }

    @Test
    void workersExitWhenTheCallerIsKilled() throws Exception {
        List<String> cmd = List.of(
                System.getProperty("java.home") + "/bin/java",
                "-cp",
                System.getProperty("java.class.path"),
                OrphanParent.class.getName());
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
                System.out.println("[orphan parent] " + line);
            }
            assertThat(line).as("the parent printed its workers' pids").isNotNull();
            List<ProcessHandle> workers = new ArrayList<>();
            for (String pid : line.substring(5).split(",")) {
                workers.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
            }
            parent.destroyForcibly().waitFor();
            long killed = System.nanoTime();
            for (ProcessHandle w : workers) {
                awaitExitOrZombie(w, killed, 2_000_000_000L); // every worker exits within 2 s of its caller's SIGKILL
            }
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
