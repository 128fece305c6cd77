package dev.tandem;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder events of Tandem, named {@code dev.tandem.*}. Only {@link PoolEvents}
 * builds and commits them, after {@link Event#isEnabled()} says a recording wants them, so that
 * without a recording they cost nothing (the JIT removes the allocation of an event that is never
 * enabled). None records a stack trace: they say where in the pool, not where in the code.
 *
 * <p>The task events {@link TaskQueued} and {@link TaskStarted} are disabled by default, as the
 * JDK's own per-thread events are: a busy pool makes hundreds of thousands a second. Enable them
 * with {@code -XX:StartFlightRecording:+dev.tandem.TaskQueued#enabled=true,...} or a custom
 * {@code .jfc}. {@link TaskFinished}, one per task, carries its wait and run times and is enabled.
 * Every field a consumer reads is named in docs/observability.md.
 */
final class FlightEvents {
    private FlightEvents() {}

    @Name("dev.tandem.TaskQueued")
    @Label("Task Queued")
    @Category({"Tandem", "Task"})
    @Description("A pool accepted a task; it waits for a thread or a worker")
    @StackTrace(false)
    @Enabled(false)
    static final class TaskQueued extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Task Id")
        long taskId;

        @Label("Task")
        @Description("The class of the user's task (for map, of the batch's function)")
        String task;
    }

    @Name("dev.tandem.TaskStarted")
    @Label("Task Started")
    @Category({"Tandem", "Task"})
    @Description("A task began to run on a pool thread, or became one of the tasks a worker runs")
    @StackTrace(false)
    @Enabled(false)
    static final class TaskStarted extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Task Id")
        long taskId;

        @Label("Task")
        String task;

        @Label("Worker Id")
        @Description("The worker that runs it; 0 in thread modes (the event's thread is the pool thread)")
        int workerId;

        @Label("Attempt")
        @Description("1, then 2 and up when it runs again after a worker loss")
        int attempt;

        @Label("Wait Time")
        @Description("From its submission until now")
        @Timespan(Timespan.NANOSECONDS)
        long waitTime;
    }

    @Name("dev.tandem.TaskFinished")
    @Label("Task Finished")
    @Category({"Tandem", "Task"})
    @Description("A task's future completed, in one of the outcomes of PoolStats")
    @StackTrace(false)
    static final class TaskFinished extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Task Id")
        long taskId;

        @Label("Task")
        String task;

        @Label("Outcome")
        @Description("succeeded, failed, timed_out, cancelled or lost")
        String outcome;

        @Label("Error")
        @Description("The class of the exception it failed with, or null")
        String error;

        @Label("Worker Id")
        @Description("The worker it last ran on; 0 in thread modes or when it never started")
        int workerId;

        @Label("Wait Time")
        @Description("From its submission until it (last) started; all its life if it never started")
        @Timespan(Timespan.NANOSECONDS)
        long waitTime;

        @Label("Run Time")
        @Description("From its (last) start until it completed; 0 if it never started")
        @Timespan(Timespan.NANOSECONDS)
        long runTime;
    }

    @Name("dev.tandem.WorkerStarted")
    @Label("Worker Started")
    @Category({"Tandem", "Worker"})
    @Description("A worker JVM completed its handshake and takes tasks")
    @StackTrace(false)
    static final class WorkerStarted extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Worker Id")
        int workerId;

        @Label("Process Id")
        long pid;

        @Label("Slots")
        @Description("The tasks it runs at once")
        int slots;

        @Label("Startup Time")
        @Description("From the beginning of its launch until the pool took it in (the first workers of a pool"
                + " are taken in together, once all are ready)")
        @Timespan(Timespan.NANOSECONDS)
        long startupTime;
    }

    @Name("dev.tandem.WorkerDied")
    @Label("Worker Died")
    @Category({"Tandem", "Worker"})
    @Description("A worker JVM ended, planned by the pool or not")
    @StackTrace(false)
    static final class WorkerDied extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Worker Id")
        int workerId;

        @Label("Process Id")
        long pid;

        @Label("Exit Code")
        @Description("Its exit code, or -1 when it could not be had")
        int exitCode;

        @Label("Signal")
        @Description("The signal that ended it, e.g. SIGKILL, or null")
        String signal;

        @Label("Planned")
        @Description("Whether the pool ended it (timeout, cancel, recycling, shutdown) or it was lost through"
                + " no fault of its own; false for a crash, System.exit or a kill from outside")
        boolean planned;

        @Label("Reason")
        @Description("Why the pool ended it, or the likely cause of an unplanned end")
        String reason;

        @Label("Tasks Completed")
        @Description("Tasks it answered since it started")
        long tasksCompleted;

        @Label("Tasks Held")
        @Description("Tasks it held when it ended, running or sent ahead")
        int tasksHeld;

        @Label("Crash Log")
        @Description("The path of its JVM crash log, or null")
        String crashLog;
    }

    @Name("dev.tandem.WorkerRecycled")
    @Label("Worker Recycled")
    @Category({"Tandem", "Worker"})
    @Description("A worker reached its task budget (maxTasksPerWorker): it takes no new task, exits when idle,"
            + " and a replacement starts")
    @StackTrace(false)
    static final class WorkerRecycled extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Worker Id")
        int workerId;

        @Label("Process Id")
        long pid;

        @Label("Tasks")
        @Description("Tasks it accepted")
        long tasks;

        @Label("Reason")
        String reason;
    }

    @Name("dev.tandem.RestartBackoff")
    @Label("Restart Backoff")
    @Category({"Tandem", "Worker"})
    @Description("Workers die before completing a task (a crash loop): the replacement waits before it starts")
    @StackTrace(false)
    static final class RestartBackoff extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Worker Id")
        @Description("The worker that died, or 0 for a worker that failed to start")
        int workerId;

        @Label("Delay")
        @Timespan(Timespan.NANOSECONDS)
        long delay;
    }

    @Name("dev.tandem.PoolFailed")
    @Label("Pool Failed")
    @Category({"Tandem", "Pool"})
    @Description("The pool gave up (restart limit) or met an internal error: queued and running tasks fail")
    @StackTrace(false)
    static final class PoolFailed extends Event {
        @Label("Pool Id")
        int poolId;

        @Label("Reason")
        String reason;
    }
}
