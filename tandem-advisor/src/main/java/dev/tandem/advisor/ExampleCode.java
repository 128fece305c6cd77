package dev.tandem.advisor;

import dev.tandem.measure.Units;

/**
 * The example code of a verdict: the pool the recommendation names, with the options the measurements
 * call for (recycling, heap, task timeout), and the call that submits the task as the advice says, one by
 * one or with {@code map()}, typed by the task's result ({@link #forResult}). Stateless apart from the
 * rules it reads.
 */
final class ExampleCode {
    private final Rules r;

    ExampleCode(Rules r) {
        this.r = r;
    }

    /**
     * {@return the Java code of the recommendation {@code c} under {@code req}: the pool with its options, and
     * the call that submits the task, {@code R} its result type}
     */
    String of(Rules.Choice c, Advice.Requirements req) {
        StringBuilder b = new StringBuilder(
                c.mode().isolated() && RequirementEffects.unmet(r, req) != null
                        ? RequirementEffects.resultOnly(r.probe.serializationError())
                                ? "// no result comes back until call() returns a Serializable value (see the verdict)\n"
                                : "// submit rejects the task until it is Serializable: fix that first (see the verdict)\n"
                        : "");
        b.append("try (TaskPool pool = ");
        b.append(
                switch (c.mode()) {
                    case THREADS -> "Tandem.threads(" + c.workers() + ")";
                    case VIRTUAL_THREADS -> "Tandem.virtualThreads()";
                    case PROCESSES -> "Tandem.processes(" + c.workers() + ")";
                    case HYBRID -> "Tandem.hybrid(" + c.workers() + ", " + c.threadsPerWorker() + ")";
                    case CLUSTER -> "Tandem.localCluster(1).perNode(" + c.workers() + ", " + c.threadsPerWorker() + ")";
                });
        if (c.mode().isolated() && r.leaks()) {
            b.append("\n        .maxTasksPerWorker(")
                    .append(r.recycleAfter(req))
                    .append(')');
        }
        if (c.mode().isolated() && (req.heapPerTaskBytes() > 0 || r.leaks())) {
            // the recycling limit above is sized for this heap: state it rather than rely on the JVM's default
            long heap = req.heapPerTaskBytes() > 0 ? req.heapPerTaskBytes() : Rules.DEFAULT_WORKER_HEAP;
            b.append("\n        .jvmOptions(\"-Xmx").append(heap >> 20).append("m\")");
        }
        Advice.Trial basis = c.basis();
        long limit = req.maxLatencyNanos();
        if (limit > 0 && basis != null && !basis.batched() && basis.p99Nanos() >= 0 && basis.p99Nanos() <= limit) {
            // the chosen model met the limit: its p99 is at or below it, so the timeout fails only the tail past it
            b.append("\n        .taskTimeout(").append(durationCode(limit)).append(')');
        } else if (limit > 0) {
            b.append("\n        // no taskTimeout: ")
                    .append(
                            basis == null || basis.batched()
                                    ? "no per-task latency was measured for this model"
                                    : basis.label() + " missed --max-latency " + Units.nanos(limit) + " (p99 "
                                            + Units.nanos(basis.p99Nanos()) + "), so a timeout of "
                                            + Units.nanos(limit) + " would fail tasks that would have succeeded")
                    .append("\n        ");
        } else if (r.hangs()) {
            long timeout =
                    r.probe.medianCallNanos() > 0 ? Math.max(1000, 10 * r.probe.medianCallNanos() / 1_000_000) : 30_000;
            b.append("\n        .taskTimeout(Duration.ofMillis(")
                    .append(timeout)
                    .append("))");
        }
        b.append(".start()) {\n");
        b.append(call(c.batch(), "R"));
        b.append('}');
        return b.toString();
    }

    /** {@return Java code for a duration of {@code nanos}, exact: milliseconds when whole, else nanoseconds} */
    static String durationCode(long nanos) {
        return nanos % 1_000_000 == 0
                ? "Duration.ofMillis(" + nanos / 1_000_000 + ")"
                : "Duration.ofNanos(" + nanos + ")";
    }

    /**
     * {@return the line that submits the work: {@code map()} when batching is advised, one task per input
     * otherwise; for a task that returns nothing ({@code Void}), no result to keep}
     *
     * @param batch whether map() is advised
     * @param result the task's result type as Java code, such as {@code Long}, {@code R} when unknown
     */
    static String call(boolean batch, String result) {
        if (result.equals("Void")) {
            return batch
                    ? "    pool.map(fn, inputs);                       // batches tiny tasks; they return nothing\n"
                    : "    Future<?> f = pool.submit(task);            // one task per input; it returns nothing\n";
        }
        return batch
                ? "    List<" + result + "> results = pool.map(fn, inputs);   // batches tiny tasks\n"
                : "    Future<" + result + "> f = pool.submit(task);            // one task per input\n";
    }

    /**
     * {@return {@code code} with its submitting line typed by the task's result}: {@code Future<R>} was written
     * for every task, also one that returns nothing
     */
    static String forResult(String code, boolean batch, String result) {
        return result.equals("R") ? code : code.replace(call(batch, "R"), call(batch, result));
    }
}
