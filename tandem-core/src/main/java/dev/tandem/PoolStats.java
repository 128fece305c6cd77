package dev.tandem;

/**
 * What a {@link TaskPool} has done since it started, and what it holds now: the read-only
 * statistics of {@link TaskPool#stats()}, the same in every mode. The Micrometer binder of the
 * {@code tandem-micrometer} module publishes them as meters; JFR events give the same story task by
 * task (see docs/observability.md).
 *
 * <p><b>Gauges</b> ({@link #workers}, {@link #queued}, {@link #running}) are the pool's state at the
 * moment of the call. <b>Counters</b> ({@code tasks*}, {@code workers*} and {@link #taskLatencyNanos})
 * only grow, from 0 when the pool started. A task is counted as submitted once the pool accepted it
 * (a rejected submission is not counted) and as completed once, in exactly one outcome, just after
 * its future completed: a thread returning from {@code Future.get()} may briefly see the counts of
 * before. Counters are read one by one, completions before submissions, so
 * {@code tasksSubmitted() >= completed()} in every snapshot; the set as a whole is not one atomic
 * snapshot.
 *
 * <p>The outcomes: <b>succeeded</b>, the task returned; <b>failed</b>, it threw, or its arguments or
 * result could not be copied ({@link TaskSerializationException}), or the pool failed
 * ({@link PoolFailedException}); <b>timed out</b> ({@link TaskTimeoutException}); <b>cancelled</b>,
 * by {@code cancel}, {@code shutdownNow()} or {@code close()}; <b>lost</b>, its worker died
 * ({@link WorkerLostException}) or it was declared poison ({@link PoisonTaskException}). A task that
 * is retried after a worker loss is counted once, with the outcome of its last attempt.
 *
 * <p>Immutable and thread-safe; taking one costs a few counter reads (and, in isolated modes, a walk
 * of the workers under the pool's lock), so it is meant for monitoring, not for every task.
 *
 * @param mode the pool's execution model
 * @param workers the pool's size now: worker JVMs serving (alive and not condemned) in isolated
 *     modes, as {@link TaskPool#workerPids()} lists them; threads alive in {@link Mode#THREADS};
 *     in {@link Mode#VIRTUAL_THREADS}, the tasks accepted and not completed, each of which has a
 *     virtual thread of its own
 * @param queued tasks accepted and not yet running: waiting in the caller, or sent ahead to a
 *     worker that is busy (prefetched); always 0 in {@link Mode#VIRTUAL_THREADS}, where every task
 *     gets a thread at once
 * @param running tasks running now: on a pool thread, or among the tasks a worker runs at once
 *     (its threads per worker)
 * @param tasksSubmitted tasks accepted by {@code submit}, {@code execute}, {@code invokeAll},
 *     {@code invokeAny} or {@code map} (a {@code map} batch counts as one task)
 * @param tasksSucceeded tasks completed with a result
 * @param tasksFailed tasks that failed, other than below
 * @param tasksTimedOut tasks that failed with {@link TaskTimeoutException}
 * @param tasksCancelled tasks that ended cancelled
 * @param tasksLost tasks that failed with {@link WorkerLostException} or {@link PoisonTaskException}
 * @param taskLatencyNanos the sum, in nanoseconds, of the latencies of the {@code tasksTimed}
 *     tasks: from its submission to its completion, queueing included; divide by
 *     {@code tasksTimed} for the mean ({@link #meanTaskLatencyNanos()})
 * @param tasksTimed the completed tasks whose latency is in {@code taskLatencyNanos}: in isolated
 *     modes every completed task; in thread modes the tasks submitted after the pool's first
 *     {@code stats()} call (or while a JFR recording wanted task times). Timing a task takes two
 *     clock reads, about 60 ns on this project's test machine, as much as the rest of an empty task
 *     in the JDK's thread pool: a thread pool times its tasks only once someone looks, so call
 *     {@code stats()} once after {@code start()} to time every task (the Micrometer binder does)
 * @param workersStarted worker JVMs started (the first ones and every replacement); 0 in thread modes
 * @param workersDied worker JVMs that ended unplanned: a crash, {@code System.exit}, a kill from
 *     outside; ends the pool caused (timeouts, cancels, recycling, shutdown) are not counted
 * @param workersRestarted replacements started for workers that died unplanned or failed to start
 *     (immediately, or after a crash-loop backoff)
 * @param workersRecycled workers retired after their task budget: {@code maxTasksPerWorker}, or the
 *     budget of the one worker that trains the AOT cache (see {@code Tandem.Builder.aotCache})
 */
public record PoolStats(
        Mode mode,
        int workers,
        int queued,
        int running,
        long tasksSubmitted,
        long tasksSucceeded,
        long tasksFailed,
        long tasksTimedOut,
        long tasksCancelled,
        long tasksLost,
        long taskLatencyNanos,
        long tasksTimed,
        long workersStarted,
        long workersDied,
        long workersRestarted,
        long workersRecycled) {

    /** {@return the tasks completed, in any outcome} */
    public long completed() {
        return tasksSucceeded + tasksFailed + tasksTimedOut + tasksCancelled + tasksLost;
    }

    /**
     * {@return the mean latency of the timed tasks in nanoseconds, {@code taskLatencyNanos / tasksTimed},
     * or {@link Double#NaN} when no task was timed}
     */
    public double meanTaskLatencyNanos() {
        return tasksTimed == 0 ? Double.NaN : (double) taskLatencyNanos / tasksTimed;
    }
}
