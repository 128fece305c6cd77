package dev.tandem;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What to tell a user whose task reached an isolated pool inside a wrapper that cannot be copied to
 * a worker JVM: wrappers that the JDK and common libraries put around a task on its way to an
 * executor. Each known wrapper is named with the Tandem way to get the same thing; an unknown
 * object that holds a {@code Runnable}, {@code Callable} or {@code Supplier} in a field is named as
 * a decorator (Spring's {@code TaskDecorator}, MDC or tracing context wrappers are lambdas of the
 * user's own classes, so only their shape gives them away).
 *
 * <p>Thread modes accept every wrapper, so this is consulted only by the process engine, when a
 * task is submitted. {@link java.util.concurrent.ExecutorCompletionService}'s
 * wrapper is not here: {@link CompletionServiceAdapter} makes it work. Stateless.
 */
final class TaskWrappers {
    /** Class name prefix, what it is, and what to do instead. First match wins. */
    private static final List<String[]> KNOWN = List.of(
            new String[] {
                "java.util.concurrent.CompletableFuture$AsyncSupply",
                "CompletableFuture.supplyAsync(supplier, pool) wraps the supplier in CompletableFuture$AsyncSupply",
                "use pool.supplyAsync(task), which returns a CompletableFuture whose supplier is a serializable"
                        + " dev.tandem.Task"
            },
            new String[] {
                "java.util.concurrent.CompletableFuture$AsyncRun",
                "CompletableFuture.runAsync(runnable, pool) wraps the runnable in CompletableFuture$AsyncRun",
                "use pool.supplyAsync(() -> { work(); return null; })"
            },
            new String[] {
                "java.util.concurrent.CompletableFuture$",
                "a CompletableFuture ...Async(action, pool) method sends its dependent action to the pool inside a"
                        + " CompletableFuture completion",
                "start the chain with pool.supplyAsync(task) and run dependent actions in this JVM"
                        + " (thenApply, thenApplyAsync(fn)), or send each step to a worker with"
                        + " thenCompose(v -> pool.supplyAsync(() -> step(v)))"
            },
            new String[] {
                CompletionServiceAdapter.QUEUEING_FUTURE,
                "ExecutorCompletionService wraps the task in a QueueingFuture, and this one does not wrap a future"
                        + " that this pool made (was the service built over another executor?)",
                "build the ExecutorCompletionService over this pool itself, or use pool.mapAsCompleted(fn, inputs)"
            },
            new String[] {
                "java.util.concurrent.Executors$RunnableAdapter",
                "Executors.callable(runnable) wraps the runnable in Executors$RunnableAdapter",
                "submit the runnable itself, declared Serializable, or a dev.tandem.Task"
            },
            new String[] {
                "java.util.concurrent.FutureTask",
                "a FutureTask made outside the pool wraps its callable",
                "submit the task itself with pool.submit(task) and use the Future it returns"
            },
            new String[] {
                "io.micrometer.core.instrument.",
                "Micrometer's ExecutorServiceMetrics.monitor(...) (or Timer.wrap) times each task inside a"
                        + " wrapper that must run in this JVM, next to its MeterRegistry",
                "monitor the pool itself rather than its tasks, and time tasks from the caller's side with the"
                        + " CompletableFuture of pool.supplyAsync(task): Timer.Sample.start() before, stop in"
                        + " whenComplete"
            },
            new String[] {
                "io.micrometer.context.",
                "a context-propagation wrapper (Micrometer's ContextSnapshot.wrap, used by Spring's"
                        + " ContextPropagatingTaskDecorator) restores thread-local context around the task",
                "pass the values the task needs (trace ids, MDC entries) as captured values of the Task and set"
                        + " them at its start in the worker"
            },
            new String[] {
                "io.opentelemetry.context.",
                "OpenTelemetry's Context.wrap / Context.taskWrapping restores the tracing context around the task",
                "capture what the worker needs (for example the W3C traceparent, from a propagator) in the Task and"
                        + " restore it at its start in the worker"
            },
            new String[] {
                "org.springframework.",
                "a Spring task wrapper runs code around the task in this JVM",
                "give Spring's executor no TaskDecorator for this pool, or do the decorator's work inside the Task"
            });

    /** Per class: why a task of that class is refused, or null. */
    private static final ClassValue<String> REFUSAL = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return explain(type);
        }
    };

    private TaskWrappers() {}

    /**
     * Refuses a task that is a known wrapper (whether or not it is {@link java.io.Serializable}: some,
     * such as {@code CompletableFuture}'s, are, but hold what is not), or a non-serializable object
     * that wraps another task. Cached per class.
     *
     * @param task a {@code Runnable} or {@code Callable} on its way to a worker JVM
     * @throws TaskSerializationException naming the wrapper and what to do instead
     */
    static void refuseWrapper(Object task) {
        String why = REFUSAL.get(task.getClass());
        if (why != null) {
            throw new TaskSerializationException(TaskSerializationException.Boundary.ENCODE_TASK_IN_CALLER, why, null);
        }
    }

    private static String explain(Class<?> type) {
        String name = type.getName();
        for (String[] known : KNOWN) {
            if (name.startsWith(known[0])) {
                return advice(name, known[1], known[2]);
            }
        }
        Field wrapped = Serializable.class.isAssignableFrom(type) ? null : wrappedTask(type);
        if (wrapped == null) {
            return null;
        }
        return advice(
                name,
                "it wraps another task (its field " + wrapped.getName() + " is a "
                        + wrapped.getType().getSimpleName()
                        + "): a decorator such as Spring's TaskDecorator, an MDC or OpenTelemetry context wrapper"
                        + " or a timing wrapper runs its code around the task in this JVM",
                "do the decorator's work inside the Task itself (capture the values it needs, such as"
                        + " MDC.getCopyOfContextMap(), and set them at its start in the worker), or use a thread"
                        + " pool (Tandem.threads(n)), which accepts every wrapper");
    }

    private static String advice(String name, String what, String instead) {
        return "task " + name + " cannot be sent to a worker JVM: " + what
                + "; such a wrapper cannot be copied. Instead, " + instead + ".";
    }

    /** {@return a field of {@code c} or its superclasses that holds a task, or null} */
    private static Field wrappedTask(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                Class<?> t = f.getType();
                if (t == Runnable.class || t == Callable.class || t == Supplier.class || t == Future.class) {
                    return f;
                }
            }
        }
        return null;
    }
}
